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
A link's schedule of phases: bandwidth, one-way delay, jitter and loss over time, per edge.

Pure data, no sockets: `liquid_edge_sim.link_shaper` applies it to real TCP. A scenario's
YAML carries it as a `link` section, one list of phases per edge::

    link:
      edge-a:
        - {name: 60ghz, duration: 20, rate_mbit: 500, delay_ms: 1}
        - {name: 5g, duration: 20, rate_mbit: 40, delay_ms: 15, jitter_ms: 3}
        - {name: wifi, duration: 20, rate_mbit: 4, delay_ms: 40, jitter_ms: 10, loss: 0.01}
        - {name: outage, duration: 10, outage: true}
        - {name: 60ghz-again, duration: 20, rate_mbit: 500, delay_ms: 1}

A phase's `rate_mbit`, `delay_ms`, `jitter_ms` and `loss` apply to both directions; `up`
(robot to edge) and `down` (edge to robot) override them per direction, e.g.
`up: {rate_mbit: 10}`. `rate_mbit` left out means no bandwidth limit; `loss` is the fraction
of TCP segments lost (0..1); `outage: true` means nothing passes. After its last phase a
schedule stays in that phase, unless `repeat` is set, when it starts again.
"""
from dataclasses import dataclass
import math
from typing import Any, Dict, Mapping, Optional, Sequence, Tuple

_DIRECTION_KEYS = ('rate_mbit', 'delay_ms', 'jitter_ms', 'loss')
_PHASE_KEYS = {'name', 'duration', 'outage', 'up', 'down', *_DIRECTION_KEYS}


class LinkScheduleError(ValueError):
    """A link schedule cannot be used; the message says which phase and field, and why."""


@dataclass(frozen=True)
class DirectionShape:
    """How one direction of the link behaves: bits per second, seconds, fraction."""

    rate_bps: Optional[float] = None  # None: no bandwidth limit
    delay_s: float = 0.0
    jitter_s: float = 0.0
    loss: float = 0.0

    def __post_init__(self):
        """Reject values no link can have."""
        if self.rate_bps is not None and not (math.isfinite(self.rate_bps)
                                              and self.rate_bps > 0.0):
            raise LinkScheduleError(f'rate must be positive, got {self.rate_bps} bit/s')
        for name in ('delay_s', 'jitter_s'):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0.0):
                raise LinkScheduleError(f'{name} must be a non-negative number, got {value}')
        if not 0.0 <= self.loss <= 1.0:
            raise LinkScheduleError(f'loss is a fraction of segments in [0, 1], got {self.loss}')

    def transmission_s(self, size_bytes: int) -> float:
        """Return how long `size_bytes` take to go onto the link at its rate."""
        return 0.0 if self.rate_bps is None else size_bytes * 8.0 / self.rate_bps


@dataclass(frozen=True)
class LinkPhase:
    """One stretch of time with one link behaviour."""

    duration_s: float
    up: DirectionShape = DirectionShape()    # robot (gRPC client) to edge
    down: DirectionShape = DirectionShape()  # edge to robot
    outage: bool = False
    name: str = ''

    def __post_init__(self):
        """Reject a phase that never ends or takes no time."""
        if not (math.isfinite(self.duration_s) and self.duration_s > 0.0):
            raise LinkScheduleError(f'phase duration must be positive, got {self.duration_s} s')

    @property
    def round_trip_s(self) -> float:
        """Return the propagation round trip: the two one-way delays."""
        return self.up.delay_s + self.down.delay_s


@dataclass(frozen=True)
class PhaseAt:
    """Where a schedule is at one time: phase index and phase, seconds into it."""

    index: int
    phase: LinkPhase
    elapsed_s: float


@dataclass(frozen=True)
class LinkSchedule:
    """Phases one after the other from schedule time 0 (seconds)."""

    phases: Tuple[LinkPhase, ...]
    repeat: bool = False

    def __post_init__(self):
        """Reject an empty schedule."""
        if not self.phases:
            raise LinkScheduleError('a link schedule needs at least one phase')

    @property
    def duration_s(self) -> float:
        """Return the length of one pass through every phase."""
        return sum(phase.duration_s for phase in self.phases)

    def phase_at(self, t: float) -> PhaseAt:
        """Return the phase in force at schedule time `t` (before 0: the first phase)."""
        t = max(0.0, t)
        if self.repeat:
            t %= self.duration_s
        start = 0.0
        for index, phase in enumerate(self.phases):
            if t < start + phase.duration_s:
                return PhaseAt(index, phase, t - start)
            start += phase.duration_s
        last = len(self.phases) - 1
        return PhaseAt(last, self.phases[last], t - (start - self.phases[last].duration_s))

    def phase_starts(self) -> Tuple[float, ...]:
        """Return each phase's start time in the first pass, seconds."""
        starts, t = [], 0.0
        for phase in self.phases:
            starts.append(t)
            t += phase.duration_s
        return tuple(starts)

    @classmethod
    def from_list(cls, phases: Sequence[Mapping[str, Any]], repeat: bool = False
                  ) -> 'LinkSchedule':
        """Build a schedule from YAML-ready phase dicts (see the module docstring)."""
        if isinstance(phases, (str, bytes)) or not isinstance(phases, Sequence):
            raise LinkScheduleError(f'a link schedule is a list of phases, got {phases!r}')
        return cls(tuple(_phase(entry, i) for i, entry in enumerate(phases)), repeat)


