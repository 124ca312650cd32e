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
What the link to one edge delivers, measured from the bridge's own Detect calls.

Pure logic: time is passed in (seconds, any monotonic clock). Each finished call gives its
bytes (request JPEG plus answer), its round trip and the edge's own processing time
(`EdgeAnswer.edge_total_ms`); the difference is the *network time*. Over a sliding window:

- `goodput_bytes_per_s` and `rtt_s`: a least-squares line through (bytes, network time),
  network time = rtt + bytes / goodput, fitted when the sizes in the window differ enough to
  tell the two apart (relative spread at least `min_size_spread`) and the line rises; else
  `rtt_s` is the smallest network time and the goodput None (not measurable: bandwidth does
  not show in these frames, which the controller reads as not limiting, and a change of
  setting brings the spread that measures it);
- `rtt_p95_s`: the 95th percentile of each call's network time less its own transfer time
  at the goodput: the round trip with its jitter and TCP retransmission tail;
- the *delays* beyond round trip and transfer, split in two: a call delayed by at least half
  a round trip (`delay_threshold`) lost a TCP segment, whose retransmission costs one round
  trip or two; smaller delays are jitter. `delayed_segment_rate` = delayed calls / TCP
  segments sent, so that `network_p95_s(size)` can predict a frame size's p95 from the
  share of its calls a loss would hit, 1 - (1 - rate) ** segments: a frame of many segments
  is hit more often than one of few, which a size-blind tail cannot tell;
- `server_p95_s`: the edge's processing time, 95th percentile;
- `loss_rate`: deadline misses and errors over all finished calls;
- `srtt_s`: the network time smoothed as TCP does (RFC 6298, gain 1/8), for display.

A link can change within a second (a robot leaving a 5G cell for congested Wi-Fi); the window
would average the old link with the new for seconds. An answer whose network time exceeds
the window's p95 for its size by `change_factor` (and `change_margin_s`) cuts the window at
that answer, so the estimate, and the encoding chosen from it, follow the new link at once.

