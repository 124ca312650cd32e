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

"""LED effect of each follow state on the chassis ring, coloured by the edge serving us."""
from dataclasses import dataclass
from typing import Tuple

from liquid_edge_follow.state_machine import State

# Values of liquid_edge_interfaces/LEDEffect (checked by a test).
MASK_BOTTOM = 15
EFFECT_ON = 1
EFFECT_BREATH = 2
EFFECT_FLASH = 3
EFFECT_SCROLLING = 4
EFFECT_PULSE = 5

Color = Tuple[float, float, float, float]
# The original's colour when no edge answers.
NO_EDGE_COLOR: Color = (0.5, 0.5, 0.5, 1.0)


@dataclass(frozen=True)
class LedEffect:
    """One LED command: which LEDs, which effect, colour (RGBA in [0, 1]) and flash times."""

    effect: int
    color: Color
    t1: float = 1.0   # on time, s (FLASH and PULSE)
    t2: float = 1.0   # off time, s (FLASH and PULSE)
    mask: int = MASK_BOTTOM


# state → (effect, t1, t2), as the original: follow solid, search 5 Hz flash, wakeup 1 Hz
# flash, idle breathing, explore scrolling; hit (not in the original) a 2 Hz pulse.
_EFFECTS = {
    State.WAKEUP: (EFFECT_FLASH, 0.5, 0.5),
    State.SEARCH: (EFFECT_FLASH, 0.1, 0.1),
    State.FOLLOW: (EFFECT_ON, 1.0, 1.0),
    State.IDLE: (EFFECT_BREATH, 1.0, 1.0),
    State.HIT: (EFFECT_PULSE, 0.25, 0.25),
    State.EXPLORE: (EFFECT_SCROLLING, 1.0, 1.0),
}


def led_effect_for(state: State, edge_color: Color = NO_EDGE_COLOR) -> LedEffect:
    """LED effect of ``state`` in the colour of the active edge (grey when none answers)."""
    effect, t1, t2 = _EFFECTS[state]
    return LedEffect(effect, edge_color, t1, t2)
