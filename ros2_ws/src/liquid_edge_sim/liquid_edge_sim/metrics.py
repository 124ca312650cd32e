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
What a closed-loop run measured: the timeline of samples, the summary, the status line.

Pure: a recorder (ROS side) appends samples with their receive time `t` (s since the run
started); everything here reads them. Errors are fractions of the image width (+ right),
as in liquid_edge_interfaces/FollowState; boxes are (centre x, centre y, width, height) in
pixels of the camera image, except in the timeline rows (`timeline_rows`, out/timeline.jsonl),
which give [x, y, w, h] with the top-left corner, as the issue and most tools expect.

The identity figures (`on_target`, `wrong_person_s`, `reacquire_s`) are computed from those
rows alone, over the whole run, so what summary.json says can be checked against the file.
"""
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
import math
from typing import Optional

from liquid_edge_follow.led import led_effect_for
from liquid_edge_follow.state_machine import State

from liquid_edge_sim.world import TARGET_ID
import numpy as np

FOLLOW = 'follow'


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class StateSample:
    """
    follow/state: state name, the target's box (None: none) and the errors measured on it.

    `track_id` and `match_score` are the followed track and its appearance match (0..1);
    `coasting`: the box is a prediction, the target was not seen in the latest frame.
    `local_standby` and `linear_x` (m/s) are the follow node's view of the local standby and
    its chassis command of the same tick.
    """

    t: float
    state: str
    horizontal_error: float
    distance_error: float
    target_box: Optional[Box] = None
    track_id: str = ''
    match_score: float = 0.0
    coasting: bool = False
    local_standby: bool = False
    linear_x: float = 0.0


@dataclass(frozen=True)
class TruthSample:
    """
    sim/ground_truth of one frame (its stamp, ns): each drawn person's whole picture.

    `depths` (m along the optical axis, by person) say who hides whom; a person without one
    hides nobody and is hidden by nobody.
    """

    t: float
    stamp_ns: int
    people: dict[str, Box]
    depths: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class DetectionSample:
    """detections: how many objects the edge found in the frame with this stamp (ns)."""

    t: float
    stamp_ns: int
    count: int


@dataclass(frozen=True)
class EdgeSample:
    """edge/active: which edge serves the robot (name empty when none is reachable)."""

    t: float
    name: str
    reachable: bool


@dataclass(frozen=True)
class VelocitySample:
    """cmd_vel: forward (m/s) and turn (rad/s) command."""

    t: float
    linear_x: float
    angular_z: float


@dataclass(frozen=True)
class LedSample:
    """leds/effect: effect number (liquid_edge_interfaces/LEDEffect) and its on time t1 (s)."""

    t: float
    effect: int
    t1: float


@dataclass(frozen=True)
class OutageEvent:
    """A scripted edge outage: `edges` went down (or came back up, `up`) at t."""

    t: float
    edges: tuple[str, ...]
    up: bool = False


@dataclass(frozen=True)
class FrameSample:
    """camera/image_raw/compressed: one published JPEG's size, bytes."""

    t: float
    stamp_ns: int
    jpeg_bytes: int


@dataclass(frozen=True)
class CaptureSample:
    """camera/capture_settings: what the bridge asked the camera for."""

    t: float
    quality: int
    width: int
    height: int
    fps: float


@dataclass
class Timeline:
    """Everything recorded during one run, in arrival order per list."""

    image_size: tuple[int, int] = (640, 480)
    target_id: str = TARGET_ID     # the scenario's target: the person the robot must follow
    states: list[StateSample] = field(default_factory=list)
    truths: list[TruthSample] = field(default_factory=list)
    edges: list[EdgeSample] = field(default_factory=list)
    detections: list[DetectionSample] = field(default_factory=list)
    velocities: list[VelocitySample] = field(default_factory=list)
    leds: list[LedSample] = field(default_factory=list)
    outages: list[OutageEvent] = field(default_factory=list)
    # The link (issue 12; figures in liquid_edge_sim.link_metrics):
    frames: list[FrameSample] = field(default_factory=list)
    # (t, s): each detections message, its frame's capture stamp to its arrival here.
    capture_latencies: list[tuple[float, float]] = field(default_factory=list)
    capture_settings: list[CaptureSample] = field(default_factory=list)
    standby: list[tuple[float, bool]] = field(default_factory=list)  # (t, on the local edge)
    link_phases: tuple[tuple[float, str], ...] = ()  # (start t, name) of the link's phases