Calls overlap when several are in flight; a call's transfer then includes waiting behind
the other's bytes, so goodput is what a call gets, which is what the latency budget needs.
"""
from collections import deque
from dataclasses import dataclass
import math
from typing import Deque, List, Optional, Tuple

from liquid_edge_bridge.sliding_window import percentile

#: Bytes of one TCP segment on a 1500-byte MTU (Ethernet, Wi-Fi, most cellular links).
MSS_BYTES = 1448
P95 = 0.95
#: The least delay counted as a loss's retransmission, whatever the round trip.
MIN_DELAY_THRESHOLD_S = 0.005
#: Answers in the window before one can show that the link has changed.
MIN_CHANGE_ANSWERS = 3


@dataclass(frozen=True)
class LinkEstimate:
    """The link to one edge as measured over the window; None where not measured yet."""

    calls: int
    answers: int
    rtt_s: Optional[float]
    rtt_p95_s: Optional[float]
    goodput_bytes_per_s: Optional[float]
    server_p95_s: Optional[float]
    loss_rate: float
    srtt_s: Optional[float]
    # The answered sizes differed enough to fit goodput: a None goodput then means the
    # transfer does not grow with the bytes, not that it was not measurable.
    sizes_vary: bool = False
    delayed_segment_rate: float = 0.0
    jitter_s: Tuple[float, ...] = ()    # sorted delays of the calls no loss hit
    delayed_s: Tuple[float, ...] = ()   # sorted delays of the calls a loss hit
    # The least goodput the answers prove: a call moved its bytes in at most its network
    # time, whatever part of it the round trip was. None without an answer that took time.
    goodput_floor_bytes_per_s: Optional[float] = None

    def transfer_s(self, size_bytes: float) -> float:
        """Return how long `size_bytes` take at the goodput; 0 when it is unmeasurably high."""
        if self.goodput_bytes_per_s is None:
            return 0.0
        return size_bytes / self.goodput_bytes_per_s

    def network_p95_s(self, size_bytes: float) -> Optional[float]:
        """Return the p95 network time of a call of `size_bytes`; None when unmeasured."""
        if self.rtt_s is None:
            return None
        return self.rtt_s + self.transfer_s(size_bytes) + self.delay_p95_s(size_bytes)

    def delay_p95_s(self, size_bytes: float) -> float:
        """
        Return the p95 of the delay beyond round trip and transfer of a call of this size.

        A share `hit` of such calls is delayed by a loss: when it is over 5 %, the p95 falls
        among the delayed calls' delays, else among the jitter of the others.
        """
        segments = max(1, math.ceil(size_bytes / MSS_BYTES))
        hit = 1.0 - (1.0 - self.delayed_segment_rate) ** segments
        if self.delayed_s and (hit > 1.0 - P95 or not self.jitter_s):
            return percentile(list(self.delayed_s), max(hit - (1.0 - P95), 0.0) / hit)
        if self.jitter_s:
            return percentile(list(self.jitter_s), min(P95 / (1.0 - hit), 1.0))
        return 0.0


@dataclass(frozen=True)
class _Call:
    at: float
    size_bytes: int
    network_s: Optional[float]  # None for a failed call
    server_s: Optional[float]


class LinkEstimator:
    """Sliding-window estimate of round trip, goodput and loss of the link to one edge."""

    def __init__(self, window_s: float = 5.0, min_size_spread: float = 0.05,
                 srtt_gain: float = 0.125, change_factor: float = 3.0,
                 change_margin_s: float = 0.1):
        """Set the window (s), the least spread of sizes that fits goodput, the change test."""
        if not window_s > 0.0:
            raise ValueError(f'window must be positive, got {window_s} s')
        if not min_size_spread > 0.0:
            raise ValueError(f'min_size_spread must be positive, got {min_size_spread}')
        if not 0.0 < srtt_gain <= 1.0:
            raise ValueError(f'srtt_gain must be in (0, 1], got {srtt_gain}')
        if change_factor <= 1.0 or change_margin_s < 0.0:
            raise ValueError(f'change_factor must be > 1 and change_margin_s >= 0, got '
                             f'{change_factor}, {change_margin_s}')
        self.window_s = window_s
        self.min_size_spread = min_size_spread
        self.srtt_gain = srtt_gain
        self.change_factor = change_factor
        self.change_margin_s = change_margin_s
        self._calls: Deque[_Call] = deque()
        self._srtt: Optional[float] = None

    def record_answer(self, now: float, request_bytes: int, response_bytes: int,
                      round_trip_s: float, server_s: float) -> bool:
        """
        Record a call that was answered: sizes in bytes, times in seconds.

        Returns True when the answer showed the link has changed: the window then starts
        at this answer.
        """
        if request_bytes < 0 or response_bytes < 0:
            raise ValueError(f'sizes must not be negative, got {request_bytes}, '
                             f'{response_bytes}')
        if not (math.isfinite(round_trip_s) and round_trip_s >= 0.0
                and math.isfinite(server_s) and server_s >= 0.0):
            raise ValueError(f'times must be non-negative, got round trip {round_trip_s} s, '
                             f'server {server_s} s')
        # An edge clock that claims more than the whole round trip leaves no network time.
        network_s = max(round_trip_s - server_s, 0.0)
        self._srtt = network_s if self._srtt is None else (
            self._srtt + self.srtt_gain * (network_s - self._srtt))
        size = request_bytes + response_bytes
        expected = self._expected_network_s(now, size)
        changed = expected is not None and network_s > max(
            self.change_factor * expected, expected + self.change_margin_s)
        if changed:
            self._calls.clear()
        self._add(_Call(now, size, network_s, server_s), now)
        return changed

    def record_failure(self, now: float) -> None:
        """Record a call that missed its deadline or failed."""
        self._add(_Call(now, 0, None, None), now)

    def estimate(self, now: float) -> LinkEstimate:
        """Return the estimate over the window ending at `now`."""
        self._prune(now)
        answered = [call for call in self._calls if call.network_s is not None]
        calls = len(self._calls)
        loss_rate = (calls - len(answered)) / calls if calls else 0.0
        if not answered:
            return LinkEstimate(calls, 0, None, None, None, None, loss_rate, self._srtt)
        rtt, goodput, sizes_vary = self._fit(answered)
        delays = self._delays(answered, rtt, goodput)
        prompt = [call for call, delay in zip(answered, delays)
                  if delay < self._delay_threshold(rtt)]
        if 2 <= len(prompt) < len(answered):
            # The delayed calls would lift the line: fit it to the prompt ones alone.
            rtt, goodput, sizes_vary = self._fit(prompt)
            delays = self._delays(answered, rtt, goodput)
        threshold = self._delay_threshold(rtt)
        delayed = tuple(sorted(delay for delay in delays if delay >= threshold))
        segments = sum(max(1, math.ceil(call.size_bytes / MSS_BYTES)) for call in answered)
        servers = sorted(call.server_s for call in answered)
        return LinkEstimate(calls, len(answered), rtt, rtt + percentile(sorted(delays), P95),
                            goodput, percentile(servers, P95), loss_rate, self._srtt,
                            sizes_vary, delayed_segment_rate=len(delayed) / segments,
                            jitter_s=tuple(sorted(d for d in delays if d < threshold)),
                            delayed_s=delayed, goodput_floor_bytes_per_s=max(
                                (call.size_bytes / call.network_s for call in answered
                                 if call.network_s > 0.0), default=None))

    def _expected_network_s(self, now: float, size_bytes: int) -> Optional[float]:
        """
        Return the window's p95 network time for a call of this size; None if unknown.

        Unknown with fewer than `MIN_CHANGE_ANSWERS` answers, or for a call larger than every
        answered one while goodput is not measured (its transfer cannot be told).
        """
        estimate = self.estimate(now)
        if estimate.answers < MIN_CHANGE_ANSWERS:
            return None
        if estimate.goodput_bytes_per_s is None and size_bytes > max(
                call.size_bytes for call in self._calls if call.network_s is not None):
            return None
        return estimate.network_p95_s(size_bytes)

    @staticmethod
    def _delay_threshold(rtt: float) -> float:
        return max(rtt / 2.0, MIN_DELAY_THRESHOLD_S)

    @staticmethod
    def _delays(calls: List[_Call], rtt: float, goodput: Optional[float]) -> List[float]:
        """Return each call's network time beyond the round trip and its own transfer."""
        return [max(call.network_s - rtt - (call.size_bytes / goodput if goodput else 0.0),
                    0.0) for call in calls]

    def _fit(self, answered: List[_Call]) -> Tuple[float, Optional[float], bool]:
        """Return (round trip, goodput, sizes vary): a line if sizes tell, else the minimum."""
        sizes = [float(call.size_bytes) for call in answered]
        times = [call.network_s for call in answered]
        mean_size, mean_time = sum(sizes) / len(sizes), sum(times) / len(times)
        spread = sum((size - mean_size) ** 2 for size in sizes)
        sizes_vary = mean_size > 0.0 and math.sqrt(spread / len(sizes)) >= (
            self.min_size_spread * mean_size)
        if sizes_vary:
            slope = sum((size - mean_size) * (time - mean_time)
                        for size, time in zip(sizes, times)) / spread
            if slope > 0.0:
                # The line's intercept is the round trip; noise must not make it negative.
                return max(mean_time - slope * mean_size, 0.0), 1.0 / slope, True
        return min(times), None, sizes_vary

    def _add(self, call: _Call, now: float) -> None:
        self._calls.append(call)
        self._prune(now)

    def _prune(self, now: float) -> None:
        horizon = now - self.window_s
        while self._calls and self._calls[0].at < horizon:
            self._calls.popleft()
