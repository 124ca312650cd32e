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
The simulated world: people walking waypoint paths around the robot (no ROS, no drawing).

Coordinates are the robot's `odom` frame (REP-105: x forward from the robot's start pose,
y left, metres). Time is seconds since the simulation started. Everything here is a pure
function of time and of the seed the world was built with.
"""
from bisect import bisect_right
from dataclasses import dataclass
import math

from liquid_edge_sim.people import astronaut_cutout, Cutout, distractor_cutout
import numpy as np


@dataclass(frozen=True)
class Waypoint:
    """
    A point on a walking path (metres, odom frame) and how long to stand there (s).

    `hidden`: the walk from here to the next waypoint is unseen (through a door, behind a
    wall), and so is the pause at the next one's start: the person is not drawn meanwhile.
    """

    x: float
    y: float
    pause: float = 0.0
    hidden: bool = False


@dataclass(frozen=True)
class _Leg:
    start_time: float
    end_time: float
    start: tuple[float, float]
    end: tuple[float, float]
    hidden: bool = False


class WalkingPath:
    """
    A closed walk through waypoints at a constant speed, pausing at each as it says.

    The walk starts standing at the first waypoint (its pause first), goes to each next one,
    and from the last back to the first, then repeats.
    """

    def __init__(self, waypoints: list[Waypoint], speed: float):
        """Build the timetable of the walk; speed in m/s."""
        if len(waypoints) < 2:
            raise ValueError('a walking path needs at least 2 waypoints')
        if not speed > 0.0:
            raise ValueError(f'walking speed must be positive, got {speed} m/s')
        if any(w.pause < 0.0 for w in waypoints):
            raise ValueError('waypoint pauses must not be negative')
        self.waypoints = tuple(waypoints)
        self.speed = speed
        legs = []
        t = 0.0
        for previous, here, there in zip(waypoints[-1:] + waypoints[:-1], waypoints,
                                         waypoints[1:] + waypoints[:1]):
            legs.append(_Leg(t, t + here.pause, (here.x, here.y), (here.x, here.y),
                             previous.hidden))
            t += here.pause
            duration = math.hypot(there.x - here.x, there.y - here.y) / speed
            legs.append(_Leg(t, t + duration, (here.x, here.y), (there.x, there.y),
                             here.hidden))
            t += duration
        self._legs = [leg for leg in legs if leg.end_time > leg.start_time]
        self._starts = [leg.start_time for leg in self._legs]
        self.period = t

    def _leg(self, t: float) -> _Leg:
        return self._legs[max(0, bisect_right(self._starts, t % self.period) - 1)]

    def visible(self, t: float) -> bool:
        """Return whether the walker can be seen at time t (s): not on a hidden leg."""
        return not self._leg(t).hidden

    def position(self, t: float) -> tuple[float, float]:
        """Return where the walker is at time t (s), in metres."""
        phase = t % self.period
        leg = self._leg(t)
        fraction = (phase - leg.start_time) / (leg.end_time - leg.start_time)
        fraction = min(max(fraction, 0.0), 1.0)
        return (leg.start[0] + fraction * (leg.end[0] - leg.start[0]),
                leg.start[1] + fraction * (leg.end[1] - leg.start[1]))


@dataclass(frozen=True)
class Person:
    """Someone in the world: an id, how they look, and where they walk."""

    person_id: str
    cutout: Cutout
    path: WalkingPath


@dataclass(frozen=True)
class PersonPose:
    """Where a person stands at one instant (metres, odom frame); hidden ones are not drawn."""

    person_id: str
    x: float
    y: float
    visible: bool = True


class World:
    """The people of a scene; `poses(t)` says where each one is at time t."""

    def __init__(self, people: list[Person]):
        """Hold the people; their ids must be unique."""
        ids = [p.person_id for p in people]
        if len(set(ids)) != len(ids):
            raise ValueError(f'person ids must be unique, got {ids}')
        self.people = tuple(people)

    def person(self, person_id: str) -> Person:
        """Return the person with this id (KeyError names the known ids)."""
        for p in self.people:
            if p.person_id == person_id:
                return p
        raise KeyError(f'no person {person_id!r}; known: {[p.person_id for p in self.people]}')

    def poses(self, t: float) -> list[PersonPose]:
        """Return every person's position at time t (s)."""
        return [PersonPose(p.person_id, *p.path.position(t), p.path.visible(t))
                for p in self.people]


TARGET_ID = 'astronaut'
DISTRACTOR_ID = 'distractor'


def default_world(seed: int = 0) -> World:
    """
    Build the demo scene: the target walks around the robot, a distractor passes behind.

    The target (the astronaut) starts 2.6 m ahead, slightly left, so it is in view once the
    robot wakes up; it then walks a loop 2.4-3.6 m around the robot's start at 0.35 m/s
    with pauses and two reversals of direction. The distractor (a mirrored, tinted astronaut)
    walks back and forth about 5 m ahead, crossing behind the target's loop, so a tracker
    that jumps to the nearest box would switch to it. The seed jitters the
    waypoints (+-0.15 m) and the pauses (+-30 %), so each seed is a different but similar walk.
    """
    rng = np.random.default_rng(seed)

    def jittered(points: list[tuple[float, float, float]]) -> list[Waypoint]:
        return [Waypoint(x + rng.uniform(-0.15, 0.15), y + rng.uniform(-0.15, 0.15),
                         pause * rng.uniform(0.7, 1.3)) for x, y, pause in points]

    # angles sweep left, back right past the start, then left again: direction changes.
    target_points = [
        (2.6, 0.3, 3.0), (2.8, 1.5, 2.0), (2.2, 2.4, 1.5), (3.2, 0.8, 0.0),
        (2.8, -1.3, 2.5), (2.0, -2.2, 1.0), (3.4, -0.6, 2.0),
    ]
    distractor_points = [(5.0, -3.5, 2.0), (5.3, 3.5, 2.0)]
    return World([
        Person(TARGET_ID, astronaut_cutout(), WalkingPath(jittered(target_points), 0.35)),
        Person(DISTRACTOR_ID, distractor_cutout(),
               WalkingPath(jittered(distractor_points), 0.6)),
    ])
