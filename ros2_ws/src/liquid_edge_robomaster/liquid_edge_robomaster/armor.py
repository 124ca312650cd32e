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
