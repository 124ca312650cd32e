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
The follow-target state machine: an explicit transition table, pure and clock-free.

Every method takes the current time (s) as an argument, so tests drive it without a clock.
The node feeds it events: each detections frame (target seen or lost), armor hits, explore
on/off, and a tick that fires the timed events (wakeup over, search timed out, escape done,
detections stale). It answers with a `Directive`: the state and how the chassis must move.

Decisions beyond the original:
- A target seen during wakeup goes straight to follow: wakeup only waits for the first
  detections, and once a target is confirmed, waiting longer serves nobody.
- Stale detections (no fresh frame for ``detection_timeout``, never one yet included) stop
  the robot in idle from search and follow, so it never moves on stale information. Wakeup
  and idle are still anyway; hit is a bounded reflex that uses no detection; explore is
  driven by a person.
- After wakeup, stale detections skip search: the tick resolves wakeup → search → idle at
  once, so not one search command goes out while the edge is silent.
- A hit during explore is ignored (a person drives); a new hit during the escape restarts it
  away from the new side.
- A target lost near the image centre (within ``search_pause_band``) was hidden or missed
  where the robot looks, not gone to one side: the search first stands still for
  ``search_pause``, so spinning does not turn the robot away from where she will reappear.
- A search also stands still while the last detections frame held someone who looks like
  the target but is not re-acquired yet (``likely_in_view``: overlapping another person, or
  seen once): she is in view, and spinning would turn the robot away from her. The search
  timeout still runs.