def parse_link_section(section: Mapping[str, Any]) -> Dict[str, LinkSchedule]:
    """Turn a scenario's `link` section (edge name to list of phases) into schedules."""
    if not isinstance(section, Mapping) or not section:
        raise LinkScheduleError(
            f'link section must map edge names to lists of phases, got {section!r}')
    schedules = {}
    for edge, phases in section.items():
        try:
            schedules[str(edge)] = LinkSchedule.from_list(phases)
        except LinkScheduleError as error:
            raise LinkScheduleError(f"link of '{edge}': {error}") from None
    return schedules


def _phase(entry: Mapping[str, Any], index: int) -> LinkPhase:
    named = isinstance(entry, Mapping) and 'name' in entry
    where = f'phase {index}' + (f" '{entry['name']}'" if named else '')
    if not isinstance(entry, Mapping):
        raise LinkScheduleError(f'{where} must be a mapping, got {entry!r}')
    unknown = sorted(set(entry) - _PHASE_KEYS)
    if unknown:
        raise LinkScheduleError(f'{where}: unknown fields {unknown}; known: '
                                f'{sorted(_PHASE_KEYS)}')
    if 'duration' not in entry:
        raise LinkScheduleError(f'{where}: duration (seconds) is required')
    try:
        both = {key: entry[key] for key in _DIRECTION_KEYS if key in entry}
        up = _direction({**both, **_overrides(entry, 'up')})
        down = _direction({**both, **_overrides(entry, 'down')})
        outage = entry.get('outage', False)
        if not isinstance(outage, bool):
            raise LinkScheduleError(f'outage must be true or false, got {outage!r}')
        return LinkPhase(duration_s=_number(entry['duration'], 'duration'), up=up, down=down,
                         outage=outage, name=str(entry.get('name', '')))
    except LinkScheduleError as error:
        raise LinkScheduleError(f'{where}: {error}') from None


def _overrides(entry: Mapping[str, Any], direction: str) -> Mapping[str, Any]:
    values = entry.get(direction, {})
    if not isinstance(values, Mapping):
        raise LinkScheduleError(f'{direction} must be a mapping, got {values!r}')
    unknown = sorted(set(values) - set(_DIRECTION_KEYS))
    if unknown:
        raise LinkScheduleError(f'{direction}: unknown fields {unknown}; known: '
                                f'{list(_DIRECTION_KEYS)}')
    return values


def _direction(values: Mapping[str, Any]) -> DirectionShape:
    rate = values.get('rate_mbit')
    return DirectionShape(
        rate_bps=None if rate is None else _number(rate, 'rate_mbit') * 1e6,
        delay_s=_number(values.get('delay_ms', 0.0), 'delay_ms') / 1000.0,
        jitter_s=_number(values.get('jitter_ms', 0.0), 'jitter_ms') / 1000.0,
        loss=_number(values.get('loss', 0.0), 'loss'))


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LinkScheduleError(f'{field} must be a number, got {value!r}')
    return float(value)
