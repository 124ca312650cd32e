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

"""Speeds on the local standby edge: scaled while on it, unchanged otherwise, bad scale refused."""
from liquid_edge_follow.control import Velocity
from liquid_edge_follow.local_standby import standby_velocity
import pytest


def test_speeds_are_scaled_only_on_the_local_edge():
    velocity = Velocity(linear_x=0.6, linear_y=-0.2, angular_z=1.0)
    assert standby_velocity(velocity, False, 0.5) == velocity
    assert standby_velocity(velocity, True, 0.5) == pytest.approx((0.3, -0.1, 0.5))
    assert standby_velocity(velocity, True, 1.0) == velocity


@pytest.mark.parametrize('scale', [0.0, -0.5, 1.5, float('nan')])
def test_a_scale_outside_zero_to_one_is_refused(scale):
    with pytest.raises(ValueError, match='local_speed_scale must be in'):
        standby_velocity(Velocity(), True, scale)