"""
from dataclasses import dataclass
import enum
import math
from typing import Optional


class State(enum.IntEnum):
    """Follow states, numbered as liquid_edge_interfaces/FollowState."""

    WAKEUP = 0
    SEARCH = 1
    FOLLOW = 2
    IDLE = 3
    HIT = 4
    EXPLORE = 5


class Event(enum.Enum):
    """What can happen to the state machine."""

    WAKEUP_ELAPSED = 'wakeup_elapsed'
    TARGET_SEEN = 'target_seen'
    TARGET_LOST = 'target_lost'
    DETECTIONS_STALE = 'detections_stale'
    SEARCH_TIMED_OUT = 'search_timed_out'
    ARMOR_HIT = 'armor_hit'
    ESCAPE_DONE = 'escape_done'
    EXPLORE_ON = 'explore_on'
    EXPLORE_OFF = 'explore_off'


class Motion(enum.Enum):
    """How the chassis moves in a state."""

    STILL = 'still'        # zero velocity
    SEARCH = 'search'      # spin toward where the target was last seen
    FOLLOW = 'follow'      # control law on the target box
    ESCAPE = 'escape'      # translate away from the hit side
    MANUAL = 'manual'      # someone else drives; publish nothing


S, E = State, Event
# (state, event) → next state. A pair not listed leaves the state unchanged.
TRANSITIONS = {
    (S.WAKEUP, E.WAKEUP_ELAPSED): S.SEARCH,
    (S.WAKEUP, E.TARGET_SEEN): S.FOLLOW,
    (S.WAKEUP, E.ARMOR_HIT): S.HIT,
    (S.WAKEUP, E.EXPLORE_ON): S.EXPLORE,
    (S.SEARCH, E.TARGET_SEEN): S.FOLLOW,
    (S.SEARCH, E.SEARCH_TIMED_OUT): S.IDLE,
    (S.SEARCH, E.DETECTIONS_STALE): S.IDLE,
    (S.SEARCH, E.ARMOR_HIT): S.HIT,
    (S.SEARCH, E.EXPLORE_ON): S.EXPLORE,
    (S.FOLLOW, E.TARGET_LOST): S.SEARCH,
    (S.FOLLOW, E.DETECTIONS_STALE): S.IDLE,
    (S.FOLLOW, E.ARMOR_HIT): S.HIT,
    (S.FOLLOW, E.EXPLORE_ON): S.EXPLORE,
    (S.IDLE, E.TARGET_SEEN): S.FOLLOW,
    (S.IDLE, E.ARMOR_HIT): S.HIT,
    (S.IDLE, E.EXPLORE_ON): S.EXPLORE,
    (S.HIT, E.ARMOR_HIT): S.HIT,
    (S.HIT, E.ESCAPE_DONE): S.IDLE,
    (S.HIT, E.EXPLORE_ON): S.EXPLORE,
    (S.EXPLORE, E.EXPLORE_OFF): S.IDLE,
}
del S, E

MOTIONS = {
    State.WAKEUP: Motion.STILL,
    State.SEARCH: Motion.SEARCH,
    State.FOLLOW: Motion.FOLLOW,
    State.IDLE: Motion.STILL,
    State.HIT: Motion.ESCAPE,
    State.EXPLORE: Motion.MANUAL,
}


@dataclass(frozen=True)
class StateMachineConfig:
    """Timeouts of the state machine, seconds."""

    wakeup_duration: float = 10.0
    search_timeout: float = 25.0
    detection_timeout: float = 1.0
    hit_escape_duration: float = 2.0
    search_pause: float = 1.0           # s the search stands still for a target lost centred
    search_pause_band: float = 0.15     # |horizontal error| of such a target, fraction of width

    def __post_init__(self):
        """Refuse negative, zero or non-finite timeouts."""
        for name in ('wakeup_duration', 'search_timeout', 'detection_timeout',
                     'hit_escape_duration'):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0.0):
                raise ValueError(f'{name} must be a finite number of seconds > 0, got {value}')
        if not (math.isfinite(self.search_pause) and self.search_pause >= 0.0):
            raise ValueError(f'search_pause must be a finite number of seconds >= 0, '
                             f'got {self.search_pause}')
        if not 0.0 <= self.search_pause_band <= 0.5:
            raise ValueError(f'search_pause_band must be in [0, 0.5], '
                             f'got {self.search_pause_band}')


@dataclass(frozen=True)
class Directive:
    """The state and what the chassis must do in it."""

    state: State
    motion: Motion
    turn_direction: int = 1   # search spin: +1 counter-clockwise (left), -1 clockwise
    hit_location: int = 0     # armor bits of the hit being escaped


class FollowStateMachine:
    """Wakeup, search, follow, idle, hit and explore, driven by events and time."""

    def __init__(self, config: StateMachineConfig, now: float):
        """Start in wakeup at time ``now`` (s) with no detections received yet."""
        self.config = config
        self.state = State.WAKEUP
        self.entered_at = now
        self.last_detections_stamp: Optional[float] = None
        self.last_target_error = 0.0
        self.hit_location = 0
        self._lost_centred = False   # the search began with a target lost near the centre
        self._likely_in_view = False  # the last frame held someone who looks like the target

    def directive(self, now: Optional[float] = None) -> Directive:
        """Return what to command in the current state (at ``now``: the search's pause)."""
        motion = MOTIONS[self.state]
        if self.state is State.SEARCH and (self._likely_in_view or (
                self._lost_centred and now is not None
                and now - self.entered_at < self.config.search_pause)):
            motion = Motion.STILL
        return Directive(self.state, motion,
                         turn_direction=-1 if self.last_target_error > 0.0 else 1,
                         hit_location=self.hit_location)

    def detections_stale(self, now: float) -> bool:
        """Whether the last detections frame was taken more than the timeout before ``now``."""
        return (self.last_detections_stamp is None
                or now - self.last_detections_stamp > self.config.detection_timeout)

    def tick(self, now: float) -> Directive:
        """Fire the timed events due at ``now``, following any chain of them at once."""
        for _ in range(len(State)):
            event = self._due_event(now)
            if event is None or not self._fire(event, now):
                break
        return self.directive(now)

    def detections(self, now: float, stamp: float, target_error: Optional[float],
                   likely_in_view: bool = False) -> Directive:
        """
        Take one detections frame captured at ``stamp``.

        ``target_error`` is the target's horizontal error (fraction of width, + right), or
        None when no target is tracked; ``likely_in_view``: without a target, someone in the
        frame looks like her (the search then holds still). A frame already older than the
        detection timeout is stale information and changes nothing; a stamp from the future
        (clock skew) counts as taken now, or it would keep the robot moving past the timeout.
        """
        stamp = min(stamp, now)
        if now - stamp > self.config.detection_timeout:
            return self.directive(now)
        if self.last_detections_stamp is None or stamp > self.last_detections_stamp:
            self.last_detections_stamp = stamp
        self._likely_in_view = target_error is None and likely_in_view
        if target_error is None:
            self._fire(Event.TARGET_LOST, now)
        else:
            self.last_target_error = target_error
            self._fire(Event.TARGET_SEEN, now)
        return self.directive(now)

    def armor_hit(self, now: float, location: int) -> Directive:
        """Take an armor hit on the sensors in the ``location`` bitmask."""
        if self._fire(Event.ARMOR_HIT, now):
            self.hit_location = location
        return self.directive(now)

    def set_explore(self, now: float, enabled: bool) -> Directive:
        """Enter (``enabled``) or leave manual explore mode."""
        self._fire(Event.EXPLORE_ON if enabled else Event.EXPLORE_OFF, now)
        return self.directive(now)

    def _due_event(self, now: float) -> Optional[Event]:
        """Return the timed event that holds at ``now`` in the current state, if any."""
        elapsed = now - self.entered_at
        if self.state in (State.SEARCH, State.FOLLOW) and self.detections_stale(now):
            return Event.DETECTIONS_STALE
        if self.state is State.WAKEUP and elapsed >= self.config.wakeup_duration:
            return Event.WAKEUP_ELAPSED
        if self.state is State.SEARCH and elapsed >= self.config.search_timeout:
            return Event.SEARCH_TIMED_OUT
        if self.state is State.HIT and elapsed >= self.config.hit_escape_duration:
            return Event.ESCAPE_DONE
        return None

    def _fire(self, event: Event, now: float) -> bool:
        """Apply ``event``; return whether the table has a transition for it."""
        next_state = TRANSITIONS.get((self.state, event))
        if next_state is None:
            return False
        if next_state is not self.state or event is Event.ARMOR_HIT:
            self.entered_at = now
        if next_state is State.SEARCH:
            self._lost_centred = self.state is State.FOLLOW and \
                abs(self.last_target_error) <= self.config.search_pause_band
        self.state = next_state
        return True
