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

import math

from liquid_edge_camera.sources import CameraError, FrameSource
from liquid_edge_sim.people import astronaut_cutout
from liquid_edge_sim.render import CameraModel
from liquid_edge_sim.sim_camera import DEFAULT_CAMERA_TILT, SimCameraSource
from liquid_edge_sim.world import Person, WalkingPath, Waypoint, World
import pytest


class FakeClock:
    def __init__(self):
        self.now = 100.0
        self.ns = 1_000_000_000

    def monotonic(self):
        return self.now

    def wall_ns(self):
        self.ns += 1
        return self.ns


def walker():
    """Someone walking from 3 m ahead to the left at 1 m/s."""
    return World([Person('a', astronaut_cutout(),
                         WalkingPath([Waypoint(3.0, 0.0), Waypoint(3.0, 2.0)], 1.0))])


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def source(clock):
    return SimCameraSource(walker(), monotonic=clock.monotonic, wall_clock_ns=clock.wall_ns)


def test_is_a_frame_source(source):
    assert isinstance(source, FrameSource)
    assert 'simulated' in source.description


def test_read_before_open_is_a_camera_error(source):
    with pytest.raises(CameraError, match='before open'):
        source.read()


def test_frames_follow_world_time_from_open(source, clock):
    truths = []
    source.on_frame = truths.append
    source.open()
    first = source.read()
    clock.now += 0.5
    second = source.read()
    assert first.image.shape == (480, 640, 3)
    assert (truths[0].world_time, truths[1].world_time) == (0.0, 0.5)
    assert [t.stamp_ns for t in truths] == [first.stamp_ns, second.stamp_ns]
    # Walking left, the person moves left in the image.
    assert truths[1].people[0].centre_x < truths[0].people[0].centre_x


def test_camera_looks_along_chassis_plus_gimbal_yaw(source):
    source.set_robot_pose(1.0, 0.5, 0.3)
    source.set_gimbal(0.2, 0.1)
    pose = source.camera_pose()
    assert (pose.x, pose.y) == (1.0, 0.5)
    assert pose.yaw == pytest.approx(0.5)
    # Gimbal pitch is positive down (REP-103): it lowers the view from the rest tilt.
    assert pose.tilt == pytest.approx(DEFAULT_CAMERA_TILT - 0.1)


def test_turning_away_takes_the_person_out_of_view(source):
    truths = []
    source.on_frame = truths.append
    source.open()
    source.read()
    source.set_robot_pose(0.0, 0.0, math.pi)
    source.read()
    assert len(truths[0].people) == 1 and truths[1].people == ()


@pytest.mark.parametrize('setter, values', [
    ('set_robot_pose', (math.nan, 0.0, 0.0)),
    ('set_gimbal', (0.0, math.inf)),
])
def test_non_finite_pose_is_refused_and_the_last_one_kept(source, setter, values):
    before = source.camera_pose()
    with pytest.raises(ValueError, match='finite'):
        getattr(source, setter)(*values)
    assert source.camera_pose() == before


def test_unrenderable_pose_is_a_camera_error(source):
    source.open()
    source.set_gimbal(0.0, -2.0)  # looking 2.3 rad up
    with pytest.raises(CameraError, match='cannot render'):
        source.read()


def test_reopen_keeps_the_world_clock_and_follows_a_new_camera(source, clock):
    source.open()
    clock.now += 2.0
    source.close()
    source.camera = CameraModel(width=320, height=240)
    source.open()
    assert source.read().image.shape == (240, 320, 3)
    truths = []
    source.on_frame = truths.append
    source.read()
    assert truths[0].world_time == pytest.approx(2.0)
