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

"""FrameSizes: each frame's size by stamp, boxes to and from the reference pixels."""
from liquid_edge_follow.box import Box
from liquid_edge_follow.frame_sizes import FrameSizes
import numpy as np
import pytest


def test_before_any_camera_info_the_reference_is_the_frame_size():
    sizes = FrameSizes((640, 480))
    assert sizes.latest is None and sizes.size_at(1.0) == (640, 480)
    box = Box('person', 100.0, 200.0, 50.0, 80.0)
    assert sizes.to_reference(box, sizes.size_at(1.0)) == box


def test_detections_are_scaled_by_the_size_of_their_own_frame():
    sizes = FrameSizes((640, 480))
    sizes.add(1.0, (640, 480))
    sizes.add(2.0, (512, 384))   # the camera shrank its frames at 2.0 s
    # Detections of the frame of 1.5 s arrive after the change: still 640 px.
    assert sizes.size_at(1.5) == (640, 480)
    assert sizes.size_at(2.0) == sizes.size_at(2.5) == (512, 384)
    assert sizes.latest == (512, 384)
    descriptor = np.array([1.0, 0.0])
    seen = Box('person', 448.0, 208.0, 48.0, 120.0, 0.9, descriptor)
    reference = sizes.to_reference(seen, sizes.size_at(2.0))
    assert (reference.center_x, reference.center_y, reference.width, reference.height) == \
        pytest.approx((560.0, 260.0, 60.0, 150.0))
    assert reference.appearance is descriptor and reference.score == 0.9
    back = sizes.from_reference(reference, sizes.latest)
    assert (back.center_x, back.center_y, back.width, back.height) == \
        pytest.approx((448.0, 208.0, 48.0, 120.0))
    assert sizes.point_to_reference(256.0, 192.0, sizes.latest) == pytest.approx((320, 240))


def test_only_recent_frames_are_kept_and_old_or_bad_ones_ignored():
    sizes = FrameSizes((640, 480), keep=3)
    for stamp, width in ((1.0, 320), (2.0, 416), (3.0, 512), (4.0, 640)):
        sizes.add(stamp, (width, width * 3 // 4))
    sizes.add(3.5, (100, 75))     # older than the newest: ignored
    sizes.add(5.0, (0, 480))      # no size: ignored
    assert sizes.size_at(1.0) == (416, 312)   # the oldest kept
    assert sizes.latest == (640, 480)
    with pytest.raises(ValueError, match='reference size'):
        FrameSizes((0, 480))
