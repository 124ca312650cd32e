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

"""Armor hits: the SDK's hit event as the ArmorHit message's fields. No ROS import."""

import dataclasses

#: ArmorHit.type values.
COLLISION = 0
IR = 1

#: SDK armor id (1..6: chassis back, front, left, right, gimbal left, right) to the
#: ArmorHit.location bit of that plate.
_LOCATION_OF_ARMOR_ID = {1: 1, 2: 2, 3: 4, 4: 8, 5: 16, 6: 32}


@dataclasses.dataclass(frozen=True)
class ArmorHitEvent:
    """A hit: location bitmask, COLLISION or IR, impact level (COLLISION only)."""

    location: int
    type: int = COLLISION  # noqa: A003 - ArmorHit's field name
    level: int = 0


def hit_from_sdk(armor_id: int, hit_type: str) -> ArmorHitEvent:
    """
    Convert ``armor.sub_hit_event``'s (armor_id, hit_type) to an ArmorHitEvent.

    The SDK calls a water-bullet or bump hit "water": its microphone sensed it, which
    ArmorHit names COLLISION.
    """
    try:
        location = _LOCATION_OF_ARMOR_ID[armor_id]
    except KeyError:
        raise ValueError(f'armor id must be 1..6, got {armor_id}') from None
    return ArmorHitEvent(location=location, type=IR if hit_type == 'ir' else COLLISION)
