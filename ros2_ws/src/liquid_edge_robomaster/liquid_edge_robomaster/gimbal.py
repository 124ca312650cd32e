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
Gimbal: speed caps, angle limits and the SDK conversion. No ROS.

ROS (GimbalCommand, joint_states): yaw counter-clockwise positive, pitch positive down
(REP-103 rotation about y), rad and rad/s.
Robomaster SDK (DJI convention): yaw positive to the right (clockwise), pitch positive up,
degrees and deg/s. Both axes therefore change sign.
"""

import dataclasses
import math
from typing import Tuple

#: S1 gimbal travel relative to the chassis, ROS convention (the SDK's moveto ranges:
#: yaw [-250, 250] deg, pitch [-25, 30] deg with up positive).
YAW_LIMIT = math.radians(250.0)
PITCH_MIN = math.radians(-30.0)
PITCH_MAX = math.radians(25.0)
SDK_MAX_SPEED_DEG = 360.0


@dataclasses.dataclass(frozen=True)
class GimbalRates:
    """Gimbal angular speeds, rad/s, ROS convention."""

    yaw: float = 0.0
    pitch: float = 0.0


HOLD = GimbalRates()


def cap_rates(rates: GimbalRates, max_rate: float) -> GimbalRates:
    """Clamp each axis to ``max_rate``; ValueError for a non-finite rate."""
    if not (math.isfinite(rates.yaw) and math.isfinite(rates.pitch)):
        raise ValueError(f'gimbal rates must be finite, got {rates}')
    return GimbalRates(
        yaw=max(-max_rate, min(max_rate, rates.yaw)),
        pitch=max(-max_rate, min(max_rate, rates.pitch)))


def to_sdk_speed(rates: GimbalRates) -> Tuple[float, float]:
    """Return ``gimbal.drive_speed`` arguments (pitch_speed, yaw_speed) in deg/s."""
    def clip(value: float) -> float:
        return max(-SDK_MAX_SPEED_DEG, min(SDK_MAX_SPEED_DEG, value))

    return clip(-math.degrees(rates.pitch)), clip(-math.degrees(rates.yaw))


def angles_from_sdk(pitch_deg: float, yaw_deg: float) -> Tuple[float, float]:
    """SDK gimbal angles (deg) to ROS (yaw, pitch) in rad."""
    return -math.radians(yaw_deg), -math.radians(pitch_deg)
