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
What a run over a changing link measured (issue 12): per link phase, and per timeline row.

Pure, like `metrics`: it reads a `Timeline`. Each phase is a window [start, end) of the
run's clock, the scenario's link schedule of its first shaped edge; every figure of a phase
covers exactly that window: a state or standby sample that began before it counts from the
phase's start.

- `link_fields`: what each timeline row gains: `jpeg_bytes` (the latest published frame),
  `quality`, `width` (the capture settings in force), `link_phase`, `on_local`.
- `phase_figures`: capture-to-detections p50/p95 (wall clock from the frame's capture stamp
  to the detections' arrival), `on_target` (as `metrics.identity_figures`, over the phase),
  mean JPEG bytes per frame, detections per second, seconds on the local standby edge (as
  the bridge's edge/active says) and the fastest forward or backward chassis command of a
  follow tick that knew the standby served (follow/state carries both). cmd_vel has no
  stamp: paired with edge/active by arrival, the command of a tick that ran just before the
  follow node heard of the switch would count as given on the standby.
"""
from bisect import bisect_right
from dataclasses import asdict, dataclass
from typing import Optional

from liquid_edge_sim.metrics import identity_figures, percentile, Timeline


@dataclass(frozen=True)
class PhaseFigures:
    """The figures of one link phase; None where the phase gave nothing to measure."""

    name: str
    start_s: float
    end_s: float
    latency_p50_s: Optional[float]
    latency_p95_s: Optional[float]
    on_target: Optional[float]
    bytes_per_frame: Optional[float]
    detections_per_s: float
    local_s: float
    max_speed_on_local_mps: Optional[float]

    def as_dict(self) -> dict:
        """Plain dict for summary.json."""
        return asdict(self)


def phase_windows(timeline: Timeline, end: float) -> list[tuple[str, float, float]]:
    """Return (name, start, end) of each link phase that began before `end`."""
    starts = [start for start, _ in timeline.link_phases] + [end]
    return [(name, start, min(after, end))
            for (start, name), after in zip(timeline.link_phases, starts[1:]) if start < end]


def link_phase_at(timeline: Timeline, t: float) -> Optional[str]:
    """Return the name of the link phase at `t`, None without a link schedule."""
    index = bisect_right([start for start, _ in timeline.link_phases], t) - 1
    return timeline.link_phases[max(index, 0)][1] if timeline.link_phases else None


def link_fields(timeline: Timeline, rows: list[dict]) -> list[dict]:
    """Return the rows with `jpeg_bytes`, `quality`, `width`, `link_phase`, `on_local`."""
    frame_times = [frame.t for frame in timeline.frames]
    setting_times = [sample.t for sample in timeline.capture_settings]
    standby_times = [t for t, _ in timeline.standby]
    extended = []
    for row in rows:
        t = row['t']
        frame = _latest(timeline.frames, frame_times, t)
        setting = _latest(timeline.capture_settings, setting_times, t)
        standby = _latest(timeline.standby, standby_times, t)
        extended.append({
            **row,
            'jpeg_bytes': frame.jpeg_bytes if frame is not None else None,
            'quality': setting.quality if setting is not None else None,
            'width': setting.width if setting is not None else None,
            'link_phase': link_phase_at(timeline, t),
            'on_local': bool(standby[1]) if standby is not None else False,
        })
    return extended


def phase_figures(timeline: Timeline, rows: list[dict], end: float) -> list[PhaseFigures]:
    """Return the figures of each link phase up to `end`, from the timeline and its rows."""
    figures = []
    for name, start, stop in phase_windows(timeline, end):
        duration = stop - start
        latencies = [s for t, s in timeline.capture_latencies if start <= t < stop]
        sizes = [f.jpeg_bytes for f in timeline.frames if start <= f.t < stop]
        detections = sum(1 for d in timeline.detections if start <= d.t < stop)
        figures.append(PhaseFigures(
            name=name, start_s=start, end_s=stop,
            latency_p50_s=percentile(latencies, 0.5),
            latency_p95_s=percentile(latencies, 0.95),
            on_target=identity_figures(_rows_within(rows, start, stop), stop).on_target,
            bytes_per_frame=sum(sizes) / len(sizes) if sizes else None,
            detections_per_s=detections / duration if duration > 0.0 else 0.0,
            local_s=time_on_local(timeline, start, stop),
            max_speed_on_local_mps=max(
                (abs(state.linear_x) for state in timeline.states
                 if start <= state.t < stop and state.local_standby), default=None)))
    return figures


def time_on_local(timeline: Timeline, start: float, stop: float) -> float:
    """Return the seconds of [start, stop) during which the local standby edge served."""
    total = 0.0
    samples = timeline.standby
    for index, (t, on_local) in enumerate(samples):
        until = samples[index + 1][0] if index + 1 < len(samples) else stop
        if on_local:
            total += max(min(until, stop) - max(t, start), 0.0)
    return total


def _rows_within(rows: list[dict], start: float, stop: float) -> list[dict]:
    """Return the rows of [start, stop), the one in force at `start` moved to `start`."""
    times = [row['t'] for row in rows]
    first = bisect_right(times, start) - 1
    within = [row for row in rows if start < row['t'] < stop]
    if first >= 0:
        within.insert(0, {**rows[first], 't': start})
    return within


def _latest(samples: list, times: list[float], t: float):
    index = bisect_right(times, t) - 1
    return samples[index] if index >= 0 else None


def format_phases(phases: list[dict]) -> str:
    """Return the per-phase figures (`PhaseFigures.as_dict`) as a table for humans."""
    def ms(value):
        return '-' if value is None else f'{1000.0 * value:.0f}'

    lines = [f'{"link phase":<12} {"s":>9} {"p50 ms":>7} {"p95 ms":>7} {"on target":>9} '
             f'{"kB/frame":>8} {"det/s":>6} {"local s":>7}']
    for phase in phases:
        on_target = phase['on_target']
        size = phase['bytes_per_frame']
        lines.append(
            f'{phase["name"]:<12} {phase["start_s"]:4.0f}-{phase["end_s"]:<4.0f} '
            f'{ms(phase["latency_p50_s"]):>7} {ms(phase["latency_p95_s"]):>7} '
            f'{"-" if on_target is None else f"{on_target:.2f}":>9} '
            f'{"-" if size is None else f"{size / 1000.0:.1f}":>8} '
            f'{phase["detections_per_s"]:6.1f} {phase["local_s"]:7.1f}')
    return '\n'.join(lines)
