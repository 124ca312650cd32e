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

from liquid_edge_robomaster.chassis import ChassisVelocity
from liquid_edge_robomaster.deadman import DeadManSwitch
from liquid_edge_robomaster.gimbal import GimbalRates, PITCH_MAX, YAW_LIMIT
from liquid_edge_robomaster.kinematics import S1Kinematics, wrap_angle
from liquid_edge_robomaster.robot_state import RobotState
import pytest


def test_deadman_silent_before_any_command():
    assert not DeadManSwitch(0.3).should_stop(100.0)


def test_deadman_stops_once_after_timeout():
    switch = DeadManSwitch(0.3)
    switch.command_received(10.0)
    assert not switch.should_stop(10.29)
    assert switch.engaged
    assert switch.should_stop(10.31)
    assert not switch.should_stop(10.5)
    assert not switch.engaged
    switch.command_received(11.0)
    assert switch.should_stop(11.4)


def test_deadman_fresh_commands_keep_it_engaged():
    switch = DeadManSwitch(0.3)
    for step in range(20):
        switch.command_received(step * 0.1)
        assert not switch.should_stop(step * 0.1 + 0.05)


def test_deadman_refuses_non_positive_timeout():
    with pytest.raises(ValueError, match='positive'):
        DeadManSwitch(0.0)


def instant_model(**kwargs):
    """Return a model whose acceleration limits are out of the way."""
    return S1Kinematics(linear_acceleration=1e9, angular_acceleration=1e9, **kwargs)


def run(model, seconds, dt=0.01):
    for _ in range(round(seconds / dt)):
        model.step(dt)
    return model.state


def test_straight_line_integrates_v_times_t():
    model = instant_model()
    model.command(ChassisVelocity(vx=0.5))
    state = run(model, 2.0)
    assert state.x == pytest.approx(1.0, abs=1e-6)
    assert state.y == pytest.approx(0.0, abs=1e-9)


def test_sideways_motion_is_body_frame():
    model = instant_model(initial=RobotState(yaw=math.pi / 2))
    model.command(ChassisVelocity(vx=1.0, vy=0.5))
    state = run(model, 1.0)
    # Facing +y: forward is +y, left is -x.
    assert state.y == pytest.approx(1.0, abs=1e-6)
    assert state.x == pytest.approx(-0.5, abs=1e-6)


def test_rotation_integrates_yaw_counter_clockwise():
    model = instant_model()
    model.command(ChassisVelocity(wz=1.0))
    assert run(model, 1.0).yaw == pytest.approx(1.0, abs=1e-6)


def test_circle_closes():
    model = instant_model()
    model.command(ChassisVelocity(vx=1.0, wz=1.0))
    state = run(model, 2.0 * math.pi, dt=0.001)
    assert math.hypot(state.x, state.y) < 0.01


def test_acceleration_limit():
    model = S1Kinematics(linear_acceleration=2.0, angular_acceleration=8.0)
    model.command(ChassisVelocity(vx=1.0, wz=4.0))
    state = model.step(0.1)
    assert state.velocity.vx == pytest.approx(0.2)
    assert state.velocity.wz == pytest.approx(0.8)
    state = run(model, 1.0)
    assert state.velocity.vx == pytest.approx(1.0)


def test_gimbal_follows_rates_and_stops_at_limits():
    model = instant_model()
    model.command_gimbal(GimbalRates(yaw=1.0, pitch=0.1))
    state = run(model, 1.0)
    assert state.gimbal_yaw == pytest.approx(1.0)
    assert state.gimbal_pitch == pytest.approx(0.1)
    state = run(model, 10.0)
    assert state.gimbal_yaw == pytest.approx(YAW_LIMIT)
    assert state.gimbal_pitch == pytest.approx(PITCH_MAX)


def test_negative_dt_is_refused():
    with pytest.raises(ValueError, match='dt'):
        instant_model().step(-0.1)


def test_wrap_angle():
    assert wrap_angle(3 * math.pi / 2) == pytest.approx(-math.pi / 2)
    assert wrap_angle(-math.pi) == pytest.approx(math.pi)
