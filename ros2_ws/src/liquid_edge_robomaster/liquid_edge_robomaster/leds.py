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
LEDs: an LED command (the fields of LEDEffect) and its mapping to ``led.set_led`` calls.

No ROS import. The numbers equal the constants of liquid_edge_interfaces/LEDEffect (and of
robomaster_msgs/LEDEffect); a unit test keeps them equal.
"""

import dataclasses
import enum
import math
from typing import List


class LedEffect(enum.IntEnum):
    """LED effects, numbered as LEDEffect.effect."""

    OFF = 0
    ON = 1
    BREATH = 2
    FLASH = 3
    SCROLLING = 4
    PULSE = 5


# LEDEffect.mask bits.
BOTTOM_BACK = 1
BOTTOM_FRONT = 2
BOTTOM_LEFT = 4
BOTTOM_RIGHT = 8
BOTTOM = 15
TOP_LEFT = 16
TOP_RIGHT = 32
TOP = 48
ALL = 63

#: ``set_led`` component name of each single mask bit, in mask order.
_COMPONENT_OF_BIT = {
    BOTTOM_BACK: 'bottom_back', BOTTOM_FRONT: 'bottom_front', BOTTOM_LEFT: 'bottom_left',
    BOTTOM_RIGHT: 'bottom_right', TOP_LEFT: 'top_left', TOP_RIGHT: 'top_right',
}

#: ``set_led`` effect name of each effect. The SDK's ``set_led`` has no pulse branch (it
#: logs "unsupported effect"), so PULSE is shown as a flash at the same on/off rate.
_SDK_EFFECT = {
    LedEffect.OFF: 'off', LedEffect.ON: 'on', LedEffect.BREATH: 'breath',
    LedEffect.FLASH: 'flash', LedEffect.SCROLLING: 'scrolling', LedEffect.PULSE: 'flash',
}

#: ``set_led`` accepts flash frequencies 1..10 Hz.
SDK_MIN_FLASH_HZ = 1
SDK_MAX_FLASH_HZ = 10


@dataclasses.dataclass(frozen=True)
class LedCommand:
    """Which LEDs, which effect, which colour (components in [0, 1]), on/off times (s)."""

    mask: int = ALL
    effect: LedEffect = LedEffect.ON
    red: float = 1.0
    green: float = 1.0
    blue: float = 1.0
    t1: float = 1.0
    t2: float = 1.0
    submask: int = 0xFF


@dataclasses.dataclass(frozen=True)
class SdkLedCall:
    """Arguments of one ``led.set_led(comp, r, g, b, effect, freq)`` call."""

    comp: str
    r: int
    g: int
    b: int
    effect: str
    freq: int


def make_led_command(mask: int, effect: int, red: float, green: float, blue: float,
                     t1: float = 1.0, t2: float = 1.0, submask: int = 0xFF) -> LedCommand:
    """Build a validated LedCommand; ValueError says which field is wrong."""
    if not 0 < mask <= ALL:
        raise ValueError(f'LED mask must be a bitmask in 1..{ALL}, got {mask}')
    try:
        led_effect = LedEffect(effect)
    except ValueError:
        raise ValueError(
            f'LED effect {effect} is unknown; use 0..5 (OFF, ON, BREATH, FLASH, SCROLLING, '
            'PULSE)') from None
    for name, value in (('red', red), ('green', green), ('blue', blue)):
        if not (math.isfinite(value) and 0.0 <= value <= 1.0):
            raise ValueError(f'LED colour {name} must be in [0, 1], got {value}')
    if led_effect in (LedEffect.FLASH, LedEffect.PULSE) and not (
            math.isfinite(t1) and math.isfinite(t2) and t1 > 0.0 and t2 > 0.0):
        raise ValueError(f'LED flash times t1, t2 must be positive seconds, got {t1}, {t2}')
    return LedCommand(mask=mask, effect=led_effect, red=red, green=green, blue=blue,
                      t1=t1, t2=t2, submask=submask)


def _components(mask: int) -> List[str]:
    if mask == ALL:
        return ['all']
    components = []
    for group, group_name in ((BOTTOM, 'bottom_all'), (TOP, 'top_all')):
        if mask & group == group:
            components.append(group_name)
        else:
            components.extend(name for bit, name in _COMPONENT_OF_BIT.items()
                              if bit & group and mask & bit)
    return components


def flash_frequency(t1: float, t2: float) -> int:
    """Whole flash frequency (Hz) for t1 s on and t2 s off, within the SDK's 1..10 Hz."""
    hertz = round(1.0 / (t1 + t2))
    return max(SDK_MIN_FLASH_HZ, min(SDK_MAX_FLASH_HZ, hertz))


def _channel(value: float) -> int:
    return max(0, min(255, round(255 * value)))


def sdk_led_calls(command: LedCommand) -> List[SdkLedCall]:
    """Return the ``set_led`` calls that show ``command``, one per component group."""
    flashing = command.effect in (LedEffect.FLASH, LedEffect.PULSE)
    freq = flash_frequency(command.t1, command.t2) if flashing else 1
    r, g, b = (_channel(value) for value in (command.red, command.green, command.blue))
    return [SdkLedCall(comp=comp, r=r, g=g, b=b, effect=_SDK_EFFECT[command.effect], freq=freq)
            for comp in _components(command.mask)]
