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
Choose the edge that serves the robot: best healthy latency, hysteresis, fast failover.

Pure logic: time is passed in (seconds, any monotonic clock), nothing here talks gRPC.

- An edge is *eligible* when its health is SERVING and it is not cooling down after a
  failure (a request error, or `max_missed_deadlines` deadline misses in a row).
- The active edge is dropped at once when it stops being eligible (failover); the best
  eligible edge then takes over.
- A standby edge replaces a healthy active edge only when its windowed latency statistic is
  better by both a relative and an absolute margin for `switch_hold_s` without interruption,
  so noisy, close latencies never make it flap.
- The first `warmup_samples` answers after a switch are ignored (cold connection, caches),
  as FogROS2-LS ignores the first profiles after a switch.
- Until the active edge has a latency statistic, the choice is remade as at a failover: the
  fastest measured eligible edge, else the first eligible one in configuration order.
- At start, an edge listed before the best eligible one that has not reported its health yet
  is waited for up to `startup_grace_s`, so the robot does not begin on a less preferred
  edge only because its health answer came first, and switch a moment later.
"""
from dataclasses import dataclass
import enum
import math
from typing import Dict, List, Optional, Sequence

from liquid_edge_bridge.sliding_window import SlidingWindow


class EdgeHealth(enum.Enum):
    """What the edge's grpc.health.v1 service says, or that it cannot be reached."""

    UNKNOWN = 'unknown'
    SERVING = 'serving'
    NOT_SERVING = 'not_serving'
    UNREACHABLE = 'unreachable'


STATISTICS = {'median': 0.5, 'p90': 0.9}


@dataclass(frozen=True)
class SelectionPolicy:
    """Tuning of the edge choice; durations in seconds."""

    window_s: float = 3.0
    statistic: str = 'median'
    min_samples: int = 3
    max_missed_deadlines: int = 3
    switch_margin: float = 0.2
    switch_margin_abs_s: float = 0.005
    switch_hold_s: float = 2.0
    failure_cooldown_s: float = 2.0
    warmup_samples: int = 2
    startup_grace_s: float = 0.5

    def __post_init__(self):
        """Reject settings that cannot work, with the reason."""
        if self.statistic not in STATISTICS:
            raise ValueError(f'statistic must be one of {sorted(STATISTICS)}, '
                             f"got '{self.statistic}'")
        if self.window_s <= 0.0:
            raise ValueError(f'latency window must be positive, got {self.window_s} s')
        if self.min_samples < 1:
            raise ValueError(f'min_samples must be at least 1, got {self.min_samples}')
        if self.max_missed_deadlines < 1:
            raise ValueError('max_missed_deadlines must be at least 1, '
                             f'got {self.max_missed_deadlines}')
        if not 0.0 <= self.switch_margin < 1.0:
            raise ValueError(f'switch_margin must be in [0, 1), got {self.switch_margin}')
        for name in ('switch_margin_abs_s', 'switch_hold_s', 'failure_cooldown_s',
                     'startup_grace_s'):
            if getattr(self, name) < 0.0:
                raise ValueError(f'{name} must not be negative, got {getattr(self, name)}')
        if self.warmup_samples < 0:
            raise ValueError(f'warmup_samples must not be negative, got {self.warmup_samples}')


@dataclass(frozen=True)
class EdgeReport:
    """Snapshot of one edge for diagnostics and the active-edge message."""

    name: str
    health: EdgeHealth
    eligible: bool
    active: bool
    latency_s: Optional[float]
    p50_s: Optional[float]
    p99_s: Optional[float]
    samples: int
    consecutive_misses: int
    last_error: str


class _EdgeState:
    def __init__(self, name: str, window_s: float):
        self.name = name
        self.health = EdgeHealth.UNKNOWN
        self.latencies = SlidingWindow(window_s)
        self.consecutive_misses = 0
        self.cooldown_until = -math.inf
        self.warmup_left = 0
        self.last_error = ''