@dataclass(frozen=True)
class Summary:
    """The figures of a run; None where the run gave nothing to measure."""

    duration_s: float
    time_to_acquire_s: Optional[float]
    following_fraction: Optional[float]
    mean_abs_horizontal_error: Optional[float]
    within_band_fraction: Optional[float]
    on_target: Optional[float]
    wrong_person_s: float
    reacquire_s: Optional[float]
    reacquisitions: int
    led_agreement: Optional[float]
    failover_s: Optional[float]
    stop_after_all_edges_down_s: Optional[float]
    detection_frames: int
    detection_fps: float
    latency_p50_s: Optional[float]
    latency_p99_s: Optional[float]
    horizontal_band: float
    # Per link phase (liquid_edge_sim.link_metrics.PhaseFigures.as_dict), when it has a link.
    phases: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        """Plain dict for summary.json."""
        return asdict(self)


def state_at(states: list[StateSample], t: float,
             times: Optional[list[float]] = None) -> Optional[StateSample]:
    """Return the last state sample received at or before t (`times`: the samples' t)."""
    index = bisect_right(times if times is not None else [s.t for s in states], t) - 1
    return states[index] if index >= 0 else None


def time_to_acquire(timeline: Timeline) -> Optional[float]:
    """Return the seconds from the run's start to the first follow state."""
    return next((s.t for s in timeline.states if s.state == FOLLOW), None)


def following_fraction(timeline: Timeline, end: float) -> Optional[float]:
    """Return the share of time from acquisition to `end` spent in follow."""
    acquired = time_to_acquire(timeline)
    if acquired is None or end <= acquired:
        return None
    following = 0.0
    states = [s for s in timeline.states if acquired <= s.t < end]
    for here, there in zip(states, states[1:] + [StateSample(end, '', 0.0, 0.0)]):
        if here.state == FOLLOW:
            following += min(there.t, end) - here.t
    return following / (end - acquired)


def visible_part(box: Box, image_size: tuple[int, int]) -> tuple[Optional[Box], float]:
    """Return the part of a box inside the image, and the fraction of its area that is."""
    cx, cy, w, h = box
    width, height = image_size
    x0, y0 = max(cx - w / 2.0, 0.0), max(cy - h / 2.0, 0.0)
    x1, y1 = min(cx + w / 2.0, width), min(cy + h / 2.0, height)
    if x1 <= x0 or y1 <= y0 or w <= 0.0 or h <= 0.0:
        return None, 0.0
    return ((x0 + x1) / 2.0, (y0 + y1) / 2.0, x1 - x0, y1 - y0), (x1 - x0) * (y1 - y0) / (w * h)


def target_errors_while_following(timeline: Timeline, end: float = math.inf) -> list[float]:
    """Return the target's true horizontal errors in frames rendered while following."""
    errors = []
    times = [s.t for s in timeline.states]
    width = timeline.image_size[0]
    for truth in timeline.truths:
        if truth.t >= end:
            break
        state = state_at(timeline.states, truth.t, times)
        if state is not None and state.state == FOLLOW and timeline.target_id in truth.people:
            errors.append(truth.people[timeline.target_id][0] / width - 0.5)
    return errors


def followed_person(target_box: Box, truth: TruthSample,
                    image_size: tuple[int, int]) -> Optional[str]:
    """
    Return the drawn person a followed box is on, or None.

    Among the people whose picture (cut at the frame, hidden or not) holds the box's centre,
    the one whose picture overlaps the box most (IoU): a box coasting on a target hidden behind
    someone is on the target, a box on the one in front is on them.
    """
    cx, cy = target_box[0], target_box[1]
    holding = []
    for person_id, box in truth.people.items():
        visible, _ = visible_part(box, image_size)
        if visible is not None and abs(cx - visible[0]) <= visible[2] / 2.0 \
                and abs(cy - visible[1]) <= visible[3] / 2.0:
            holding.append((_iou(visible, target_box), person_id))
    return max(holding)[1] if holding else None


def _iou(a: Box, b: Box) -> float:
    """Intersection over union of two centre-format boxes."""
    overlap_x = min(a[0] + a[2] / 2, b[0] + b[2] / 2) - max(a[0] - a[2] / 2, b[0] - b[2] / 2)
    overlap_y = min(a[1] + a[3] / 2, b[1] + b[3] / 2) - max(a[1] - a[3] / 2, b[1] - b[3] / 2)
    if overlap_x <= 0.0 or overlap_y <= 0.0:
        return 0.0
    inter = overlap_x * overlap_y
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


# Visibility is counted on a grid of this many pixels a side: exact enough for a fraction.
_VISIBILITY_CELL = 4


