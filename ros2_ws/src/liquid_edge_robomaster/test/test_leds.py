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

from liquid_edge_interfaces.msg import LEDEffect
from liquid_edge_robomaster import leds
from liquid_edge_robomaster.leds import (
    flash_frequency, LedEffect, make_led_command, sdk_led_calls, SdkLedCall)
import pytest


def test_effect_and_mask_numbers_match_the_message():
    for effect in LedEffect:
        assert getattr(LEDEffect, effect.name) == effect.value
    for name in ('BOTTOM_BACK', 'BOTTOM_FRONT', 'BOTTOM_LEFT', 'BOTTOM_RIGHT', 'BOTTOM',
                 'TOP_LEFT', 'TOP_RIGHT', 'TOP', 'ALL'):
        assert getattr(LEDEffect, name) == getattr(leds, name)


def test_solid_colour_on_every_led():
    command = make_led_command(leds.ALL, LedEffect.ON, 1.0, 0.5, 0.0)
    assert sdk_led_calls(command) == [
        SdkLedCall(comp='all', r=255, g=128, b=0, effect='on', freq=1)]


def test_mask_becomes_component_groups():
    command = make_led_command(leds.BOTTOM | leds.TOP_LEFT, LedEffect.BREATH, 0.0, 1.0, 0.0)
    calls = sdk_led_calls(command)
    assert [call.comp for call in calls] == ['bottom_all', 'top_left']
    assert {call.effect for call in calls} == {'breath'}


def test_single_bits_name_single_plates():
    command = make_led_command(leds.BOTTOM_FRONT | leds.BOTTOM_RIGHT, LedEffect.OFF, 0, 0, 0)
    assert [call.comp for call in sdk_led_calls(command)] == ['bottom_front', 'bottom_right']


@pytest.mark.parametrize('t1, t2, hertz', [(0.1, 0.1, 5), (0.5, 0.5, 1), (0.01, 0.01, 10),
                                           (2.0, 2.0, 1)])
def test_flash_rate_from_on_off_times(t1, t2, hertz):
    assert flash_frequency(t1, t2) == hertz
    command = make_led_command(leds.ALL, LedEffect.FLASH, 1, 1, 1, t1=t1, t2=t2)
    assert sdk_led_calls(command)[0].freq == hertz


def test_pulse_is_shown_as_flash_and_scrolling_kept():
    pulse = make_led_command(leds.TOP, LedEffect.PULSE, 1, 0, 0, t1=0.25, t2=0.25)
    assert sdk_led_calls(pulse) == [
        SdkLedCall(comp='top_all', r=255, g=0, b=0, effect='flash', freq=2)]
    scrolling = make_led_command(leds.TOP, LedEffect.SCROLLING, 0, 0, 1)
    assert sdk_led_calls(scrolling)[0].effect == 'scrolling'


@pytest.mark.parametrize('arguments, message', [
    ((0, LedEffect.ON, 1, 1, 1), 'mask'),
    ((64, LedEffect.ON, 1, 1, 1), 'mask'),
    ((leds.ALL, 9, 1, 1, 1), 'effect 9 is unknown'),
    ((leds.ALL, LedEffect.ON, 1.5, 1, 1), 'red must be in'),
    ((leds.ALL, LedEffect.FLASH, 1, 1, 1, 0.0, 0.5), 'flash times'),
])
def test_bad_led_commands_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        make_led_command(*arguments)
