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

"""What the driver publishes as odometry and joint states. No ROS import."""

import dataclasses

from .chassis import ChassisVelocity, STOP


@dataclasses.dataclass(frozen=True)
class RobotState:
    """
    Pose in odom (x, y m; yaw rad), body twist, gimbal angles relative to the chassis (rad).

    REP-103/105: x forward, y left, yaw counter-clockwise; gimbal pitch positive down.
    """

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0
    velocity: ChassisVelocity = STOP
    gimbal_yaw: float = 0.0
    gimbal_pitch: float = 0.0
