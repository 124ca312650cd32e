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

"""Time-windowed samples (latencies, frame events) and their order statistics."""
from collections import deque
import math
from typing import Deque, List, Optional, Tuple


def percentile(sorted_values: List[float], fraction: float) -> float:
    """Return the nearest-rank percentile of already sorted values; fraction in [0, 1]."""
    if not sorted_values:
        raise ValueError('percentile of no values')
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f'percentile fraction {fraction} is outside [0, 1]')
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


class SlidingWindow:
    """Samples (time, value) kept for `window_s` seconds; times in seconds, non-decreasing."""

    def __init__(self, window_s: float):
        if window_s <= 0.0:
            raise ValueError(f'window must be positive, got {window_s} s')
        self.window_s = window_s
        self._samples: Deque[Tuple[float, float]] = deque()

    def add(self, now: float, value: float) -> None:
        """Record `value` observed at time `now`."""
        self._samples.append((now, value))
        self._prune(now)

    def values(self, now: float) -> List[float]:
        """Return the values observed within the window ending at `now`, oldest first."""
        self._prune(now)
        return [value for _, value in self._samples]

    def count(self, now: float) -> int:
        """Count the samples within the window ending at `now`."""
        self._prune(now)
        return len(self._samples)

    def percentile(self, now: float, fraction: float) -> Optional[float]:
        """Return the nearest-rank percentile of the windowed values; None if empty."""
        values = sorted(self.values(now))
        return percentile(values, fraction) if values else None

    def rate(self, now: float) -> float:
        """Return the samples per second over the window ending at `now`."""
        return self.count(now) / self.window_s

    def clear(self) -> None:
        """Forget every sample."""
        self._samples.clear()

    def _prune(self, now: float) -> None:
        horizon = now - self.window_s
        while self._samples and self._samples[0][0] < horizon:
            self._samples.popleft()
