# Copyright 2026 LIQUID EDGE founders
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""
Frame sources behind one interface: Raspicam (picamera2), V4L2, video file.

A source hands the camera node BGR images (numpy, uint8, H x W x 3) with their capture time.
`FrameSource.apply` takes the JPEG quality, size and rate the bridge chooses for the link
(:class:`CaptureSettings`): picamera2 and V4L2 change the sensor mode or ISP output size and
the frame rate at capture, so no CPU is spent scaling; the file and simulated sources keep
their size and the node resizes (``jpeg.encode_frame``). JPEG quality is always the node's
encoder's (the images are BGR, encoded once).
The simulated camera of ``liquid_edge_sim`` implements :class:`FrameSource` too and is given
to :class:`liquid_edge_camera.camera_node.CameraNode` directly.

No ROS import here: the node is the only ROS adapter.
"""

import abc
import dataclasses
import time
from typing import Dict, Optional, Type

import cv2
import numpy as np


class CameraError(RuntimeError):
    """The camera cannot be opened or stopped delivering frames; the message says why."""


class EndOfStream(CameraError):
    """A video file without ``loop`` has no more frames."""


@dataclasses.dataclass(frozen=True)
class Frame:
    """
    One captured image.

    ``image`` is BGR, uint8, shape (height, width, 3). ``stamp_ns`` is the capture time in
    nanoseconds on the clock the source shares with the node (``time.time_ns()`` for the real
    sources; the simulation gives its own clock's time).
    """

    image: np.ndarray
    stamp_ns: int


@dataclasses.dataclass(frozen=True)
class SourceConfig:
    """What a source needs to open: the node's parameters, ROS-free."""

    width: int = 640
    height: int = 480
    fps: float = 15.0
    device: str = '0'
    path: str = ''
    loop: bool = True

    def with_capture(self, settings: 'CaptureSettings') -> 'SourceConfig':
        """Return this config with the size and rate of ``settings`` (quality is encoding's)."""
        return dataclasses.replace(self, width=settings.width, height=settings.height,
                                   fps=settings.fps)


@dataclasses.dataclass(frozen=True)
class CaptureSettings:
    """What the camera is asked for: JPEG quality 1..100, size in pixels, frames per second."""

    quality: int
    width: int
    height: int
    fps: float

    def __post_init__(self):
        """Reject settings no camera can apply, with the reason."""
        if not 1 <= self.quality <= 100:
            raise ValueError(f'jpeg quality must be in 1..100, got {self.quality}')
        if not (16 <= self.width <= 4096 and 16 <= self.height <= 4096):
            raise ValueError(f'size {self.width}x{self.height} is outside 16..4096 pixels')
        if not 0.1 <= self.fps <= 90.0:
            raise ValueError(f'fps must be in 0.1..90, got {self.fps}')


class FrameSource(abc.ABC):
    """A camera: open it, read frames, close it. Every failure raises :class:`CameraError`."""

    @abc.abstractmethod
    def open(self) -> None:  # noqa: A003 - the FrameSource interface's name
        """Acquire the camera; raise CameraError saying what is missing or wrong."""

    @abc.abstractmethod
    def read(self) -> Frame:
        """Return the next frame; raise CameraError (EndOfStream at the end of a file)."""

    @abc.abstractmethod
    def close(self) -> None:
        """Release the camera; safe to call when not open."""

    @property
    def nominal_fps(self) -> Optional[float]:
        """Rate the source itself delivers at (a file's FPS), or None when it has none."""
        return None

    @property
    def description(self) -> str:
        """One line naming the source, for logs and diagnostics."""
        return type(self).__name__

    @property
    def scales_at_capture(self) -> bool:
        """Whether :meth:`apply` changes the captured size (else the node resizes)."""
        return False

    def apply(self, settings: CaptureSettings) -> CaptureSettings:
        """
        Capture at ``settings`` from now on, where the camera can; return what it will give.

        This default (file, simulation) changes nothing at capture: the node resizes and
        encodes each frame at ``settings`` and paces at its rate, so they are returned as
        asked. Cameras that scale or change rate at capture override it and return the size
        and rate the driver granted.
        """
        return settings


class Picamera2Source(FrameSource):
    """Raspberry Pi camera through picamera2 (libcamera)."""

    def __init__(self, config: SourceConfig):
        self._config = config
        self._camera = None

    @property
    def description(self) -> str:
        return 'picamera2 (Raspberry Pi camera)'

    @property
    def scales_at_capture(self) -> bool:
        return True

    def apply(self, settings: CaptureSettings) -> CaptureSettings:
        """Change the ISP output size and the frame rate; a running camera is reconfigured."""
        self._config = self._config.with_capture(settings)
        camera = self._camera
        if camera is not None:
            try:
                camera.stop()
                self._configure(camera)
                camera.start()
            except Exception as error:  # picamera2 raises RuntimeError, IndexError, OSError
                raise CameraError(f'cannot reconfigure the Raspberry Pi camera: {error}') \
                    from error
        return settings

    def _configure(self, camera) -> None:
        # RGB888 in libcamera's naming is B, G, R in memory: what OpenCV expects.
        camera.configure(camera.create_video_configuration(
            main={'size': (self._config.width, self._config.height), 'format': 'RGB888'},
            controls={'FrameRate': float(self._config.fps)}))

    def open(self) -> None:  # noqa: A003 - the FrameSource interface's name
        try:
            from picamera2 import Picamera2
        except ImportError as error:
            raise CameraError(
                'picamera2 is not installed: on Raspberry Pi OS run '
                '`sudo apt install python3-picamera2` (or `pip install picamera2`); '
                'without a Raspicam use source:=v4l2 or source:=file') from error
        try:
            camera = Picamera2()
            self._configure(camera)
            camera.start()
        except Exception as error:  # picamera2 raises RuntimeError, IndexError, OSError
            raise CameraError(f'cannot start the Raspberry Pi camera: {error}') from error
        self._camera = camera

    def read(self) -> Frame:
        if self._camera is None:
            raise CameraError('picamera2 source read before open()')
        try:
            image = self._camera.capture_array('main')
        except Exception as error:
            raise CameraError(f'Raspberry Pi camera capture failed: {error}') from error
        return Frame(image=np.ascontiguousarray(image[:, :, :3]), stamp_ns=time.time_ns())

    def close(self) -> None:
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.stop()
            camera.close()


def _device_argument(device: str):
    """Return the V4L2 device as OpenCV wants it: an index for '0', a path otherwise."""
    return int(device) if device.isdigit() else device


class V4L2Source(FrameSource):
    """A V4L2 camera (USB webcam, /dev/videoN) through OpenCV."""

    def __init__(self, config: SourceConfig):
        self._config = config
        self._capture = None

    @property
    def description(self) -> str:
        return f'V4L2 device {self._config.device}'

    def open(self) -> None:  # noqa: A003 - the FrameSource interface's name
        capture = cv2.VideoCapture(_device_argument(self._config.device), cv2.CAP_V4L2)
        if not capture.isOpened():
            capture.release()
            raise CameraError(
                f'cannot open V4L2 device {self._config.device!r}: check that it exists '
                '(ls /dev/video*) and that this user may read it (group video)')
        self._capture = capture
        self._set_mode()

    @property
    def scales_at_capture(self) -> bool:
        return True

    def apply(self, settings: CaptureSettings) -> CaptureSettings:
        """Ask the driver for this size and rate; return the ones it granted."""
        self._config = self._config.with_capture(settings)
        if self._capture is None:
            return settings
        width, height, fps = self._set_mode()
        return dataclasses.replace(settings, width=width, height=height, fps=fps)

    def _set_mode(self) -> tuple:
        """Set width, height and rate on the open device; return what the driver took."""
        capture = self._capture
        capture.set(cv2.CAP_PROP_FRAME_WIDTH, self._config.width)
        capture.set(cv2.CAP_PROP_FRAME_HEIGHT, self._config.height)
        capture.set(cv2.CAP_PROP_FPS, self._config.fps)
        # A driver without the mode keeps its nearest one; 0 means it does not say.
        width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH)) or self._config.width
        height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) or self._config.height
        fps = float(capture.get(cv2.CAP_PROP_FPS)) or self._config.fps
        return width, height, fps

    def read(self) -> Frame:
        if self._capture is None:
            raise CameraError('V4L2 source read before open()')
        ok, image = self._capture.read()
        stamp_ns = time.time_ns()
        if not ok or image is None:
            raise CameraError(f'V4L2 device {self._config.device!r} returned no frame')
        return Frame(image=image, stamp_ns=stamp_ns)

    def close(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()


class VideoFileSource(FrameSource):
    """
    A video file read through OpenCV, for tests and static demos; loops when asked.

    The node's timer paces the reading (at ``fps``, or at :attr:`nominal_fps`, the file's own
    rate, when the node is asked to follow it); this class only hands out the next frame.
    """

    def __init__(self, config: SourceConfig):
        self._config = config
        self._capture = None
        self._file_fps: Optional[float] = None

    @property
    def description(self) -> str:
        return f'video file {self._config.path}'

    @property
    def nominal_fps(self) -> Optional[float]:
        return self._file_fps

    def open(self) -> None:  # noqa: A003 - the FrameSource interface's name
        if not self._config.path:
            raise CameraError('source:=file needs the path parameter (a video file)')
        capture = cv2.VideoCapture(self._config.path)
        if not capture.isOpened():
            capture.release()
            raise CameraError(f'cannot open video file {self._config.path!r}')
        file_fps = capture.get(cv2.CAP_PROP_FPS)
        self._file_fps = file_fps if file_fps > 0 else None
        self._capture = capture

    def read(self) -> Frame:
        if self._capture is None:
            raise CameraError('video file source read before open()')
        ok, image = self._capture.read()
        if not ok and self._config.loop:
            self._capture.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._capture.read()
        if not ok or image is None:
            if self._config.loop:
                raise CameraError(f'video file {self._config.path!r} has no readable frame')
            raise EndOfStream(f'end of video file {self._config.path!r}')
        return Frame(image=image, stamp_ns=time.time_ns())

    def close(self) -> None:
        capture, self._capture = self._capture, None
        if capture is not None:
            capture.release()


#: The ``source`` parameter's values and the class each one builds.
SOURCES: Dict[str, Type[FrameSource]] = {
    'picamera2': Picamera2Source,
    'v4l2': V4L2Source,
    'file': VideoFileSource,
}


def make_source(name: str, config: SourceConfig) -> FrameSource:
    """Build the source registered under ``name``; ValueError names the known ones."""
    try:
        factory = SOURCES[name]
    except KeyError:
        raise ValueError(
            f'unknown camera source {name!r}; known: {", ".join(sorted(SOURCES))}') from None
    return factory(config)
