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
Parameters of the follow-target node: the table (defaults, ranges) and their validation.

Plain Python so the rules can be tested without ROS; the node turns the table into
ParameterDescriptors and calls `settings_from_parameters` on every change.
"""
from dataclasses import dataclass
import math
from typing import Any, Mapping, Optional, Tuple

from liquid_edge_follow.control import ControlConfig
from liquid_edge_follow.state_machine import StateMachineConfig
from liquid_edge_follow.target import IdentityConfig, POLICIES
from liquid_edge_follow.tracker import TrackerConfig


@dataclass(frozen=True)
class ParameterSpec:
    """One node parameter: default value (its type is the parameter's), range, doc."""

    name: str
    default: Any
    description: str
    minimum: Optional[float] = None
    maximum: Optional[float] = None
    read_only: bool = False


# Declaration order matters: a parameter comes after those its validation depends on.
PARAMETERS: Tuple[ParameterSpec, ...] = (
    ParameterSpec('target_class', 'person',
                  'Class to follow: person, face or any COCO name the edge detects'),
    ParameterSpec('acquire_policy', 'same_target',
                  'Whom to lock on after losing the target: same_target (only a person who '
                  'looks like it) or largest (the largest person, anyone)'),
    ParameterSpec('appearance_input', True,
                  'Read detections/described (with appearance descriptors, from edge_bridge); '
                  'false: plain vision_msgs detections, identity by motion only',
                  read_only=True),
    ParameterSpec('image_width', 640,
                  "Camera's full image width, px: the pixels boxes are tracked in (detections "
                  'of smaller frames, per their camera_info, are scaled to it)', 1, 16384,
                  read_only=True),
    ParameterSpec('image_height', 480, "Camera's full image height, px (as image_width)",
                  1, 16384, read_only=True),
    ParameterSpec('horizontal_fov', 1.085,
                  "Camera horizontal field of view, rad; for the image shift of the robot's "
                  'own turn until camera_info gives the focal length', 0.1, 3.1),
    ParameterSpec('tick_rate', 40.0, 'State machine and command rate, Hz', 1.0, 1000.0,
                  read_only=True),
    ParameterSpec('detection_timeout', 1.0,
                  'Detections older than this (capture stamp vs now), s, stop the robot',
                  0.01, 60.0),
    ParameterSpec('wakeup_duration', 10.0, 'Still time after start before searching, s',
                  0.01, 3600.0),
    ParameterSpec('search_pause', 1.0,
                  'A search for a target lost near the image centre first stands still this '
                  'long, s', 0.0, 60.0),
    ParameterSpec('search_pause_band', 0.15,
                  'Near the centre: |horizontal error| of the lost target, fraction of width',
                  0.0, 0.5),
    ParameterSpec('search_timeout', 25.0, 'Search time without a target before idle, s',
                  0.01, 3600.0),
    ParameterSpec('hit_escape_duration', 2.0, 'Escape move after an armor hit, s', 0.01, 60.0),
    ParameterSpec('hit_escape_speed', 0.3, 'Escape speed away from the hit side, m/s',
                  0.01, 3.5),
    ParameterSpec('search_turn_speed', 0.8, 'Spin speed while searching, rad/s', 0.01, 10.0),
    ParameterSpec('turn_gain', 2.0,
                  'Turn rate per unit horizontal error (fraction of width), rad/s', 0.001, 100.0),
    ParameterSpec('turn_deadband', 0.03,
                  'Horizontal error ignored, fraction of image width', 0.0, 0.49),
    ParameterSpec('max_turn_speed', 1.0, 'Turn rate limit while following, rad/s', 0.01, 10.0),
    ParameterSpec('size_setpoint', 0.5,
                  'Wanted target box height, fraction of image height', 0.01, 0.99),
    ParameterSpec('size_deadband', 0.05,
                  'Box height error ignored, fraction of image height', 0.0, 0.49),
    ParameterSpec('linear_gain', 2.0,
                  'Forward speed per unit box height error (fraction of height), m/s',
                  0.001, 100.0),
    ParameterSpec('max_forward_speed', 0.6, 'Forward speed limit, m/s', 0.01, 3.5),
    ParameterSpec('max_backward_speed', 1.3, 'Backward speed limit, m/s', 0.01, 3.5),
    ParameterSpec('local_speed_scale', 0.5,
                  'Fraction of the follow and search speeds while the local standby edge '
                  'serves (edge/active local)', 0.01, 1.0),
    ParameterSpec('approach_gain', 3.0,
                  'Backward speed per unit of box height growth (fraction of height per s), '
                  'm/s: backs away from a person walking at the robot early', 0.0, 100.0),
    ParameterSpec('gimbal_tracking', False,
                  'Also turn the gimbal toward the target (cmd_gimbal) while following: '
                  'yaw and pitch'),
    ParameterSpec('gimbal_pitch_tracking', True,
                  'Tilt the gimbal (cmd_gimbal, pitch only) to keep the target vertically '
                  'centred while following, so a person near the robot stays in the frame'),
    ParameterSpec('gimbal_gain', 2.0, 'Gimbal rate per unit image error, rad/s', 0.001, 100.0),
    ParameterSpec('max_gimbal_speed', 1.0, 'Gimbal rate limit, rad/s', 0.01, 10.0),
    ParameterSpec('track_timeout', 1.0,
                  'A track unmatched this long (detection time), s, is dropped; the target '
                  'is lost when its track is', 0.01, 60.0),
    ParameterSpec('track_iou_threshold', 0.3,
                  'Least IoU for a detection to continue a track', 0.01, 1.0),
    ParameterSpec('track_max_centroid_distance', 1.0,
                  'Without overlap, a detection continues a track whose centre is this many '
                  'box diagonals away at most', 0.0, 10.0),
    ParameterSpec('track_max_size_ratio', 1.5,
                  'Without overlap, a detection continues a track only if their box heights '
                  'differ by this factor at most', 1.0, 10.0),
    ParameterSpec('track_occlusion_timeout', 3.0,
                  'A track hidden behind a taller (nearer) detection is kept this long, s',
                  0.01, 60.0),
    ParameterSpec('track_min_appearance', 0.7,
                  'Least appearance similarity (0..1) for a detection to continue a track',
                  0.0, 1.0),
    ParameterSpec('gallery_size', 30, "Descriptors kept of the target's look", 1, 1000),
    ParameterSpec('gallery_similarity', 0.9,
                  "Least match (0..1) for a sighting to join the target's gallery", 0.0, 1.0),
    ParameterSpec('keep_similarity', 0.75,
                  "Below this match (0..1) the target's track is someone else", 0.0, 1.0),
    ParameterSpec('reacquire_similarity', 0.85,
                  'Least gallery match (0..1) to re-acquire the target after a loss',
                  0.0, 1.0),
    ParameterSpec('reacquire_margin', 0.05,
                  'Re-acquire only a person this much better matched than anyone else in view',
                  0.0, 1.0),
    ParameterSpec('acquire_frames', 3,
                  'The first target must be seen this many frames in a row (and still be '
                  'the largest live track)', 1, 100),
    ParameterSpec('acquire_window', 2.0,
                  'For this long (s) after a first acquisition a larger person takes over',
                  0.0, 60.0),
    ParameterSpec('led_refresh_period', 1.0,
                  'LED effect republished this often (s) so a restarted driver gets it',
                  0.05, 60.0),
)

DEFAULTS = {spec.name: spec.default for spec in PARAMETERS}


@dataclass(frozen=True)
class FollowSettings:
    """Everything the node needs from its parameters, validated."""

    target_class: str
    image_size: Tuple[int, int]
    tick_rate: float
    state_machine: StateMachineConfig
    control: ControlConfig
    tracker: TrackerConfig
    identity: IdentityConfig
    appearance_input: bool
    horizontal_fov: float
    search_turn_speed: float
    hit_escape_speed: float
    gimbal_tracking: bool
    gimbal_pitch_tracking: bool
    led_refresh_period: float
    local_speed_scale: float


def settings_from_parameters(values: Mapping[str, Any]) -> FollowSettings:
    """Validate parameter values (missing ones take their default); raise ValueError."""
    v = {**DEFAULTS, **values}
    target_class = v['target_class']
    if not target_class or target_class != target_class.strip() or not target_class.isprintable():
        raise ValueError("target_class must be a class name such as 'person' or 'face' "
                         f'(no surrounding spaces), got {target_class!r}')
    for name in ('image_width', 'image_height'):
        if v[name] <= 0:
            raise ValueError(f'{name} must be > 0 px, got {v[name]}')
    if v['acquire_policy'] not in POLICIES:
        raise ValueError(f'acquire_policy must be one of {POLICIES}, got {v["acquire_policy"]!r}')
    if not 0.0 < v['horizontal_fov'] < math.pi:
        raise ValueError(f'horizontal_fov must be in (0, pi) rad, got {v["horizontal_fov"]}')
    for name in ('tick_rate', 'search_turn_speed', 'hit_escape_speed', 'led_refresh_period'):
        if not (math.isfinite(v[name]) and v[name] > 0.0):
            raise ValueError(f'{name} must be a finite number > 0, got {v[name]}')
    return FollowSettings(
        target_class=target_class,
        image_size=(v['image_width'], v['image_height']),
        tick_rate=v['tick_rate'],
        state_machine=StateMachineConfig(
            wakeup_duration=v['wakeup_duration'], search_timeout=v['search_timeout'],
            search_pause=v['search_pause'], search_pause_band=v['search_pause_band'],
            detection_timeout=v['detection_timeout'],
            hit_escape_duration=v['hit_escape_duration']),
        control=ControlConfig(
            turn_gain=v['turn_gain'], turn_deadband=v['turn_deadband'],
            max_turn_speed=v['max_turn_speed'], size_setpoint=v['size_setpoint'],
            size_deadband=v['size_deadband'], linear_gain=v['linear_gain'],
            max_forward_speed=v['max_forward_speed'],
            max_backward_speed=v['max_backward_speed'], approach_gain=v['approach_gain'],
            gimbal_gain=v['gimbal_gain'],
            max_gimbal_speed=v['max_gimbal_speed']),
        tracker=TrackerConfig(
            timeout=v['track_timeout'], iou_threshold=v['track_iou_threshold'],
            max_centroid_distance=v['track_max_centroid_distance'],
            max_size_ratio=v['track_max_size_ratio'],
            min_appearance=v['track_min_appearance'],
            occlusion_timeout=v['track_occlusion_timeout']),
        identity=IdentityConfig(
            policy=v['acquire_policy'], gallery_size=v['gallery_size'],
            gallery_similarity=v['gallery_similarity'], keep_similarity=v['keep_similarity'],
            reacquire_similarity=v['reacquire_similarity'],
            reacquire_margin=v['reacquire_margin'], acquire_frames=v['acquire_frames'],
            acquire_window=v['acquire_window']),
        appearance_input=v['appearance_input'],
        horizontal_fov=v['horizontal_fov'],
        search_turn_speed=v['search_turn_speed'],
        hit_escape_speed=v['hit_escape_speed'],
        gimbal_tracking=v['gimbal_tracking'],
        gimbal_pitch_tracking=v['gimbal_pitch_tracking'],
        led_refresh_period=v['led_refresh_period'],
        local_speed_scale=v['local_speed_scale'],
    )
