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
Speeds while the robot's own standby edge sees for it (edge/active says `local`).

The local edge answers a few frames a second and later than a remote one, so the robot steers
on older news: it follows and searches at `local_speed_scale` of its speeds, turning included,
so a target does not leave the picture between two answers. An escape from an armor hit keeps
its speed. Pure logic, no ROS.
"""
import math

from liquid_edge_follow.control import Velocity


def standby_velocity(velocity: Velocity, on_local: bool, scale: float) -> Velocity:
    """Return `velocity` scaled by `scale` (0 < scale <= 1) while on the local edge."""
    if not (math.isfinite(scale) and 0.0 < scale <= 1.0):
        raise ValueError(f'local_speed_scale must be in (0, 1], got {scale}')
    if not on_local:
        return velocity
    return Velocity(linear_x=velocity.linear_x * scale, linear_y=velocity.linear_y * scale,
                    angular_z=velocity.angular_z * scale)
