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

"""Signs, dead-bands, limits, monotonicity and continuity of the follow control law."""
import math

from liquid_edge_follow.box import Box
from liquid_edge_follow.control import ARMOR_BOTTOM_BACK, ARMOR_BOTTOM_FRONT, \
    ARMOR_BOTTOM_LEFT, ARMOR_BOTTOM_RIGHT, ARMOR_TOP_LEFT, ARMOR_TOP_RIGHT, ControlConfig, \
    cut_vertically, escape_velocity, follow_command, search_velocity, WholeAspect
from liquid_edge_interfaces.msg import ArmorHit
import pytest

WIDTH, HEIGHT = 640.0, 480.0
CONFIG = ControlConfig()


def command(center_x=320.0, height=240.0, center_y=240.0, config=CONFIG):
    """Follow command for a box of ``height`` px centred at (center_x, center_y)."""
    return follow_command(Box('person', center_x, center_y, 0.4 * height, height),
                          WIDTH, HEIGHT, config)


def sweep(start, stop, count=2001):
    """Evenly spaced samples from start to stop."""
    return [start + (stop - start) * i / (count - 1) for i in range(count)]


def test_target_on_the_right_turns_clockwise_and_left_counter_clockwise():
    assert command(center_x=500.0).velocity.angular_z < 0.0
    assert command(center_x=140.0).velocity.angular_z > 0.0


def test_small_box_drives_forward_big_box_backs_up():
    assert command(height=100.0).velocity.linear_x > 0.0
    assert command(height=400.0).velocity.linear_x < 0.0


def test_no_motion_inside_the_dead_bands():
    edge_x = WIDTH * (0.5 + CONFIG.turn_deadband)
    edge_h = HEIGHT * (CONFIG.size_setpoint + CONFIG.size_deadband)
    velocity = command(center_x=edge_x - 0.5, height=edge_h - 0.5).velocity
    assert velocity == (0.0, 0.0, 0.0)


def test_errors_are_reported_in_image_fractions():
    result = command(center_x=480.0, height=120.0, center_y=360.0)
    assert result.horizontal_error == pytest.approx(0.25)
    assert result.vertical_error == pytest.approx(0.25)
    assert result.distance_error == pytest.approx(CONFIG.size_setpoint - 0.25)


def test_speeds_never_exceed_their_limits():
    for x in sweep(-200.0, WIDTH + 200.0, 201):
        for h in sweep(1.0, 3 * HEIGHT, 201):
            result = command(center_x=x, height=h, center_y=x * HEIGHT / WIDTH)
            assert abs(result.velocity.angular_z) <= CONFIG.max_turn_speed
            assert -CONFIG.max_backward_speed <= result.velocity.linear_x
            assert result.velocity.linear_x <= CONFIG.max_forward_speed
            assert abs(result.gimbal.yaw) <= CONFIG.max_gimbal_speed
            assert abs(result.gimbal.pitch) <= CONFIG.max_gimbal_speed


def test_far_errors_approach_the_limits():
    assert command(center_x=WIDTH).velocity.angular_z < -0.7 * CONFIG.max_turn_speed
    assert command(height=1.0).velocity.linear_x > 0.7 * CONFIG.max_forward_speed


def test_turn_is_monotonic_and_continuous_across_the_image():
    xs = sweep(0.0, WIDTH)
    turns = [command(center_x=x).velocity.angular_z for x in xs]
    step = (xs[1] - xs[0]) / WIDTH
    for before, after in zip(turns, turns[1:]):
        assert after <= before
        assert before - after <= CONFIG.turn_gain * step + 1e-12


def test_drive_is_monotonic_and_continuous_across_sizes():
    hs = sweep(1.0, HEIGHT)
    drives = [command(height=h).velocity.linear_x for h in hs]
    step = (hs[1] - hs[0]) / HEIGHT
    for before, after in zip(drives, drives[1:]):
        assert after <= before
        assert before - after <= CONFIG.linear_gain * step + 1e-12


def test_slope_just_outside_the_dead_band_is_the_gain():
    error = 0.01
    x = WIDTH * (0.5 + CONFIG.turn_deadband + error)
    assert command(center_x=x).velocity.angular_z == pytest.approx(
        -CONFIG.turn_gain * error, rel=1e-3)


def test_gimbal_turns_toward_the_target():
    gimbal = command(center_x=600.0, center_y=400.0).gimbal
    assert gimbal.yaw < 0.0 and gimbal.pitch > 0.0


def test_bad_image_size_is_refused():
    with pytest.raises(ValueError, match='image size'):
        follow_command(Box('person', 1.0, 1.0, 1.0, 1.0), 0.0, HEIGHT, CONFIG)


@pytest.mark.parametrize('direction, sign', [(1, 1.0), (-1, -1.0)])
def test_search_spins_in_place(direction, sign):
    velocity = search_velocity(direction, 0.8)
    assert velocity == (0.0, 0.0, sign * 0.8)


@pytest.mark.parametrize('location, expected', [
    (ARMOR_BOTTOM_FRONT, (-0.3, 0.0)),
    (ARMOR_BOTTOM_BACK, (0.3, 0.0)),
    (ARMOR_BOTTOM_LEFT, (0.0, -0.3)),
    (ARMOR_TOP_RIGHT, (0.0, 0.3)),
    (ARMOR_BOTTOM_FRONT | ARMOR_BOTTOM_LEFT, (-0.3 / math.sqrt(2), -0.3 / math.sqrt(2))),
    (ARMOR_BOTTOM_FRONT | ARMOR_BOTTOM_BACK, (0.0, 0.0)),
    (0, (0.0, 0.0)),
])
def test_escape_moves_away_from_the_hit_side(location, expected):
    velocity = escape_velocity(location, 0.3)
    assert (velocity.linear_x, velocity.linear_y) == pytest.approx(expected)
    assert velocity.angular_z == 0.0


