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

"""Transition table and timing of the follow state machine, driven with explicit times."""
import math

from liquid_edge_follow.state_machine import Event, FollowStateMachine, Motion, State, \
    StateMachineConfig, TRANSITIONS
from liquid_edge_interfaces.msg import FollowState
import pytest

CONFIG = StateMachineConfig(wakeup_duration=10.0, search_timeout=25.0, detection_timeout=1.0,
                            hit_escape_duration=2.0)
FRONT, LEFT = 2, 4


def machine_in(state: State, now: float = 0.0) -> FollowStateMachine:
    """Build a machine and drive it through its public events into ``state`` at ``now``."""
    machine = FollowStateMachine(CONFIG, now - 20.0)
    if state is State.WAKEUP:
        machine = FollowStateMachine(CONFIG, now)
    elif state is State.FOLLOW:
        machine.detections(now, now, 0.1)
    elif state is State.SEARCH:
        machine.detections(now - 20.0 + 9.5, now - 20.0 + 9.5, None)
        machine.detections(now - 0.5, now - 0.5, None)
        machine.tick(now)
    elif state is State.IDLE:
        machine.tick(now)
    elif state is State.HIT:
        machine.armor_hit(now, FRONT)
    elif state is State.EXPLORE:
        machine.set_explore(now, True)
    assert machine.state is state
    return machine


# The table the issue asks for, written out independently of the module's own table.
EXPECTED = {
    (State.WAKEUP, Event.TARGET_SEEN): State.FOLLOW,
    (State.WAKEUP, Event.WAKEUP_ELAPSED): State.SEARCH,
    (State.SEARCH, Event.TARGET_SEEN): State.FOLLOW,
    (State.SEARCH, Event.SEARCH_TIMED_OUT): State.IDLE,
    (State.SEARCH, Event.DETECTIONS_STALE): State.IDLE,
    (State.FOLLOW, Event.TARGET_LOST): State.SEARCH,
    (State.FOLLOW, Event.DETECTIONS_STALE): State.IDLE,
    (State.IDLE, Event.TARGET_SEEN): State.FOLLOW,
    (State.HIT, Event.ESCAPE_DONE): State.IDLE,
    (State.EXPLORE, Event.EXPLORE_OFF): State.IDLE,
    (State.FOLLOW, Event.TARGET_SEEN): None,
    (State.IDLE, Event.TARGET_LOST): None,
    (State.IDLE, Event.DETECTIONS_STALE): None,
    (State.HIT, Event.TARGET_SEEN): None,
    (State.HIT, Event.DETECTIONS_STALE): None,
    (State.EXPLORE, Event.TARGET_SEEN): None,
    (State.EXPLORE, Event.ARMOR_HIT): None,
    (State.EXPLORE, Event.DETECTIONS_STALE): None,
}


@pytest.mark.parametrize('state, event', list(EXPECTED))
def test_table_has_the_expected_edges(state, event):
    assert TRANSITIONS.get((state, event)) is EXPECTED[(state, event)]


@pytest.mark.parametrize('state', [s for s in State if s is not State.EXPLORE])
def test_armor_hit_escapes_from_every_automatic_state(state):
    machine = machine_in(state, now=100.0)
    directive = machine.armor_hit(100.0, LEFT)
    assert directive.state is State.HIT
    assert directive.motion is Motion.ESCAPE
    assert directive.hit_location == LEFT


@pytest.mark.parametrize('state', list(State))
def test_explore_can_be_entered_from_every_state_and_left_to_idle(state):
    machine = machine_in(state, now=100.0)
    assert machine.set_explore(100.0, True).motion is Motion.MANUAL
    assert machine.set_explore(100.5, False).state is State.IDLE


def test_starts_in_wakeup_still():
    directive = FollowStateMachine(CONFIG, 0.0).tick(0.0)
    assert (directive.state, directive.motion) == (State.WAKEUP, Motion.STILL)


def test_wakeup_goes_to_search_after_its_duration_with_fresh_detections():
    machine = FollowStateMachine(CONFIG, 0.0)
    machine.detections(9.8, 9.7, None)
    assert machine.tick(9.99).state is State.WAKEUP
    directive = machine.tick(10.0)
    assert (directive.state, directive.motion) == (State.SEARCH, Motion.SEARCH)


def test_target_seen_during_wakeup_goes_straight_to_follow():
    machine = FollowStateMachine(CONFIG, 0.0)
    directive = machine.detections(2.0, 1.9, 0.2)
    assert (directive.state, directive.motion) == (State.FOLLOW, Motion.FOLLOW)


def test_wakeup_without_any_detection_ends_idle_not_searching():
    machine = FollowStateMachine(CONFIG, 0.0)
    assert machine.tick(10.0).state is State.IDLE


def test_search_times_out_to_idle():
    machine = machine_in(State.SEARCH, now=100.0)
    for t in range(101, 125):
        machine.detections(float(t), t - 0.1, None)
        assert machine.tick(float(t)).state is State.SEARCH
    machine.detections(125.0, 124.9, None)
    assert machine.tick(125.0).state is State.IDLE


@pytest.mark.parametrize('last_error, direction', [(0.3, -1), (-0.3, 1)])
def test_lost_target_searches_toward_the_side_it_was_last_seen(last_error, direction):
    machine = machine_in(State.FOLLOW, now=100.0)
    machine.detections(100.1, 100.05, last_error)
    directive = machine.detections(100.2, 100.15, None)
    assert directive.state is State.SEARCH
    assert directive.turn_direction == direction


