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

"""Re-encoding a probe frame to the size and quality the remote link allows."""
import cv2
from liquid_edge_bridge.encoding_controller import EncodingSettings
from liquid_edge_bridge.reencode import reencode_jpeg
import numpy as np
import pytest


def camera_jpeg(quality=95):
    """Return a 640x480 frame with detail, as the camera sends it."""
    rng = np.random.default_rng(0)
    image = cv2.resize(rng.integers(0, 255, (60, 80, 3), dtype=np.uint8), (640, 480))
    cv2.putText(image, 'LIQUID EDGE', (40, 240), cv2.FONT_HERSHEY_SIMPLEX, 2, (255, 255, 255), 3)
    return cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, quality])[1].tobytes()


def test_the_probe_gets_the_size_and_quality_asked_for():
    original = camera_jpeg()
    smaller = reencode_jpeg(original, EncodingSettings(quality=50, width=320, height=240,
                                                       fps=15.0))
    decoded = cv2.imdecode(np.frombuffer(smaller, np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (240, 320, 3)
    assert len(smaller) < len(original) / 4


def test_the_same_size_is_only_re_encoded():
    lower = reencode_jpeg(camera_jpeg(), EncodingSettings(quality=40, width=640, height=480,
                                                          fps=5.0))
    assert cv2.imdecode(np.frombuffer(lower, np.uint8), cv2.IMREAD_COLOR).shape == (480, 640, 3)
    assert len(lower) < len(camera_jpeg())


def test_a_frame_that_is_not_a_jpeg_is_refused_with_the_reason():
    with pytest.raises(ValueError, match='cannot decode the 7-byte frame'):
        reencode_jpeg(b'not jpg', EncodingSettings(quality=50, width=320, height=240, fps=5.0))