def people_in_frame(truth: TruthSample, image_size: tuple[int, int]) -> list[dict]:
    """
    Return each drawn person's visible part: id, box [x, y, w, h] (top-left, px), visible.

    `visible` (0..1) is the share of the whole picture that is inside the frame and not behind
    a nearer person's picture; the box bounds that share (None when nothing is).
    """
    width, height = image_size
    cell = _VISIBILITY_CELL
    people = []
    for person_id, box in truth.people.items():
        inside, _ = visible_part(box, image_size)
        if inside is None:
            people.append({'id': person_id, 'box': None, 'visible': 0.0})
            continue
        mask = np.zeros((-(-height // cell), -(-width // cell)), bool)
        _fill(mask, inside, True)
        depth = truth.depths.get(person_id)
        for other_id, other in truth.people.items():
            other_depth = truth.depths.get(other_id)
            if other_id != person_id and None not in (depth, other_depth) \
                    and other_depth < depth:
                other_inside, _ = visible_part(other, image_size)
                if other_inside is not None:
                    _fill(mask, other_inside, False)
        rows, columns = np.nonzero(mask)
        if not len(rows):
            people.append({'id': person_id, 'box': None, 'visible': 0.0})
            continue
        cells = len(rows) * cell * cell
        x0, y0 = columns.min() * cell, rows.min() * cell
        x1 = min((columns.max() + 1) * cell, width)
        y1 = min((rows.max() + 1) * cell, height)
        people.append({'id': person_id,
                       'box': [float(x0), float(y0), float(x1 - x0), float(y1 - y0)],
                       'visible': round(min(cells / (box[2] * box[3]), 1.0), 3)})
    return people


def _fill(mask: np.ndarray, box: Box, value: bool) -> None:
    cell = _VISIBILITY_CELL
    cx, cy, w, h = box
    mask[int(round((cy - h / 2) / cell)):int(round((cy + h / 2) / cell)),
         int(round((cx - w / 2) / cell)):int(round((cx + w / 2) / cell))] = value


def _top_left(box: Optional[Box]) -> Optional[list[float]]:
    if box is None:
        return None
    cx, cy, w, h = box
    return [round(cx - w / 2, 1), round(cy - h / 2, 1), round(w, 1), round(h, 1)]


# A decision older than this (s) is not about the frame it was made on any more.
_DECISION_FRAME_AGE = 1.0


def timeline_rows(timeline: Timeline, end: float = math.inf) -> list[dict]:
    """
    Return one row per follow-state sample before `end`: out/timeline.jsonl.

    Fields: `t`, `state`, `target_box` (followed box, [x, y, w, h] top-left px, or None),
    `track_id`, `match_score`, `target_id` (the scenario's target), `people` (each drawn
    person's visible part, see `people_in_frame`), `followed` (whom the followed box is on,
    see `followed_person`, or None), `edge` (active edge or None) and `latency_ms` (the
    latest capture-to-detections latency, or None). The people are those of the frame the
    follow node's latest detections came from, or of the latest frame when no decision is
    that recent (edges down).
    """
    truth_by_stamp = {truth.stamp_ns: truth for truth in timeline.truths}
    truth_times = [truth.t for truth in timeline.truths]
    detection_times = [d.t for d in timeline.detections]
    edge_times = [e.t for e in timeline.edges]
    latency_times = [t for t, _ in timeline.capture_latencies]
    people_cache: dict[int, list[dict]] = {}
    rows = []
    for state in timeline.states:
        if state.t >= end:
            break
        truth = None
        index = bisect_right(detection_times, state.t) - 1
        if index >= 0 and state.t - detection_times[index] <= _DECISION_FRAME_AGE:
            truth = truth_by_stamp.get(timeline.detections[index].stamp_ns)
        if truth is None:
            index = bisect_right(truth_times, state.t) - 1
            truth = timeline.truths[index] if index >= 0 else None
        people = []
        followed = None
        if truth is not None:
            if truth.stamp_ns not in people_cache:
                people_cache[truth.stamp_ns] = people_in_frame(truth, timeline.image_size)
            people = people_cache[truth.stamp_ns]
            if state.target_box is not None:
                followed = followed_person(state.target_box, truth, timeline.image_size)
        index = bisect_right(edge_times, state.t) - 1
        edge = timeline.edges[index] if index >= 0 else None
        index = bisect_right(latency_times, state.t) - 1
        rows.append({
            't': round(state.t, 3), 'state': state.state,
            'target_box': _top_left(state.target_box),
            'track_id': state.track_id or None, 'match_score': round(state.match_score, 3),
            'target_id': timeline.target_id, 'people': people, 'followed': followed,
            'edge': edge.name if edge is not None and edge.reachable else None,
            'latency_ms': (round(1000.0 * timeline.capture_latencies[index][1], 1)
                           if index >= 0 else None),
        })
    return rows


# The target counts as in view when at least this share of her picture can be seen.
IN_VIEW = 0.5


def _durations(rows: list[dict], end: float) -> list[float]:
    times = [row['t'] for row in rows] + [end]
    return [max(min(b, end) - a, 0.0) for a, b in zip(times, times[1:])]


def _target_visible(row: dict) -> float:
    return next((p['visible'] for p in row['people'] if p['id'] == row['target_id']), 0.0)


def _on_target(row: dict) -> bool:
    return row['state'] == FOLLOW and row['followed'] == row['target_id']


@dataclass(frozen=True)
class IdentityFigures:
    """Whom the robot followed, over the whole run (see `identity_figures`)."""

    on_target: Optional[float]
    wrong_person_s: float
    reacquire_s: Optional[float]
    reacquisitions: int


def identity_figures(rows: list[dict], end: float) -> IdentityFigures:
    """
    Return the identity figures of timeline rows up to `end` (s).

    `on_target`: time following the target ÷ time after the first acquisition (first follow
    state) in which the target is at least IN_VIEW visible. `wrong_person_s`: total time the
    followed box is on someone else, whatever the state and whether or not the target is in
    view. `reacquire_s`: the longest time from the target's return into view (visible rising
    to IN_VIEW) to following her again, 0 where she is followed as she returns; a return
    never followed counts until `end`. None when nothing was measurable.
    """
    durations = _durations(rows, end)
    acquired = next((i for i, row in enumerate(rows) if row['state'] == FOLLOW), None)
    wrong = sum(d for row, d in zip(rows, durations)
                if row['followed'] is not None and row['followed'] != row['target_id'])
    if acquired is None:
        return IdentityFigures(None, wrong, None, 0)
    in_view = following = 0.0
    waits = []
    returned_at = None
    was_visible = True
    for row, d in zip(rows[acquired:], durations[acquired:]):
        visible = _target_visible(row) >= IN_VIEW
        if visible:
            in_view += d
            following += d if _on_target(row) else 0.0
        if visible and not was_visible and returned_at is None:
            returned_at = row['t']
        if returned_at is not None and _on_target(row):
            waits.append(row['t'] - returned_at)
            returned_at = None
        was_visible = visible
    if returned_at is not None:
        waits.append(end - returned_at)
    return IdentityFigures(following / in_view if in_view > 0.0 else None, wrong,
                           max(waits) if waits else None, len(waits))


def led_agreement(timeline: Timeline, grace: float = 0.5) -> Optional[float]:
    """
    Return the share of LED commands that show the effect of the state around them.

    The LED command and the state message of one change travel on different topics, so a
    command matches when any state received within `grace` seconds of it has its effect.
    """
    if not timeline.leds:
        return None
    matched = 0
    times = [s.t for s in timeline.states]
    for led in timeline.leds:
        first = bisect_right(times, led.t - grace)
        nearby = timeline.states[first:bisect_right(times, led.t + grace)]
        before = state_at(timeline.states, led.t, times)
        if before is not None:
            nearby.append(before)
        if any(_effect_of(s.state) == (led.effect, round(led.t1, 3)) for s in nearby):
            matched += 1
    return matched / len(timeline.leds)


def _effect_of(state_name: str) -> Optional[tuple[int, float]]:
    """Return the LED effect and on time the follow node shows in a state (by name)."""
    try:
        effect = led_effect_for(State[state_name.upper()])
    except KeyError:
        return None
    return effect.effect, round(effect.t1, 3)


def failover_time(timeline: Timeline) -> Optional[float]:
    """Return the seconds from the first one-edge outage to another edge's detections."""
    outage = next((o for o in timeline.outages if not o.up and len(o.edges) == 1), None)
    if outage is None:
        return None
    edge_times = [e.t for e in timeline.edges]
    for t in (d.t for d in timeline.detections):
        if t <= outage.t:
            continue
        index = bisect_right(edge_times, t) - 1
        if index < 0:
            continue
        active = timeline.edges[index]
        if active.reachable and active.name not in outage.edges:
            return t - outage.t
    return None


def stop_time(timeline: Timeline, all_edges: tuple[str, ...]) -> Optional[float]:
    """Return the seconds from the outage of every edge until cmd_vel is zero for good."""
    outage = next((o for o in timeline.outages if not o.up and set(all_edges) <= set(o.edges)),
                  None)
    if outage is None:
        return None
    after = [v for v in timeline.velocities if v.t > outage.t]
    moving = [v.t for v in after if v.linear_x != 0.0 or v.angular_z != 0.0]
    stopped = [v.t for v in after if v.t > max(moving, default=-math.inf)
               and v.linear_x == 0.0 and v.angular_z == 0.0]
    return stopped[0] - outage.t if stopped else None


def percentile(values: list[float], fraction: float) -> Optional[float]:
    """Return the `fraction` quantile (nearest rank) of values, None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    rank = min(len(ordered) - 1, max(0, math.ceil(fraction * len(ordered)) - 1))
    return ordered[rank]


def summarize(timeline: Timeline, end: float, all_edges: tuple[str, ...] = (),
              band: float = 0.15) -> Summary:
    """Return the run's figures up to `end` (s); `band` bounds |horizontal error|."""
    errors = target_errors_while_following(timeline, end)
    identity = identity_figures(timeline_rows(timeline, end), end)
    latencies = [seconds for _, seconds in timeline.capture_latencies]
    frames = len(timeline.detections)
    return Summary(
        duration_s=end,
        time_to_acquire_s=time_to_acquire(timeline),
        following_fraction=following_fraction(timeline, end),
        mean_abs_horizontal_error=sum(map(abs, errors)) / len(errors) if errors else None,
        within_band_fraction=(sum(abs(e) < band for e in errors) / len(errors)
                              if errors else None),
        on_target=identity.on_target,
        wrong_person_s=identity.wrong_person_s,
        reacquire_s=identity.reacquire_s,
        reacquisitions=identity.reacquisitions,
        led_agreement=led_agreement(timeline),
        failover_s=failover_time(timeline),
        stop_after_all_edges_down_s=stop_time(timeline, all_edges) if all_edges else None,
        detection_frames=frames,
        detection_fps=frames / end if end > 0.0 else 0.0,
        latency_p50_s=percentile(latencies, 0.5),
        latency_p99_s=percentile(latencies, 0.99),
        horizontal_band=band,
    )


def format_summary(summary: Summary) -> str:
    """Return the summary for humans, one figure a line."""
    def seconds(value):
        return '-' if value is None else f'{value:.2f} s'

    def share(value):
        return '-' if value is None else f'{100.0 * value:.0f} %'

    def milliseconds(value):
        return '-' if value is None else f'{1000.0 * value:.0f} ms'

    error = summary.mean_abs_horizontal_error
    lines = [
        f'run                     {summary.duration_s:.1f} s',
        f'time to acquire         {seconds(summary.time_to_acquire_s)}',
        f'following               {share(summary.following_fraction)} of the time after',
        f'mean |horizontal error| {"-" if error is None else f"{error:.3f}"} of width',
        f'|error| < {summary.horizontal_band:.2f} width    '
        f'{share(summary.within_band_fraction)} of following time',
        f'on target               {share(summary.on_target)} of the time she is in view',
        f'on someone else         {summary.wrong_person_s:.2f} s',
        f're-acquisition          {seconds(summary.reacquire_s)} worst of '
        f'{summary.reacquisitions}',
        f'LEDs matching the state {share(summary.led_agreement)}',
        f'failover                {seconds(summary.failover_s)}',
        f'stop, all edges down    {seconds(summary.stop_after_all_edges_down_s)}',
        f'detections              {summary.detection_frames} frames, '
        f'{summary.detection_fps:.1f} fps',
        f'latency                 p50 {milliseconds(summary.latency_p50_s)}, '
        f'p99 {milliseconds(summary.latency_p99_s)}',
    ]
    return '\n'.join(lines)


def status_line(timeline: Timeline, now: float, window: float = 2.0) -> str:
    """Return one line for the terminal: state, active edge, fps, latency, error."""
    state = timeline.states[-1] if timeline.states else None
    edge = timeline.edges[-1] if timeline.edges else None
    recent = sum(1 for d in timeline.detections[-200:] if d.t > now - window)
    latency = timeline.capture_latencies[-1][1] if timeline.capture_latencies else None
    edge_text = (edge.name if edge.reachable else 'none') if edge is not None else '-'
    latency_text = '-' if latency is None else f'{1000.0 * latency:4.0f} ms'
    error_text = (f'{state.horizontal_error:+.2f}' if state is not None
                  and state.state == FOLLOW else '  - ')
    return (f't={now:5.1f} s  state={state.state if state else "-":7s} edge={edge_text:7s} '
            f'fps={recent / window:4.1f}  latency={latency_text}  error={error_text}')
