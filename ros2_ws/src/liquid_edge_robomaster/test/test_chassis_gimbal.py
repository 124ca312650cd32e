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

from liquid_edge_robomaster.armor import COLLISION, hit_from_sdk, IR
from liquid_edge_robomaster.chassis import (
    cap_velocity, ChassisVelocity, pose_from_sdk, to_sdk_speed, velocity_from_sdk)
from liquid_edge_robomaster.gimbal import (
    angles_from_sdk, cap_rates, GimbalRates, to_sdk_speed as gimbal_to_sdk_speed)
import pytest


def test_cap_keeps_direction_of_planar_speed():
    capped = cap_velocity(ChassisVelocity(vx=3.0, vy=4.0, wz=0.5), 1.0, 3.0)
    assert math.hypot(capped.vx, capped.vy) == pytest.approx(1.0)
    assert capped.vx / capped.vy == pytest.approx(0.75)
    assert capped.wz == 0.5


def test_cap_clamps_yaw_rate_both_ways():
    assert cap_velocity(ChassisVelocity(wz=5.0), 1.0, 3.0).wz == 3.0
    assert cap_velocity(ChassisVelocity(wz=-5.0), 1.0, 3.0).wz == -3.0


def test_cap_leaves_slow_commands_alone():
    velocity = ChassisVelocity(vx=0.2, vy=-0.1, wz=0.3)
    assert cap_velocity(velocity, 1.0, 3.0) == velocity


@pytest.mark.parametrize('bad', [math.nan, math.inf, -math.inf])
def test_cap_refuses_non_finite(bad):
    with pytest.raises(ValueError, match='non-finite'):
        cap_velocity(ChassisVelocity(vx=bad), 1.0, 3.0)


def test_sdk_speed_flips_y_and_yaw_and_uses_degrees():
    speed = to_sdk_speed(ChassisVelocity(vx=0.5, vy=0.2, wz=math.radians(30.0)))
    assert speed.x == 0.5
    assert speed.y == -0.2          # SDK y points right
    assert speed.z == pytest.approx(-30.0)  # SDK z is clockwise, deg/s


def test_sdk_speed_clipped_to_sdk_ranges():
    speed = to_sdk_speed(ChassisVelocity(vx=10.0, vy=-10.0, wz=-20.0))
    assert (speed.x, speed.y, speed.z) == (3.5, 3.5, 600.0)


def test_sdk_pose_and_velocity_to_ros():
    x, y, yaw = pose_from_sdk(1.0, 0.5, 90.0)
    assert (x, y) == (1.0, -0.5)
    assert yaw == pytest.approx(-math.pi / 2)
    velocity = velocity_from_sdk(0.3, 0.1, -45.0)
    assert (velocity.vx, velocity.vy) == (0.3, -0.1)
    assert velocity.wz == pytest.approx(math.pi / 4)


def test_gimbal_sdk_speed_signs():
    # ROS: yaw left (CCW) and pitch down positive; SDK: yaw right and pitch up positive.
    pitch_speed, yaw_speed = gimbal_to_sdk_speed(
        GimbalRates(yaw=math.radians(20.0), pitch=math.radians(10.0)))
    assert yaw_speed == pytest.approx(-20.0)
    assert pitch_speed == pytest.approx(-10.0)


def test_gimbal_cap_and_angles():
    assert cap_rates(GimbalRates(yaw=5.0, pitch=-5.0), 2.0) == GimbalRates(yaw=2.0, pitch=-2.0)
    with pytest.raises(ValueError, match='finite'):
        cap_rates(GimbalRates(yaw=math.nan), 2.0)
    yaw, pitch = angles_from_sdk(pitch_deg=10.0, yaw_deg=-30.0)
    assert yaw == pytest.approx(math.radians(30.0))
    assert pitch == pytest.approx(math.radians(-10.0))


@pytest.mark.parametrize('armor_id, location', [(1, 1), (2, 2), (3, 4), (4, 8), (5, 16), (6, 32)])
def test_armor_id_to_location_bit(armor_id, location):
    assert hit_from_sdk(armor_id, 'water').location == location


def test_armor_hit_type_and_bad_id():
    assert hit_from_sdk(1, 'ir').type == IR
    assert hit_from_sdk(1, 'water').type == COLLISION
    with pytest.raises(ValueError, match='1..6'):
        hit_from_sdk(7, 'ir')