class EdgeSelector:
    """Tracks every configured edge and decides which one is active."""

    def __init__(self, names: Sequence[str], policy: SelectionPolicy = SelectionPolicy()):
        if not names:
            raise ValueError('at least one edge is needed')
        if len(set(names)) != len(names):
            raise ValueError(f'edge names must be unique, got {list(names)}')
        self.policy = policy
        # Configuration order breaks ties: the first edge listed is preferred.
        self._edges: Dict[str, _EdgeState] = {
            name: _EdgeState(name, policy.window_s) for name in names}
        self._active: Optional[str] = None
        self._challenger: Optional[str] = None
        self._challenger_since = 0.0
        self._started: Optional[float] = None   # the time of the first evaluation
        self._ever_active = False

    @property
    def names(self) -> List[str]:
        """Return the configured edge names, in configuration order."""
        return list(self._edges)

    @property
    def active(self) -> Optional[str]:
        """Return the edge serving the robot now; None when no edge is eligible."""
        return self._active

    def set_health(self, name: str, health: EdgeHealth, now: float,
                   reason: str = '') -> Optional[str]:
        """Record the edge's health; returns the active edge after re-evaluation."""
        edge = self._edge(name)
        edge.health = health
        if health is not EdgeHealth.SERVING and reason:
            edge.last_error = reason
        return self.update(now)

    def record_latency(self, name: str, latency_s: float, now: float) -> Optional[str]:
        """Record a successful answer's round trip; returns the active edge."""
        edge = self._edge(name)
        edge.consecutive_misses = 0
        if edge.warmup_left > 0:
            edge.warmup_left -= 1
        else:
            edge.latencies.add(now, latency_s)
        return self.update(now)

    def record_deadline_miss(self, name: str, now: float) -> Optional[str]:
        """Record a request that ran past its deadline; N in a row fail the edge over."""
        edge = self._edge(name)
        edge.consecutive_misses += 1
        if edge.consecutive_misses >= self.policy.max_missed_deadlines:
            self._fail(edge, now, f'{edge.consecutive_misses} deadlines missed in a row')
        return self.update(now)

    def record_error(self, name: str, message: str, now: float) -> Optional[str]:
        """Record a failed request (not a deadline miss): the edge is failed over at once."""
        self._fail(self._edge(name), now, message)
        return self.update(now)

    def is_eligible(self, name: str, now: float) -> bool:
        """Whether the edge may serve: SERVING and not cooling down after a failure."""
        edge = self._edge(name)
        return edge.health is EdgeHealth.SERVING and now >= edge.cooldown_until

    def statistic(self, name: str, now: float) -> Optional[float]:
        """Return the windowed latency statistic of the edge, None with too few samples."""
        latencies = self._edge(name).latencies
        if latencies.count(now) < self.policy.min_samples:
            return None
        return latencies.percentile(now, STATISTICS[self.policy.statistic])

    def standby(self, now: float) -> List[str]:
        """List the eligible edges other than the active one (they get probe requests)."""
        return [name for name in self._edges
                if name != self._active and self.is_eligible(name, now)]

    def update(self, now: float) -> Optional[str]:
        """Re-evaluate the active edge at time `now` and return it."""
        if self._started is None:
            self._started = now
        if self._active is not None and not self.is_eligible(self._active, now):
            self._active = None
        if self._active is None or self.statistic(self._active, now) is None:
            # Nothing measured on the active edge yet: choose as at a failover, so the
            # preferred edge wins at start whichever edge answered its health first.
            best = self._best_eligible(now)
            if self._waiting_for_a_preferred_edge(best, now):
                return None
            if best != self._active:
                self._switch_to(best, now)
            return self._active
        challenger = self._better_challenger(now)
        if challenger is None:
            self._challenger = None
        elif challenger != self._challenger:
            self._challenger, self._challenger_since = challenger, now
        if (self._challenger is not None
                and now - self._challenger_since >= self.policy.switch_hold_s):
            self._switch_to(self._challenger, now)
        return self._active

    def report(self, now: float) -> List[EdgeReport]:
        """Return one snapshot per edge, in configuration order."""
        reports = []
        for name, edge in self._edges.items():
            reports.append(EdgeReport(
                name=name, health=edge.health, eligible=self.is_eligible(name, now),
                active=name == self._active, latency_s=self.statistic(name, now),
                p50_s=edge.latencies.percentile(now, 0.5),
                p99_s=edge.latencies.percentile(now, 0.99),
                samples=edge.latencies.count(now),
                consecutive_misses=edge.consecutive_misses, last_error=edge.last_error))
        return reports

    def _edge(self, name: str) -> _EdgeState:
        try:
            return self._edges[name]
        except KeyError:
            raise KeyError(f"unknown edge '{name}', configured: {self.names}") from None

    def _fail(self, edge: _EdgeState, now: float, reason: str) -> None:
        edge.cooldown_until = now + self.policy.failure_cooldown_s
        edge.consecutive_misses = 0
        edge.last_error = reason

    def _best_eligible(self, now: float) -> Optional[str]:
        eligible = [name for name in self._edges if self.is_eligible(name, now)]
        if not eligible:
            return None
        measured = [(self.statistic(name, now), name) for name in eligible]
        measured = [(stat, name) for stat, name in measured if stat is not None]
        if measured:
            return min(measured, key=lambda pair: pair[0])[1]
        return eligible[0]

    def _waiting_for_a_preferred_edge(self, best: Optional[str], now: float) -> bool:
        if (self._ever_active or best is None
                or now - self._started >= self.policy.startup_grace_s):
            return False
        names = self.names
        return any(self._edges[name].health is EdgeHealth.UNKNOWN
                   for name in names[:names.index(best)])

    def _better_challenger(self, now: float) -> Optional[str]:
        current = self.statistic(self._active, now)
        if current is None:
            return None
        best: Optional[str] = None
        best_stat = current
        for name in self.standby(now):
            stat = self.statistic(name, now)
            if stat is not None and stat < best_stat:
                best, best_stat = name, stat
        if best is None:
            return None
        clearly_better = (best_stat <= current * (1.0 - self.policy.switch_margin)
                          and current - best_stat >= self.policy.switch_margin_abs_s)
        return best if clearly_better else None

    def _switch_to(self, name: Optional[str], now: float) -> None:
        self._active = name
        self._challenger = None
        if name is not None:
            self._ever_active = True
            self._edges[name].warmup_left = self.policy.warmup_samples
