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

"""Debug image: draws on the real camera JPEG, highlights the followed target."""
import cv2
from liquid_edge_bridge.debug_image import Overlay, pick_target, render_debug_image
from liquid_edge_bridge.detections import CenteredDetection
import numpy as np
import pytest

PERSON_LEFT = CenteredDetection('person', 0, 0.9, 100.0, 200.0, 80.0, 200.0)
PERSON_RIGHT = CenteredDetection('person', 0, 0.8, 500.0, 200.0, 120.0, 240.0)
FACE = CenteredDetection('face', 0, 1.0, 100.0, 120.0, 30.0, 30.0)


def test_target_is_the_class_box_nearest_the_follower_offset():
    detections = [FACE, PERSON_LEFT, PERSON_RIGHT]
    assert pick_target(detections, 'person', 120.0) == 1
    assert pick_target(detections, 'person', 480.0) == 2
    assert pick_target(detections, 'person', None) == 2  # largest
    assert pick_target(detections, 'dog', 100.0) is None


def test_render_draws_boxes_and_the_highlighted_target():
    canvas = np.full((480, 640, 3), 255, dtype=np.uint8)
    ok, jpeg = cv2.imencode('.jpg', canvas)
    assert ok
    out = render_debug_image(jpeg.tobytes(), [PERSON_LEFT, PERSON_RIGHT], Overlay(
        state='follow', edge_name='edge-a', edge_rgb=(0.0, 1.0, 0.0), latency_s=0.042,
        fps=14.8, target_class='person', target_x_px=500.0))
    image = cv2.imdecode(np.frombuffer(out, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape == (480, 640, 3)
    left_edge = image[200, 500 - 60]      # target box border: red
    other_edge = image[200, 100 - 40]     # other box border: blue-ish
    assert left_edge[2] > 200 and left_edge[0] < 80
    assert other_edge[0] > 200 and other_edge[2] < 80
    assert image[12, 12][1] > 200  # edge colour dot


def test_undecodable_frame_is_a_clear_error():
    with pytest.raises(ValueError, match='not a decodable image'):
        render_debug_image(b'not a jpeg', [], Overlay())
