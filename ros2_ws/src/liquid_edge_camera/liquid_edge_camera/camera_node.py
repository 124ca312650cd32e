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
Camera node: frames from a :class:`FrameSource`, published as JPEG with their CameraInfo.

Publishes ``camera/image_raw/compressed`` (sensor_msgs/CompressedImage, format ``jpeg``, the
image_transport ``compressed`` topic of ``camera/image_raw``) and ``camera/camera_info``, both
with sensor-data QoS and the capture time as stamp, and ``/diagnostics``. A camera that is
missing or fails is reported (log once per change, diagnostics ERROR) and reopened with
back-off; the node stays up.

``camera/capture_settings`` (liquid_edge_interfaces/CaptureSettings, latched, from the edge
bridge) sets the JPEG quality, size and rate for the link: the source applies what it can at
capture, the node encodes at the granted size, re-times its timer and scales CameraInfo.

A lifecycle node (``ros2 lifecycle set /camera configure``, ...) that brings itself up unless
``autostart`` is false: configure validates the parameters and builds the source (a
calibration for another size fails it), activate opens the source and publishes, deactivate
stops the capture, cleanup releases the source. ``/diagnostics`` is published in every state.
"""

import time
from typing import List, Optional

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from liquid_edge_interfaces.msg import CaptureSettings as CaptureSettingsMsg
from liquid_edge_toolkit.lifecycle import LifecycleNode
from liquid_edge_toolkit.main import run_node
from liquid_edge_toolkit.parameters import add_parameter_callbacks, descriptor
from liquid_edge_toolkit.qos import LATCHED, SENSOR_DATA
from rclpy.lifecycle import LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.time import Time
from sensor_msgs.msg import CameraInfo, CompressedImage

from .calibration import (
    calibration_from_fov, CalibrationError, CameraCalibration, load_calibration_file,
    scale_calibration)
from .jpeg import encode_frame
from .pacing import frame_period, RateMeter, RetrySchedule
from .sources import (CameraError, CaptureSettings, EndOfStream, FrameSource, make_source,
                      SourceConfig, SOURCES)

_OK = DiagnosticStatus.OK
_WARN = DiagnosticStatus.WARN
_ERROR = DiagnosticStatus.ERROR


def calibration_to_msg(calibration: CameraCalibration, frame_id: str) -> CameraInfo:
    """Copy a calibration into a CameraInfo (stamp left for the caller)."""
    info = CameraInfo()
    info.header.frame_id = frame_id
    info.width = calibration.width
    info.height = calibration.height
    info.distortion_model = calibration.distortion_model
    info.d = list(calibration.d)
    info.k = list(calibration.k)
    info.r = list(calibration.r)
    info.p = list(calibration.p)
    return info


class CameraNode(LifecycleNode):
    """
    Publish JPEG frames from a camera source at ``fps``.

    :param source: a ready :class:`FrameSource` (the simulated camera); when given, the
        ``source``, ``device``, ``path`` and ``loop`` parameters are not used.
    :param kwargs: passed to :class:`rclpy.lifecycle.LifecycleNode` (``parameter_overrides``,
        ``namespace``, ``context``, ...).

    A lifecycle node: configure reads the parameters, loads the calibration and builds the
    source; activate opens it, subscribes to the capture settings and publishes; deactivate
    stops the capture (the source is closed); cleanup releases the source and the publishers.
    """

    def __init__(self, source: Optional[FrameSource] = None, **kwargs):
        super().__init__('camera', **kwargs)
        self._given_source = source
        self._source: Optional[FrameSource] = None
        self._is_open = False
        self._timer = None
        # What activate creates and deactivate destroys; what configure creates and cleanup
        # destroys. Not _subscriptions/_publishers: rclpy's Node keeps its own lists there.
        self._inputs = []
        self._outputs = []
        self._frames_published = 0
        self._rate = RateMeter()
        # A state chosen through the lifecycle is OK; a camera that fails is an ERROR.
        self._status = (_OK, 'unconfigured')
        add_parameter_callbacks(self, self._check_parameter, self._apply_parameters)
        self._declare_parameters()
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self.create_timer(1.0, self._publish_diagnostics)

    # Lifecycle: configure builds the source, activate captures and publishes, deactivate
    # stops the capture, cleanup releases the source.

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Read the parameters, load the calibration, build the source and the publishers."""
        def value(name):
            return self.get_parameter(name).value

        self._width = value('width')
        self._height = value('height')
        self._fps = value('fps')
        self._jpeg_quality = value('jpeg_quality')
        self._frame_id = value('frame_id')
        self._use_source_fps = value('use_source_fps')
        try:
            self._calibration = self._load_calibration()
        except CalibrationError as error:
            self._set_status(_ERROR, str(error))
            return TransitionCallbackReturn.FAILURE
        self._base_calibration = self._calibration
        self._source = self._given_source
        if self._source is None:
            self._source = make_source(value('source'), SourceConfig(
                width=self._width, height=self._height, fps=self._fps,
                device=value('device'), path=value('path'), loop=value('loop')))
        self._image_pub = self.create_publisher(
            CompressedImage, 'camera/image_raw/compressed', SENSOR_DATA)
        self._info_pub = self.create_publisher(CameraInfo, 'camera/camera_info', SENSOR_DATA)
        self._outputs = [self._image_pub, self._info_pub]
        self._set_status(_OK, 'inactive: not capturing')
        self.get_logger().info(
            f'camera: {self._source.description}, {self._width}x{self._height} '
            f'at {1.0 / self._period():.1f} fps, JPEG quality {self._jpeg_quality}')
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Open the source (with back-off if it fails), take capture settings, publish."""
        self._finished = False
        self._retry = RetrySchedule(initial=0.5, maximum=5.0)
        self._inputs.append(self.create_subscription(
            CaptureSettingsMsg, 'camera/capture_settings', self._on_capture_settings, LATCHED))
        self._open_source()
        self._restart_timer()
        return TransitionCallbackReturn.SUCCESS

    def _stop(self) -> None:
        """Deactivate: stop publishing and close the source."""
        if self._timer is not None:
            self.destroy_timer(self._timer)
            self._timer = None
        self._destroy_entities(self._inputs)
        self._inputs = []
        self._close_source()
        if self._source is not None and self.context.ok():
            self._set_status(_OK, 'inactive: not capturing')

    def _release(self) -> None:
        """Cleanup: release the source and the publishers."""
        self._destroy_entities(self._outputs)
        self._outputs = []
        self._source = None
        if self.context.ok():
            self._set_status(_OK, 'unconfigured')

    def _declare_parameters(self) -> None:
        self.declare_parameters('', [
            ('source', 'picamera2', descriptor(
                f'camera source: {", ".join(sorted(SOURCES))}; ignored when the node is '
                'given a source object (simulation)', read_only=True)),
            ('device', '0', descriptor(
                'V4L2 device: an index ("0") or a path ("/dev/video0")', read_only=True)),
            ('path', '', descriptor('video file for source:=file', read_only=True)),
            ('loop', True, descriptor(
                'source:=file: restart the file at its end instead of stopping',
                read_only=True)),
            ('use_source_fps', False, descriptor(
                "source:=file: publish at the file's own frame rate instead of fps",
                read_only=True)),
            ('width', 640, descriptor(
                'published image width, pixels', read_only=True, integer_range=(16, 4096))),
            ('height', 480, descriptor(
                'published image height, pixels', read_only=True, integer_range=(16, 4096))),
            ('fps', 15.0, descriptor(
                'publishing rate, Hz (0.1 to 90)', float_range=(0.1, 90.0))),
            ('jpeg_quality', 80, descriptor(
                'JPEG quality 1..100; 80 makes a 640x480 photo about 47 KB against 144 KB at '
                'the original 98: a third of the radio bandwidth and transfer latency',
                integer_range=(1, 100))),
            ('frame_id', 'camera_optical_frame', descriptor(
                'frame_id of the images (REP-103 optical frame)')),
            ('camera_info_file', '', descriptor(
                'camera_calibration YAML (path or file:// URL); empty: intrinsics from '
                'horizontal_fov', read_only=True)),
            ('horizontal_fov', 1.085, descriptor(
                'horizontal field of view, rad, used without a calibration file '
                '(Raspicam v2: 62.2 deg)', read_only=True, float_range=(0.1, 3.0))),
        ])

    def _check_parameter(self, parameter: Parameter) -> str:
        """Return why a value is refused, or '' (ranges are checked by the descriptors)."""
        if parameter.name == 'source' and self._given_source is None \
                and parameter.value not in SOURCES:
            return (f'source {parameter.value!r} is unknown; use one of '
                    f'{", ".join(sorted(SOURCES))}')
        if parameter.name == 'device' and not str(parameter.value).strip():
            return 'device must be a V4L2 index ("0") or a device path'
        if parameter.name == 'frame_id' and not str(parameter.value).strip():
            return 'frame_id must not be empty'
        return ''

    def _apply_parameters(self, parameters: List[Parameter]) -> None:
        """Take a run-time change of fps, jpeg_quality or frame_id into use (configured)."""
        if self._source is None:
            return  # read by on_configure
        for parameter in parameters:
            if parameter.name == 'fps':
                self._fps = parameter.value
                if self._timer is not None:
                    self._restart_timer()
            elif parameter.name == 'jpeg_quality':
                self._jpeg_quality = parameter.value
            elif parameter.name == 'frame_id':
                self._frame_id = parameter.value

    def _on_capture_settings(self, message: CaptureSettingsMsg) -> None:
        """Capture, encode and publish at the settings the bridge chose for the link."""
        try:
            asked = CaptureSettings(quality=message.quality, width=message.width,
                                    height=message.height, fps=message.fps)
        except ValueError as error:
            self.get_logger().warning(f'camera: capture settings refused: {error}')
            return
        try:
            granted = self._source.apply(asked)
        except CameraError as error:
            self._close_source()
            self._retry.record_failure(time.monotonic())
            self._set_status(_ERROR, f'{error}; reopening with back-off')
            return
        self._jpeg_quality = granted.quality
        self._width, self._height = granted.width, granted.height
        self._calibration = scale_calibration(self._base_calibration, granted.width,
                                              granted.height)
        if granted.fps != self._fps:
            self._fps = granted.fps
            self._restart_timer()
        self.get_logger().info(
            f'camera: capture settings {granted.width}x{granted.height} at {granted.fps:g} '
            f'fps, JPEG quality {granted.quality}')

    def _load_calibration(self) -> CameraCalibration:
        location = self.get_parameter('camera_info_file').value
        if not location:
            return calibration_from_fov(
                self._width, self._height, self.get_parameter('horizontal_fov').value)
        calibration = load_calibration_file(location)
        if (calibration.width, calibration.height) != (self._width, self._height):
            raise CalibrationError(
                f'camera: calibration {location!r} is for {calibration.width}x'
                f'{calibration.height} but width x height is {self._width}x{self._height}')
        return calibration

    def _period(self) -> float:
        source_fps = self._source.nominal_fps if self._is_open else None
        return frame_period(self._fps, source_fps, self._use_source_fps)

    def _restart_timer(self) -> None:
        if self._timer is not None:
            self.destroy_timer(self._timer)
        self._timer = self.create_timer(self._period(), self._on_tick)

    def _set_status(self, level: bytes, message: str) -> None:
        """Record the camera state; log and publish diagnostics only when it changes."""
        if (level, message) == self._status:
            return
        self._status = (level, message)
        # rclpy ties a severity to each logging call site, hence one call per level.
        if level == _OK:
            self.get_logger().info(f'camera: {message}')
        elif level == _WARN:
            self.get_logger().warning(f'camera: {message}')
        else:
            self.get_logger().error(f'camera: {message}')
        self._publish_diagnostics()

    def _on_tick(self) -> None:
        if self._finished:
            return
        if not self._is_open and not self._open_source():
            return
        try:
            frame = self._source.read()
        except EndOfStream as end:
            self._close_source()
            self._finished = True
            self._set_status(_WARN, f'{end}; no more frames')
            return
        except CameraError as error:
            self._close_source()
            self._retry.record_failure(time.monotonic())
            self._set_status(_ERROR, f'{error}; reopening with back-off')
            return
        try:
            self._publish(frame.image, frame.stamp_ns)
        except ValueError as error:
            self._set_status(_ERROR, f'{self._source.description} gave a bad frame: {error}')
            return
        self._set_status(_OK, f'streaming from {self._source.description}')

    def _open_source(self) -> bool:
        now = time.monotonic()
        if not self._retry.ready(now):
            return False
        try:
            self._source.open()
        except CameraError as error:
            self._retry.record_failure(now)
            self._set_status(_ERROR, f'{error}; retrying with back-off')
            return False
        self._is_open = True
        self._retry.record_success()
        self._rate.reset()
        if self._use_source_fps and self._timer is not None:
            self._restart_timer()
        return True

    def _close_source(self) -> None:
        self._is_open = False
        if self._source is not None:
            self._source.close()

    def _publish(self, image, stamp_ns: int) -> None:
        stamp = Time(nanoseconds=stamp_ns).to_msg()
        image_msg = CompressedImage()
        image_msg.header.stamp = stamp
        image_msg.header.frame_id = self._frame_id
        image_msg.format = 'jpeg'
        image_msg.data = encode_frame(image, self._jpeg_quality, self._width, self._height)
        info_msg = calibration_to_msg(self._calibration, self._frame_id)
        info_msg.header.stamp = stamp
        self._image_pub.publish(image_msg)
        self._info_pub.publish(info_msg)
        self._frames_published += 1
        self._rate.add(time.monotonic())

    def _publish_diagnostics(self) -> None:
        level, message = self._status
        status = DiagnosticStatus(
            level=level, name=f'{self.get_fully_qualified_name()}: camera',
            hardware_id=self._source.description if self._source is not None else 'none',
            message=message)
        status.values = [
            KeyValue(key='frames_published', value=str(self._frames_published)),
            KeyValue(key='measured_fps', value=f'{self._rate.rate:.2f}'),
        ]
        if self._source is not None:
            status.values += [
                KeyValue(key='target_fps', value=f'{1.0 / self._period():.2f}'),
                KeyValue(key='size', value=f'{self._width}x{self._height}'),
                KeyValue(key='jpeg_quality', value=str(self._jpeg_quality)),
            ]
        array = DiagnosticArray(status=[status])
        array.header.stamp = self.get_clock().now().to_msg()
        self._diagnostics_pub.publish(array)


def main(args=None) -> int:
    """Run the camera node until shutdown; exit 1 with one message on bad settings."""
    return run_node(CameraNode, 'camera', args)
