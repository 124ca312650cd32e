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

import cv2
from liquid_edge_camera.jpeg import encode_jpeg, fit_to_size
from liquid_edge_camera.pacing import frame_period, RateMeter, RetrySchedule
import numpy as np
import pytest
from skimage import data


def test_frame_period_follows_fps_parameter():
    assert frame_period(10.0, 25.0, use_source_fps=False) == pytest.approx(0.1)


def test_frame_period_follows_file_rate_when_asked():
    assert frame_period(10.0, 25.0, use_source_fps=True) == pytest.approx(0.04)


def test_frame_period_falls_back_when_source_has_no_rate():
    assert frame_period(10.0, None, use_source_fps=True) == pytest.approx(0.1)


def test_frame_period_refuses_zero_fps():
    with pytest.raises(ValueError, match='fps'):
        frame_period(0.0, None, use_source_fps=False)


def test_retry_schedule_backs_off_and_resets():
    retry = RetrySchedule(initial=0.5, maximum=2.0)
    assert retry.ready(0.0)
    assert retry.record_failure(0.0) == 0.5
    assert not retry.ready(0.4)
    assert retry.ready(0.5)
    assert retry.record_failure(0.5) == 1.0
    assert retry.record_failure(1.5) == 2.0
    assert retry.record_failure(3.5) == 2.0
    retry.record_success()
    assert retry.ready(3.6)
    assert retry.record_failure(3.6) == 0.5


def test_rate_meter():
    meter = RateMeter(window=5)
    assert meter.rate == 0.0
    for index in range(10):
        meter.add(index * 0.1)
    assert meter.rate == pytest.approx(10.0)
    meter.reset()
    assert meter.rate == 0.0


def test_jpeg_round_trip_keeps_size_and_content():
    image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    resized = fit_to_size(image, 320, 240)
    assert resized.shape == (240, 320, 3)
    decoded = cv2.imdecode(np.frombuffer(encode_jpeg(resized, 90), np.uint8), cv2.IMREAD_COLOR)
    assert decoded.shape == (240, 320, 3)
    assert np.abs(decoded.astype(int) - resized.astype(int)).mean() < 6.0


def test_lower_quality_gives_fewer_bytes():
    image = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    assert len(encode_jpeg(image, 50)) < len(encode_jpeg(image, 98))


def test_jpeg_quality_out_of_range_is_refused():
    with pytest.raises(ValueError, match='1..100'):
        encode_jpeg(np.zeros((8, 8, 3), np.uint8), 101)


@pytest.mark.parametrize('bad', [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 3), np.float32),
                                 np.zeros((0, 4, 3), np.uint8), 'not an image'])
def test_bad_frames_are_refused_clearly(bad):
    with pytest.raises(ValueError, match='BGR uint8 array'):
        fit_to_size(bad, 320, 240)
