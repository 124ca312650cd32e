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

"""LED effect per state, edge colour and grey fallback."""
from liquid_edge_follow import led
from liquid_edge_follow.led import led_effect_for, NO_EDGE_COLOR
from liquid_edge_follow.state_machine import State
from liquid_edge_interfaces.msg import LEDEffect
import pytest

GREEN = (0.0, 0.78, 0.33, 1.0)


@pytest.mark.parametrize('state, effect, t1, t2', [
    (State.FOLLOW, LEDEffect.ON, None, None),
    (State.SEARCH, LEDEffect.FLASH, 0.1, 0.1),
    (State.WAKEUP, LEDEffect.FLASH, 0.5, 0.5),
    (State.IDLE, LEDEffect.BREATH, None, None),
    (State.EXPLORE, LEDEffect.SCROLLING, None, None),
    (State.HIT, LEDEffect.PULSE, 0.25, 0.25),
])
def test_effect_of_each_state(state, effect, t1, t2):
    result = led_effect_for(state, GREEN)
    assert result.effect == effect
    assert result.color == GREEN
    assert result.mask == LEDEffect.BOTTOM
    if t1 is not None:
        assert (result.t1, result.t2) == (t1, t2)


def test_grey_when_no_edge_answers():
    assert led_effect_for(State.FOLLOW).color == (0.5, 0.5, 0.5, 1.0) == NO_EDGE_COLOR


def test_effect_values_match_the_message():
    assert (led.MASK_BOTTOM, led.EFFECT_ON, led.EFFECT_BREATH, led.EFFECT_FLASH,
            led.EFFECT_SCROLLING, led.EFFECT_PULSE) == (
        LEDEffect.BOTTOM, LEDEffect.ON, LEDEffect.BREATH, LEDEffect.FLASH,
        LEDEffect.SCROLLING, LEDEffect.PULSE)


def test_every_state_has_an_effect():
    assert {led_effect_for(state).effect for state in State} >= {LEDEffect.ON}
