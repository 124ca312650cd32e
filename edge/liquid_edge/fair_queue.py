"""Waiting frames of a fleet, taken fairly: robot after robot, each robot's newest frame first.

Pure (no gRPC, no threads; the caller locks). Under overload the robot with frames waiting
that has had the fewest frames run since it started waiting goes next (ties in turn), whatever
rate it sends at, so a robot sending 30 frames/s cannot starve seven sending 5: a robot whose
frames are dropped as late still has its turn, instead of leaving it to the robot that always
has a fresh frame. A robot that starts waiting counts as having had as many frames run as the
least served robot already waiting (as in start-time fair queueing), so it neither jumps the
queue nor waits behind the others' history; one that had more frames run before its queue ran
dry keeps that count, so a robot whose queue empties at every turn does not come back ahead of
one that always has frames waiting (which it did: 8 robots, 2 cores, one robot at 90 frames/s
got 0.72 of its fair share). Within a robot the newest frame goes first: a robot acts on what
it sees now. A frame that can no longer be answered before its deadline is dropped, not
computed, and a robot keeps at most ``max_per_robot`` frames waiting: beyond, its oldest is
dropped.
"""
from collections import deque, OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
import math
from typing import Generic, TypeVar

Item = TypeVar('Item')
# Beyond this many robots whose queue ran dry, those whose count is at the floor are forgotten.
_MAX_LEFT = 256


@dataclass(frozen=True)
class Waiting(Generic[Item]):
    """A frame in the queue: its item, its robot and the time its answer is due."""

    item: Item
    robot: Hashable
    deadline: float = math.inf


@dataclass
class Taken(Generic[Item]):
    """What ``take`` returns: the frames to run, and those dropped as too late."""

    run: list[Waiting[Item]]
    late: list[Waiting[Item]]


class FairQueue(Generic[Item]):
    """Frames per robot; ``take`` serves robots in turn, each robot's newest frame first."""

    def __init__(self, max_per_robot: int):
        if max_per_robot < 1:
            raise ValueError(f'max per robot must be >= 1, got {max_per_robot}')
        self._max_per_robot = max_per_robot
        # Robots with frames waiting, in turn order: a robot served goes to the end.
        self._robots: OrderedDict[Hashable, deque[Waiting[Item]]] = OrderedDict()
        # Frames run per robot waiting, counted from the least served robot's count.
        self._runs: dict[Hashable, int] = {}
        # The counts of robots whose queue ran dry.
        self._left: dict[Hashable, int] = {}
        self._last_runs = 0
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def put(self, waiting: Waiting[Item]) -> Waiting[Item] | None:
        """Queue a frame; return the robot's oldest frame when it had too many, else None."""
        if waiting.robot not in self._robots:
            floor = min(self._runs.values(), default=self._last_runs)
            self._runs[waiting.robot] = max(self._left.pop(waiting.robot, floor), floor)
            if len(self._left) > _MAX_LEFT:  # counts at or below the floor change nothing
                self._left = {robot: runs for robot, runs in self._left.items() if runs > floor}
        frames = self._robots.setdefault(waiting.robot, deque())
        frames.append(waiting)
        if len(frames) > self._max_per_robot:
            return frames.popleft()
        self._count += 1
        return None

    def take(self, limit: int, now: float, service_s: float = 0.0) -> Taken[Item]:
        """Take up to ``limit`` frames fairly; drop those not answerable by their deadline.

        A frame is too late when ``now + service_s`` (the time a run takes) is past its
        deadline.
        """
        taken = Taken[Item]([], [])
        while self._robots and len(taken.run) < limit:
            robot = min(self._robots, key=self._runs.__getitem__)  # the first of equals
            frames = self._robots[robot]
            newest = frames.pop()
            self._count -= 1
            if now + service_s > newest.deadline:
                taken.late.append(newest)
            else:
                taken.run.append(newest)
                self._runs[robot] += 1
                self._last_runs = self._runs[robot]
            if frames:
                self._robots.move_to_end(robot)
            else:
                del self._robots[robot]
                self._left[robot] = self._runs.pop(robot)
        return taken
