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
Control law of the follow-target robot: box in the image → chassis and gimbal speeds.

Replaces the original's stepped law (speed jumps at fixed box-width ratios) with a smooth
one: each error goes through a dead-band that shrinks it continuously toward zero, then a
gain, then a tanh saturation to the speed limit, so the command is continuous, monotonic,
has the gain as its slope near the set-point and never exceeds its limit.

Distance keeping also acts on how fast the box grows: a person walking at the robot makes
the box grow before it is too big, so the robot backs away early (`approach_gain`, a
feed-forward on the box height's rate), not once the person is already too close; the
same term drives after a person walking away.

A person close enough to be cut by the top or bottom of the image has a box shorter than she
is, and one that shrinks as she comes closer still: read as is, it would drive the robot into
her. Such a box's height is taken as at least its width times her height-to-width ratio when
last seen whole (`aspect`; without it the robot does not drive toward her), and its
shrinking is not read as her walking away.

Axes follow REP-103: linear.x forward, linear.y left, angular.z counter-clockwise (left).
Image errors are fractions of the image size: horizontal + right, vertical + down.
"""
from dataclasses import dataclass
import math
from typing import NamedTuple, Optional

from liquid_edge_follow.box import Box

# Armor sensor bits, the values of liquid_edge_interfaces/ArmorHit (checked by a test).
ARMOR_BOTTOM_BACK = 1
ARMOR_BOTTOM_FRONT = 2
ARMOR_BOTTOM_LEFT = 4
ARMOR_BOTTOM_RIGHT = 8
ARMOR_TOP_LEFT = 16
ARMOR_TOP_RIGHT = 32

# Direction (x forward, y left) of the blow each sensor feels; the escape goes the other way.
_HIT_DIRECTIONS = {
    ARMOR_BOTTOM_BACK: (-1.0, 0.0),
    ARMOR_BOTTOM_FRONT: (1.0, 0.0),
    ARMOR_BOTTOM_LEFT: (0.0, 1.0),
    ARMOR_BOTTOM_RIGHT: (0.0, -1.0),
    ARMOR_TOP_LEFT: (0.0, 1.0),
    ARMOR_TOP_RIGHT: (0.0, -1.0),
}


class Velocity(NamedTuple):
    """Chassis velocity: m/s forward and left, rad/s counter-clockwise."""

    linear_x: float = 0.0
    linear_y: float = 0.0
    angular_z: float = 0.0


class GimbalRate(NamedTuple):
    """Gimbal speed: yaw rad/s counter-clockwise, pitch rad/s down."""

    yaw: float = 0.0
    pitch: float = 0.0


@dataclass(frozen=True)
class ControlConfig:
    """Gains, dead-bands, set-point and limits of the follow control law."""

    turn_gain: float = 2.0            # rad/s per unit of horizontal error, near the centre
    turn_deadband: float = 0.03       # horizontal error ignored, fraction of image width
    max_turn_speed: float = 1.0       # rad/s
    size_setpoint: float = 0.5        # wanted box height, fraction of image height
    size_deadband: float = 0.05       # box height error ignored, fraction of image height
    linear_gain: float = 2.0          # m/s per unit of box height error, near the set-point
    max_forward_speed: float = 0.6    # m/s
    max_backward_speed: float = 1.3   # m/s, faster than a 1 m/s walker
    approach_gain: float = 3.0        # m/s backward per unit of box height growth per second
    gimbal_gain: float = 2.0          # rad/s per unit of image error
    max_gimbal_speed: float = 1.0     # rad/s

    def __post_init__(self):
        """Refuse settings that would make the law undefined or drive the wrong way."""
        for name in ('turn_gain', 'linear_gain', 'gimbal_gain', 'max_turn_speed',
                     'max_forward_speed', 'max_backward_speed', 'max_gimbal_speed'):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError(f'{name} must be a finite number > 0, got {value}')
        if not (math.isfinite(self.approach_gain) and self.approach_gain >= 0.0):
            raise ValueError(f'approach_gain must be a finite number >= 0, '
                             f'got {self.approach_gain}')
        if not 0.0 <= self.turn_deadband < 0.5:
            raise ValueError(f'turn_deadband must be in [0, 0.5), got {self.turn_deadband}')
        if not 0.0 < self.size_setpoint < 1.0:
            raise ValueError(f'size_setpoint must be in (0, 1), got {self.size_setpoint}')
        if not 0.0 <= self.size_deadband < min(self.size_setpoint, 1.0 - self.size_setpoint):
            raise ValueError(
                f'size_deadband must be in [0, {min(self.size_setpoint, 1 - self.size_setpoint)})'
                f' (inside the set-point {self.size_setpoint}), got {self.size_deadband}')


class FollowCommand(NamedTuple):
    """What the follow state commands for one target box, with the errors it acted on."""

    velocity: Velocity
    gimbal: GimbalRate
    horizontal_error: float   # target centre offset, fraction of image width, + right
    vertical_error: float     # target centre offset, fraction of image height, + down
    distance_error: float     # size set-point minus box height fraction, + too far


def apply_deadband(error: float, band: float) -> float:
    """Shrink ``error`` toward zero by ``band``: zero inside, continuous at its edges."""
    return math.copysign(max(abs(error) - band, 0.0), error)


def soft_limit(value: float, limit: float) -> float:
    """Saturate smoothly: slope 1 at zero, never beyond ±limit."""
    return limit * math.tanh(value / limit)


def cut_vertically(box: Box, image_height: float, margin: float = 2.0) -> bool:
    """Tell whether ``box`` touches the top or the bottom of the image (within ``margin`` px)."""
    top = box.center_y - box.height / 2.0
    return top <= margin or top + box.height >= image_height - margin


class WholeAspect:
    """The target's box height over width when last seen whole, forgotten with her track."""

    def __init__(self):
        """Know nothing yet."""
        self._track_id: Optional[str] = None
        self._aspect: Optional[float] = None

    def update(self, track_id: str, box: Box, image_height: float,
               coasting: bool) -> Optional[float]:
        """Take the target's box this tick (a sighting unless coasting); return the aspect."""
        if track_id != self._track_id:
            self._track_id, self._aspect = track_id, None
        if not coasting and not cut_vertically(box, image_height):
            self._aspect = box.height / box.width
        return self._aspect


def follow_command(box: Box, image_width: float, image_height: float,
                   config: ControlConfig, height_rate: float = 0.0,
                   aspect: Optional[float] = None) -> FollowCommand:
    """
    Chassis and gimbal speeds that centre ``box`` and bring its height to the set-point.

    ``height_rate``: how fast the box height grows, fraction of the image height per second
    (+ the person comes closer); 0 when unknown. ``aspect``: the person's box height over
    width when last seen whole, for a box cut by the top or bottom of the image; None unknown.
    """
    if not (image_width > 0.0 and image_height > 0.0):
        raise ValueError(f'image size must be positive, got {image_width} x {image_height}')
    horizontal = box.center_x / image_width - 0.5
    vertical = box.center_y / image_height - 0.5
    height = box.height
    cut = cut_vertically(box, image_height)
    if cut:
        # She is at least this tall, and a cut box shrinking says nothing of her leaving.
        if aspect is not None:
            height = max(height, aspect * box.width)
        height_rate = max(height_rate, 0.0)
    distance = config.size_setpoint - height / image_height
    # A target on the right (+) needs a clockwise (negative) turn.
    turn = -soft_limit(config.turn_gain * apply_deadband(horizontal, config.turn_deadband),
                       config.max_turn_speed)
    drive = config.linear_gain * apply_deadband(distance, config.size_deadband) \
        - config.approach_gain * height_rate
    if cut and aspect is None:
        drive = min(drive, 0.0)   # how close she is is unknown: never toward her
    limit = config.max_forward_speed if drive >= 0.0 else config.max_backward_speed
    gimbal = GimbalRate(
        yaw=-soft_limit(config.gimbal_gain * apply_deadband(horizontal, config.turn_deadband),
                        config.max_gimbal_speed),
        pitch=soft_limit(config.gimbal_gain * apply_deadband(vertical, config.turn_deadband),
                         config.max_gimbal_speed))
    return FollowCommand(Velocity(linear_x=soft_limit(drive, limit), angular_z=turn), gimbal,
                         horizontal, vertical, distance)


def search_velocity(turn_direction: int, turn_speed: float) -> Velocity:
    """Spin in place: ``turn_direction`` +1 counter-clockwise (left), -1 clockwise."""
    return Velocity(angular_z=math.copysign(turn_speed, turn_direction))


def escape_velocity(hit_location: int, speed: float) -> Velocity:
    """Translate away from the hit side(s) at ``speed``; still when the blows cancel out."""
    blow_x = sum(x for bit, (x, _) in _HIT_DIRECTIONS.items() if hit_location & bit)
    blow_y = sum(y for bit, (_, y) in _HIT_DIRECTIONS.items() if hit_location & bit)
    norm = math.hypot(blow_x, blow_y)
    if norm < 1e-9:
        return Velocity()
    return Velocity(linear_x=-speed * blow_x / norm, linear_y=-speed * blow_y / norm)