def test_armor_bits_match_the_message():
    assert (ARMOR_BOTTOM_BACK, ARMOR_BOTTOM_FRONT, ARMOR_BOTTOM_LEFT, ARMOR_BOTTOM_RIGHT,
            ARMOR_TOP_LEFT, ARMOR_TOP_RIGHT) == (
        ArmorHit.BOTTOM_BACK, ArmorHit.BOTTOM_FRONT, ArmorHit.BOTTOM_LEFT,
        ArmorHit.BOTTOM_RIGHT, ArmorHit.TOP_LEFT, ArmorHit.TOP_RIGHT)


@pytest.mark.parametrize('kwargs, name', [
    ({'turn_gain': 0.0}, 'turn_gain'),
    ({'max_forward_speed': -0.1}, 'max_forward_speed'),
    ({'max_turn_speed': math.inf}, 'max_turn_speed'),
    ({'turn_deadband': 0.5}, 'turn_deadband'),
    ({'size_setpoint': 1.0}, 'size_setpoint'),
    ({'size_setpoint': 0.1, 'size_deadband': 0.1}, 'size_deadband'),
    ({'approach_gain': -1.0}, 'approach_gain'),
])
def test_config_refuses_bad_values(kwargs, name):
    with pytest.raises(ValueError, match=name):
        ControlConfig(**kwargs)


def test_a_person_walking_at_the_robot_makes_it_back_away_before_the_box_is_too_big():
    # At the set-point, inside the dead-band: still without growth, backing away with it.
    assert command(height=HEIGHT * CONFIG.size_setpoint).velocity.linear_x == 0.0
    growing = follow_command(Box('person', 320.0, 240.0, 96.0, 240.0), WIDTH, HEIGHT, CONFIG,
                             height_rate=0.25)
    assert growing.velocity.linear_x < -0.5
    # A smaller box than the set-point, growing fast: the approach wins over the distance.
    far = follow_command(Box('person', 320.0, 240.0, 60.0, 150.0), WIDTH, HEIGHT, CONFIG,
                         height_rate=0.4)
    assert far.velocity.linear_x < 0.0
    # Never beyond the limit, and the box shrinking (walking away) drives forward.
    fast = follow_command(Box('person', 320.0, 240.0, 96.0, 240.0), WIDTH, HEIGHT, CONFIG,
                          height_rate=10.0)
    assert fast.velocity.linear_x >= -CONFIG.max_backward_speed
    leaving = follow_command(Box('person', 320.0, 240.0, 96.0, 240.0), WIDTH, HEIGHT, CONFIG,
                             height_rate=-0.1)
    assert leaving.velocity.linear_x > 0.0


def test_a_person_cut_by_the_top_of_the_image_is_not_driven_into():
    # Close, her head out of the picture: 100 px of her show at the top, 200 px wide, and
    # the visible part shrinks as she comes closer still (the approach scenario).
    cut = Box('person', 320.0, 50.0, 200.0, 100.0)
    assert cut_vertically(cut, HEIGHT)
    assert not cut_vertically(Box('person', 320.0, 240.0, 80.0, 200.0), HEIGHT)
    # Never seen whole: how close she is is unknown, the robot does not drive toward her.
    blind = follow_command(cut, WIDTH, HEIGHT, CONFIG, height_rate=-0.5)
    assert blind.velocity.linear_x == 0.0 and blind.distance_error > 0.0
    assert command(height=100.0).velocity.linear_x > 0.3   # a whole box that small: forward
    # Whole, she was 2.5 times as tall as wide: 500 px now, beyond the set-point: back away.
    seen = follow_command(cut, WIDTH, HEIGHT, CONFIG, height_rate=-0.5, aspect=2.5)
    assert seen.velocity.linear_x < -0.5
    # A whole box shrinking still drives after her.
    whole = follow_command(Box('person', 320.0, 240.0, 40.0, 100.0), WIDTH, HEIGHT, CONFIG,
                           height_rate=-0.5, aspect=2.5)
    assert whole.velocity.linear_x > blind.velocity.linear_x


def test_her_whole_aspect_is_remembered_for_her_track_only():
    aspect = WholeAspect()
    whole, cut = Box('person', 320.0, 240.0, 80.0, 200.0), Box('person', 320.0, 50.0, 200.0, 100.0)
    assert aspect.update('person-1', cut, HEIGHT, coasting=False) is None
    assert aspect.update('person-1', whole, HEIGHT, coasting=False) == pytest.approx(2.5)
    # Cut, or only predicted (coasting), her box does not change what was seen whole.
    assert aspect.update('person-1', cut, HEIGHT, coasting=False) == pytest.approx(2.5)
    squat = Box('person', 320.0, 240.0, 200.0, 200.0)
    assert aspect.update('person-1', squat, HEIGHT, coasting=True) == pytest.approx(2.5)
    # Another track (another person, or her re-acquired): nothing known until seen whole.
    assert aspect.update('person-2', cut, HEIGHT, coasting=False) is None