def test_a_target_lost_near_the_centre_is_first_waited_for_still():
    machine = machine_in(State.FOLLOW, now=100.0)
    machine.detections(100.1, 100.05, 0.05)
    directive = machine.detections(100.2, 100.15, None)
    assert directive.state is State.SEARCH and directive.motion is Motion.STILL
    assert machine.detections(101.15, 101.1, None).motion is Motion.STILL
    directive = machine.tick(100.2 + CONFIG.search_pause)
    assert directive.motion is Motion.SEARCH and directive.turn_direction == -1
    # Lost at the side: the search turns at once.
    machine = machine_in(State.FOLLOW, now=100.0)
    machine.detections(100.1, 100.05, -0.3)
    assert machine.detections(100.2, 100.15, None).motion is Motion.SEARCH


def test_the_search_holds_still_while_someone_who_looks_like_her_is_in_view():
    machine = machine_in(State.FOLLOW, now=100.0)
    machine.detections(100.1, 100.05, -0.3)
    assert machine.detections(100.2, 100.15, None).motion is Motion.SEARCH
    directive = machine.detections(100.3, 100.25, None, likely_in_view=True)
    assert directive.state is State.SEARCH and directive.motion is Motion.STILL
    assert machine.tick(100.35).motion is Motion.STILL
    # The next frame holds no such person: the search turns again.
    assert machine.detections(100.4, 100.35, None).motion is Motion.SEARCH
    # A tracked target is followed whatever the flag says; the search timeout still runs.
    assert machine.detections(100.5, 100.45, 0.1, likely_in_view=True).state is State.FOLLOW
    machine = machine_in(State.SEARCH, now=100.0)
    for t in range(101, 125):
        machine.detections(float(t), t - 0.1, None, likely_in_view=True)
    machine.detections(125.0, 124.9, None, likely_in_view=True)
    assert machine.tick(125.0).state is State.IDLE


def test_search_without_any_sighting_turns_left():
    assert machine_in(State.SEARCH, now=100.0).directive().turn_direction == 1


def test_search_finds_target_and_follows():
    machine = machine_in(State.SEARCH, now=100.0)
    assert machine.detections(100.1, 100.0, -0.1).state is State.FOLLOW


@pytest.mark.parametrize('state', [State.FOLLOW, State.SEARCH])
def test_stale_detections_stop_a_moving_robot(state):
    machine = machine_in(state, now=100.0)
    stamp = machine.last_detections_stamp
    assert machine.tick(stamp + CONFIG.detection_timeout).state is state
    directive = machine.tick(stamp + CONFIG.detection_timeout + 1e-3)
    assert (directive.state, directive.motion) == (State.IDLE, Motion.STILL)


def test_idle_follows_when_a_target_appears_and_stays_still_otherwise():
    machine = machine_in(State.IDLE, now=100.0)
    assert machine.detections(100.1, 100.0, None).state is State.IDLE
    assert machine.detections(100.2, 100.1, 0.0).state is State.FOLLOW


def test_frame_older_than_the_timeout_is_ignored():
    machine = machine_in(State.IDLE, now=100.0)
    assert machine.detections(100.0, 98.9, 0.1).state is State.IDLE
    assert machine.detections_stale(100.0)


def test_future_stamp_cannot_extend_the_timeout():
    machine = machine_in(State.IDLE, now=100.0)
    machine.detections(100.0, 200.0, 0.1)
    assert machine.state is State.FOLLOW
    assert machine.tick(101.01).state is State.IDLE


def test_escape_lasts_its_duration_then_idles():
    machine = machine_in(State.FOLLOW, now=100.0)
    machine.armor_hit(100.0, FRONT)
    machine.detections(101.0, 101.0, 0.1)
    assert machine.tick(101.99).state is State.HIT
    assert machine.tick(102.0).state is State.IDLE


def test_second_hit_restarts_the_escape_from_the_new_side():
    machine = machine_in(State.HIT, now=100.0)
    directive = machine.armor_hit(101.5, LEFT)
    assert directive.hit_location == LEFT
    assert machine.tick(103.4).state is State.HIT
    assert machine.tick(103.5).state is State.IDLE


def test_escape_is_not_cut_by_stale_detections():
    machine = machine_in(State.HIT, now=100.0)
    assert machine.tick(101.9).motion is Motion.ESCAPE


def test_explore_ignores_hits_targets_and_staleness():
    machine = machine_in(State.EXPLORE, now=100.0)
    machine.armor_hit(100.1, FRONT)
    machine.detections(100.2, 100.2, 0.1)
    assert machine.tick(500.0).state is State.EXPLORE


def test_explore_off_outside_explore_changes_nothing():
    machine = machine_in(State.FOLLOW, now=100.0)
    assert machine.set_explore(100.0, False).state is State.FOLLOW


@pytest.mark.parametrize('name', ['wakeup_duration', 'search_timeout', 'detection_timeout',
                                  'hit_escape_duration'])
@pytest.mark.parametrize('value', [0.0, -1.0, math.nan, math.inf])
def test_config_refuses_bad_timeouts(name, value):
    with pytest.raises(ValueError, match=name):
        StateMachineConfig(**{name: value})


@pytest.mark.parametrize('kwargs, name', [({'search_pause': -1.0}, 'search_pause'),
                                          ({'search_pause_band': 0.6}, 'search_pause_band')])
def test_config_refuses_a_bad_search_pause(kwargs, name):
    with pytest.raises(ValueError, match=name):
        StateMachineConfig(**kwargs)


def test_state_numbers_match_the_follow_state_message():
    assert {s.name: int(s) for s in State} == {
        s.name: getattr(FollowState, s.name) for s in State}
