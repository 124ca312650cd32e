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

"""Capture knobs: quality, size and rate applied at capture where the camera can."""
import sys
import types

import cv2
from liquid_edge_camera import sources
from liquid_edge_camera.jpeg import encode_frame
from liquid_edge_camera.sources import (CaptureSettings, Picamera2Source, SourceConfig,
                                        V4L2Source, VideoFileSource)
import numpy as np
import pytest

SMALL = CaptureSettings(quality=50, width=320, height=240, fps=7.5)


class FakeVideoCapture:
    """A V4L2 driver that offers only 640x480 and 320x240, at 30 frames/s at most."""

    def __init__(self, device, api):
        self.props = {cv2.CAP_PROP_FRAME_WIDTH: 640, cv2.CAP_PROP_FRAME_HEIGHT: 480,
                      cv2.CAP_PROP_FPS: 30.0}

    def isOpened(self):  # noqa: N802 - OpenCV's name
        return True

    def set(self, prop, value):  # noqa: A003 - OpenCV's name
        if prop == cv2.CAP_PROP_FRAME_WIDTH:
            value = 320 if value <= 320 else 640
        elif prop == cv2.CAP_PROP_FRAME_HEIGHT:
            value = 240 if value <= 240 else 480
        elif prop == cv2.CAP_PROP_FPS:
            value = min(value, 30.0)
        self.props[prop] = value
        return True

    def get(self, prop):
        return self.props[prop]

    def release(self):
        pass


class FakePicamera2:
    """Records what picamera2 is told."""

    instances = []

    def __init__(self):
        self.calls = []
        FakePicamera2.instances.append(self)

    def create_video_configuration(self, main, controls):
        return {'main': main, 'controls': controls}

    def configure(self, configuration):
        self.calls.append(('configure', configuration['main']['size'],
                           configuration['controls']['FrameRate']))

    def start(self):
        self.calls.append(('start',))

    def stop(self):
        self.calls.append(('stop',))

    def close(self):
        pass


@pytest.mark.parametrize('kwargs, message', [
    ({'quality': 0}, '1..100'), ({'width': 8}, 'outside 16..4096'), ({'fps': 0.0}, 'fps')])
def test_bad_capture_settings_are_refused(kwargs, message):
    values = {'quality': 80, 'width': 640, 'height': 480, 'fps': 15.0, **kwargs}
    with pytest.raises(ValueError, match=message):
        CaptureSettings(**values)


def test_a_file_source_leaves_scaling_to_the_encoder(video_file):
    source = VideoFileSource(SourceConfig(path=str(video_file)))
    assert not source.scales_at_capture
    assert source.apply(SMALL) == SMALL
    source.open()
    frame = source.read()
    source.close()
    big = encode_frame(frame.image, 95, 640, 480)
    small = encode_frame(frame.image, SMALL.quality, 160, 120)
    decoded = cv2.imdecode(np.frombuffer(small, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (120, 160, 3)
    assert len(small) < len(big)


def test_v4l2_asks_the_driver_and_reports_what_it_granted(monkeypatch):
    monkeypatch.setattr(sources.cv2, 'VideoCapture', FakeVideoCapture)
    source = V4L2Source(SourceConfig(width=640, height=480, fps=15.0))
    assert source.scales_at_capture
    source.open()
    granted = source.apply(CaptureSettings(quality=60, width=300, height=200, fps=60.0))
    assert granted == CaptureSettings(quality=60, width=320, height=240, fps=30.0)
    source.close()


def test_v4l2_settings_before_open_are_used_at_open(monkeypatch):
    monkeypatch.setattr(sources.cv2, 'VideoCapture', FakeVideoCapture)
    source = V4L2Source(SourceConfig())
    assert source.apply(SMALL) == SMALL
    source.open()
    assert source._capture.get(cv2.CAP_PROP_FRAME_WIDTH) == 320
    assert source._capture.get(cv2.CAP_PROP_FPS) == 7.5
    source.close()


def test_picamera2_is_reconfigured_while_running(monkeypatch):
    monkeypatch.setitem(sys.modules, 'picamera2', types.SimpleNamespace(Picamera2=FakePicamera2))
    source = Picamera2Source(SourceConfig(width=640, height=480, fps=15.0))
    source.open()
    camera = FakePicamera2.instances[-1]
    assert source.apply(SMALL) == SMALL
    assert camera.calls == [('configure', (640, 480), 15.0), ('start',), ('stop',),
                            ('configure', (320, 240), 7.5), ('start',)]
    source.close()
