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

"""Frame pacing, retry back-off and rate measurement for the camera node. No ROS import."""

import collections
from typing import Deque, Optional


def frame_period(fps: float, source_fps: Optional[float], use_source_fps: bool) -> float:
    """
    Seconds between published frames.

    ``fps`` (the parameter) unless ``use_source_fps`` is set and the source has a rate of its
    own (a video file's FPS), in which case the file plays at the speed it was recorded.
    """
    if fps <= 0.0:
        raise ValueError(f'fps must be positive, got {fps}')
    if use_source_fps and source_fps is not None and source_fps > 0.0:
        return 1.0 / source_fps
    return 1.0 / fps


class RetrySchedule:
    """
    Exponential back-off between attempts to reopen a failed camera, polled by a timer.

    The first attempt is due at once; each failure doubles the wait up to ``maximum``; a
    success resets it.
    """

    def __init__(self, initial: float = 0.5, maximum: float = 5.0):
        if initial <= 0.0 or maximum < initial:
            raise ValueError(f'need 0 < initial <= maximum, got {initial}, {maximum}')
        self._initial = initial
        self._maximum = maximum
        self._delay = initial
        self._next_attempt = float('-inf')

    def ready(self, now: float) -> bool:
        """Whether an attempt may be made at monotonic time ``now``."""
        return now >= self._next_attempt

    def record_failure(self, now: float) -> float:
        """Note a failed attempt at ``now``; return the seconds until the next one."""
        delay = self._delay
        self._next_attempt = now + delay
        self._delay = min(self._delay * 2.0, self._maximum)
        return delay

    def record_success(self) -> None:
        """Forget past failures: the next failure waits ``initial`` again."""
        self._delay = self._initial
        self._next_attempt = float('-inf')


class RateMeter:
    """Rate of events over the last ``window`` of them (Hz), from their timestamps."""

    def __init__(self, window: int = 30):
        if window < 2:
            raise ValueError('window must hold at least two events')
        self._stamps: Deque[float] = collections.deque(maxlen=window)

    def add(self, stamp: float) -> None:
        """Record an event at ``stamp`` seconds."""
        self._stamps.append(stamp)

    def reset(self) -> None:
        """Forget every event (after a gap, so that the rate is not averaged across it)."""
        self._stamps.clear()

    @property
    def rate(self) -> float:
        """Events per second over the window; 0.0 until two events are known."""
        if len(self._stamps) < 2:
            return 0.0
        span = self._stamps[-1] - self._stamps[0]
        return (len(self._stamps) - 1) / span if span > 0.0 else 0.0
