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
Chassis: speed caps and the conversion between REP-103 and the Robomaster SDK. No ROS.

REP-103 (ROS): x forward, y left, yaw counter-clockwise positive, SI units.
Robomaster SDK: x forward, y right, z (yaw) clockwise positive seen from above, speeds in
m/s and deg/s (``chassis.drive_speed`` docs; robomaster_ros negates y and z the same way).
"""

import dataclasses
import math
from typing import Tuple

#: Limits of ``chassis.drive_speed``: x and y in m/s, z in deg/s.
SDK_MAX_LINEAR_SPEED = 3.5
SDK_MAX_ANGULAR_SPEED_DEG = 600.0


@dataclasses.dataclass(frozen=True)
class ChassisVelocity:
    """A body-frame twist: vx, vy (m/s) and wz (rad/s), REP-103."""

    vx: float = 0.0
    vy: float = 0.0
    wz: float = 0.0


STOP = ChassisVelocity()


@dataclasses.dataclass(frozen=True)
class SdkChassisSpeed:
    """Arguments of ``chassis.drive_speed(x, y, z)``: m/s, m/s, deg/s, SDK frame."""

    x: float
    y: float
    z: float


def cap_velocity(velocity: ChassisVelocity, max_linear: float,
                 max_angular: float) -> ChassisVelocity:
    """
    Limit the planar speed to ``max_linear`` (keeping the direction) and |wz| to max_angular.

    Raises ValueError for a non-finite component, so that a corrupt command never moves the
    robot.
    """
    components = (velocity.vx, velocity.vy, velocity.wz)
    if not all(math.isfinite(value) for value in components):
        raise ValueError(f'chassis velocity has a non-finite component: {components}')
    speed = math.hypot(velocity.vx, velocity.vy)
    scale = max_linear / speed if speed > max_linear else 1.0
    return ChassisVelocity(
        vx=velocity.vx * scale, vy=velocity.vy * scale,
        wz=max(-max_angular, min(max_angular, velocity.wz)))


def to_sdk_speed(velocity: ChassisVelocity) -> SdkChassisSpeed:
    """Convert a REP-103 twist to ``drive_speed`` arguments, clipped to the SDK's ranges."""
    def clip(value: float, limit: float) -> float:
        return max(-limit, min(limit, value))

    return SdkChassisSpeed(
        x=clip(velocity.vx, SDK_MAX_LINEAR_SPEED),
        y=clip(-velocity.vy, SDK_MAX_LINEAR_SPEED),
        z=clip(-math.degrees(velocity.wz), SDK_MAX_ANGULAR_SPEED_DEG))


def pose_from_sdk(x: float, y: float, yaw_deg: float) -> Tuple[float, float, float]:
    """SDK position (m, y right) and attitude yaw (deg, clockwise) to REP-103 x, y, yaw (rad)."""
    return x, -y, -math.radians(yaw_deg)


def velocity_from_sdk(vx: float, vy: float, gyro_z_deg: float) -> ChassisVelocity:
    """SDK body velocity (m/s, y right) and yaw rate (deg/s, clockwise) to a REP-103 twist."""
    return ChassisVelocity(vx=vx, vy=-vy, wz=-math.radians(gyro_z_deg))
