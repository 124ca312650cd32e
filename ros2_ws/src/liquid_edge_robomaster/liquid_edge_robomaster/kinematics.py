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
Kinematic model of the Robomaster S1 for the simulation: deterministic, no ROS.

The mecanum chassis follows any planar twist (vx, vy, wz) in its body frame, reaching it
under acceleration limits; the pose is integrated in the odom frame (REP-105). The gimbal
yaw and pitch follow their rate commands within the S1's travel (yaw +-250 deg, pitch -30..25
deg in ROS sign), and stop at the limits, as the real gimbal does.
"""

import math

from .chassis import ChassisVelocity, STOP
from .gimbal import GimbalRates, HOLD, PITCH_MAX, PITCH_MIN, YAW_LIMIT
from .robot_state import RobotState

#: Default limits, near what an S1 on a hard floor manages.
DEFAULT_LINEAR_ACCELERATION = 2.0   # m/s^2
DEFAULT_ANGULAR_ACCELERATION = 8.0  # rad/s^2


def _approach(current: float, target: float, max_change: float) -> float:
    return current + max(-max_change, min(max_change, target - current))


def wrap_angle(angle: float) -> float:
    """Angle in (-pi, pi]."""
    wrapped = math.remainder(angle, 2.0 * math.pi)
    return math.pi if wrapped == -math.pi else wrapped


class S1Kinematics:
    """Integrates the S1's chassis and gimbal from rate commands; call :meth:`step` with dt."""

    def __init__(self, linear_acceleration: float = DEFAULT_LINEAR_ACCELERATION,
                 angular_acceleration: float = DEFAULT_ANGULAR_ACCELERATION,
                 initial: RobotState = RobotState()):
        if linear_acceleration <= 0.0 or angular_acceleration <= 0.0:
            raise ValueError('acceleration limits must be positive')
        self._linear_acceleration = linear_acceleration
        self._angular_acceleration = angular_acceleration
        self._state = initial
        self._command = STOP
        self._gimbal_command = HOLD

    @property
    def state(self) -> RobotState:
        """Return the current state."""
        return self._state

    def command(self, velocity: ChassisVelocity) -> None:
        """Set the body twist the chassis drives towards."""
        self._command = velocity

    def command_gimbal(self, rates: GimbalRates) -> None:
        """Set the gimbal rates (rad/s, ROS convention)."""
        self._gimbal_command = rates

    def step(self, dt: float) -> RobotState:
        """Advance by ``dt`` seconds and return the new state."""
        if dt < 0.0:
            raise ValueError(f'dt must not be negative, got {dt}')
        state = self._state
        linear_change = self._linear_acceleration * dt
        angular_change = self._angular_acceleration * dt
        velocity = ChassisVelocity(
            vx=_approach(state.velocity.vx, self._command.vx, linear_change),
            vy=_approach(state.velocity.vy, self._command.vy, linear_change),
            wz=_approach(state.velocity.wz, self._command.wz, angular_change))
        # The step's new twist, rotated at the mid-step heading (semi-implicit): exact on
        # straight lines and in place, second order on arcs.
        vx, vy, wz = velocity.vx, velocity.vy, velocity.wz
        heading = state.yaw + 0.5 * wz * dt
        cos_h, sin_h = math.cos(heading), math.sin(heading)
        gimbal_yaw = state.gimbal_yaw + self._gimbal_command.yaw * dt
        gimbal_pitch = state.gimbal_pitch + self._gimbal_command.pitch * dt
        self._state = RobotState(
            x=state.x + (vx * cos_h - vy * sin_h) * dt,
            y=state.y + (vx * sin_h + vy * cos_h) * dt,
            yaw=wrap_angle(state.yaw + wz * dt),
            velocity=velocity,
            gimbal_yaw=max(-YAW_LIMIT, min(YAW_LIMIT, gimbal_yaw)),
            gimbal_pitch=max(PITCH_MIN, min(PITCH_MAX, gimbal_pitch)))
        return self._state
