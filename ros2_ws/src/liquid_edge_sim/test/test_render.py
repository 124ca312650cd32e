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

from dataclasses import replace
import math

from liquid_edge_sim.people import astronaut_cutout
from liquid_edge_sim.render import CameraModel, CameraPose, SceneRenderer
from liquid_edge_sim.world import Person, WalkingPath, Waypoint, World
import numpy as np
import pytest


def standing_at(x, y, person_id='a'):
    return Person(person_id, astronaut_cutout(),
                  WalkingPath([Waypoint(x, y, 1.0), Waypoint(x, y + 1e-6)], 1.0))


@pytest.fixture(scope='module')
def empty_renderer():
    return SceneRenderer(World([]))


def render_one(x, y, pose=CameraPose(), camera=CameraModel()):
    renderer = SceneRenderer(World([standing_at(x, y)]), camera)
    return renderer.render(0.0, pose)


def test_camera_model_is_the_raspicam_v2():
    camera = CameraModel()
    assert (camera.width, camera.height) == (640, 480)
    assert camera.focal_length == pytest.approx(320.0 / math.tan(math.radians(31.1)))
    assert camera.camera_matrix()[2] == 320.0 and camera.camera_matrix()[5] == 240.0


@pytest.mark.parametrize('kwargs', [{'width': 8}, {'horizontal_fov': 0.0},
                                    {'horizontal_fov': math.pi}, {'mount_height': 0.0}])
def test_bad_camera_is_refused(kwargs):
    with pytest.raises(ValueError):
        CameraModel(**kwargs)


def test_frame_is_a_bgr_image(empty_renderer):
    frame, people = empty_renderer.render(0.0, CameraPose())
    assert frame.shape == (480, 640, 3) and frame.dtype == np.uint8
    assert frame.flags['C_CONTIGUOUS']
    assert people == []


def test_background_turns_with_the_camera(empty_renderer):
    ahead, _ = empty_renderer.render(0.0, CameraPose(yaw=0.0))
    turned, _ = empty_renderer.render(0.0, CameraPose(yaw=0.3))
    full_turn, _ = empty_renderer.render(0.0, CameraPose(yaw=2.0 * math.pi))
    turn_change = np.mean(np.abs(ahead.astype(int) - turned.astype(int)))
    full_turn_change = np.mean(np.abs(ahead.astype(int) - full_turn.astype(int)))
    assert turn_change > 1.0
    assert full_turn_change == 0.0


def test_person_ahead_is_centred_and_scaled_by_distance():
    _, near = render_one(2.0, 0.0)
    _, far = render_one(4.0, 0.0)
    assert near[0].centre_x == pytest.approx(320.0)
    f = CameraModel().focal_length
    assert near[0].full_height == pytest.approx(f * 0.9 / near[0].distance)
    assert near[0].full_height == pytest.approx(2.0 * far[0].full_height, rel=0.05)
    assert near[0].distance == pytest.approx(2.0)


def test_projection_follows_the_pinhole_model():
    f = CameraModel().focal_length
    _, people = render_one(3.0, 0.5)  # left of the axis: left in the image
    assert people[0].centre_x == pytest.approx(320.0 - f * 0.5 / 3.0)
    # 1.0 m above the camera (centre 1.3 m, camera 0.3 m): above the image centre.
    assert people[0].centre_y == pytest.approx(240.0 - f * 1.0 / 3.0)


def test_robot_pose_and_yaw_move_the_person_in_the_image():
    # The robot 1 m ahead, turned left by 0.2 rad: the person ahead drifts right.
    _, people = render_one(3.0, 0.0, CameraPose(x=1.0, yaw=0.2))
    assert people[0].centre_x > 320.0
    assert people[0].distance == pytest.approx(2.0 * math.cos(0.2))


def test_tilt_up_moves_the_person_down_in_the_image():
    _, level = render_one(3.0, 0.0)
    _, tilted = render_one(3.0, 0.0, CameraPose(tilt=0.3))
    assert tilted[0].centre_y > level[0].centre_y


def test_person_behind_the_camera_or_outside_the_view_is_not_drawn(empty_renderer):
    blank, _ = empty_renderer.render(0.0, CameraPose())
    for x, y in ((-3.0, 0.0), (0.0, 3.0)):
        frame, people = render_one(x, y)
        assert people == []
        assert np.array_equal(frame, blank)


def test_person_at_the_edge_is_cut_by_the_frame():
    frame, people = render_one(2.0, 1.2)
    x, y, w, h = people[0].box
    assert x == 0 and w < people[0].full_width
    assert people[0].centre_x - people[0].full_width / 2.0 < 0.0


def test_nearer_person_hides_the_farther_one():
    renderer = SceneRenderer(World([standing_at(4.0, 0.0, 'far'), standing_at(2.0, 0.0, 'near')]))
    frame, people = renderer.render(0.0, CameraPose())
    assert [p.person_id for p in people] == ['far', 'near']
    alone, _ = render_one(2.0, 0.0)
    x, y, w, h = people[1].box
    # Where the near person is drawn, the frame is exactly the near person alone.
    inside = (slice(y + h // 4, y + 3 * h // 4), slice(x + w // 4, x + 3 * w // 4))
    assert np.array_equal(frame[inside], alone[inside])


def test_very_close_person_renders_only_the_visible_part():
    at_eye_level = replace(astronaut_cutout(), centre_height_m=0.3)
    person = Person('a', at_eye_level, WalkingPath([Waypoint(0.4, 0.0), Waypoint(0.4, 1e-6)], 1.0))
    frame, people = SceneRenderer(World([person])).render(0.0, CameraPose())
    assert people[0].full_height > 1000
    assert people[0].box[2] <= 640 and people[0].box[3] <= 480


def test_extreme_tilt_is_refused(empty_renderer):
    with pytest.raises(ValueError, match='tilt'):
        empty_renderer.render(0.0, CameraPose(tilt=1.5))
