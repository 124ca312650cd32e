"""
What a closed-loop run measured: the timeline of samples, the summary, the status line.

Pure: a recorder (ROS side) appends samples with their receive time `t` (s since the run
started); everything here reads them. Errors are fractions of the image width (+ right),
as in liquid_edge_interfaces/FollowState; boxes are (centre x, centre y, width, height) in
pixels of the camera image.
"""
from bisect import bisect_right
from dataclasses import asdict, dataclass, field
import math
from typing import Optional

from liquid_edge_follow.led import led_effect_for
from liquid_edge_follow.state_machine import State

from liquid_edge_sim.world import DISTRACTOR_ID, TARGET_ID

FOLLOW = 'follow'


Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class StateSample:
    """follow/state: state name, the target's box (None: none) and the errors measured on it."""

    t: float
    state: str
    horizontal_error: float
    distance_error: float
    target_box: Optional[Box] = None


@dataclass(frozen=True)
class TruthSample:
    """sim/ground_truth of one frame (its stamp, ns): each drawn person's whole picture."""

    t: float
    stamp_ns: int
    people: dict[str, Box]


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


@dataclass
class Timeline:
    """Everything recorded during one run, in arrival order per list."""

    image_size: tuple[int, int] = (640, 480)
    states: list[StateSample] = field(default_factory=list)
    truths: list[TruthSample] = field(default_factory=list)
    edges: list[EdgeSample] = field(default_factory=list)
    latencies: list[tuple[float, float]] = field(default_factory=list)  # (t, seconds)
    detections: list[DetectionSample] = field(default_factory=list)
    velocities: list[VelocitySample] = field(default_factory=list)
    leds: list[LedSample] = field(default_factory=list)
    outages: list[OutageEvent] = field(default_factory=list)


@dataclass(frozen=True)
class Summary:
    """The figures of a run; None where the run gave nothing to measure."""

    duration_s: float
    time_to_acquire_s: Optional[float]
    following_fraction: Optional[float]
    mean_abs_horizontal_error: Optional[float]
    within_band_fraction: Optional[float]
    distractor_fraction: Optional[float]
    led_agreement: Optional[float]
    failover_s: Optional[float]
    stop_after_all_edges_down_s: Optional[float]
    detection_frames: int
    detection_fps: float
    latency_p50_s: Optional[float]
    latency_p99_s: Optional[float]
    horizontal_band: float

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
        if state is not None and state.state == FOLLOW and TARGET_ID in truth.people:
            errors.append(truth.people[TARGET_ID][0] / width - 0.5)
    return errors


def followed_person(target_box: Box, truth: TruthSample,
                    image_size: tuple[int, int]) -> Optional[str]:
    """
    Return the drawn person a followed box is on, or None.

    That is the person whose part inside the frame holds the box's centre (of two, the one
    closer in height).
    """
    cx, cy = target_box[0], target_box[1]
    holding = []
    for person_id, box in truth.people.items():
        visible, _ = visible_part(box, image_size)
        if visible is not None and abs(cx - visible[0]) <= visible[2] / 2.0 \
                and abs(cy - visible[1]) <= visible[3] / 2.0:
            holding.append((abs(visible[3] - target_box[3]), person_id))
    return min(holding)[1] if holding else None


def distractor_fraction(timeline: Timeline, end: float = math.inf,
                        min_visible: float = 0.5) -> Optional[float]:
    """
    Return the share of follow samples spent on the distractor, the astronaut in view.

    A sample counts when the frame behind the follow node's latest detections shows the
    astronaut at least `min_visible` inside the frame and the distractor too, and the
    followed box is on one of them (`followed_person`).
    """
    truth_by_stamp = {truth.stamp_ns: truth for truth in timeline.truths}
    detection_times = [d.t for d in timeline.detections]
    decided = stolen = 0
    for state in timeline.states:
        if state.t >= end:
            break
        if state.state != FOLLOW or state.target_box is None:
            continue
        index = bisect_right(detection_times, state.t) - 1
        if index < 0:
            continue
        truth = truth_by_stamp.get(timeline.detections[index].stamp_ns)
        if truth is None or DISTRACTOR_ID not in truth.people or TARGET_ID not in truth.people:
            continue
        if visible_part(truth.people[TARGET_ID], timeline.image_size)[1] < min_visible:
            continue
        person = followed_person(state.target_box, truth, timeline.image_size)
        if person is not None:
            decided += 1
            stolen += person == DISTRACTOR_ID
    return stolen / decided if decided else None


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
    latencies = [seconds for _, seconds in timeline.latencies]
    frames = len(timeline.detections)
    return Summary(
        duration_s=end,
        time_to_acquire_s=time_to_acquire(timeline),
        following_fraction=following_fraction(timeline, end),
        mean_abs_horizontal_error=sum(map(abs, errors)) / len(errors) if errors else None,
        within_band_fraction=(sum(abs(e) < band for e in errors) / len(errors)
                              if errors else None),
        distractor_fraction=distractor_fraction(timeline, end),
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
        f'followed the distractor {share(summary.distractor_fraction)}',
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
    latency = timeline.latencies[-1][1] if timeline.latencies else None
    edge_text = (edge.name if edge.reachable else 'none') if edge is not None else '-'
    latency_text = '-' if latency is None else f'{1000.0 * latency:4.0f} ms'
    error_text = (f'{state.horizontal_error:+.2f}' if state is not None
                  and state.state == FOLLOW else '  - ')
    return (f't={now:5.1f} s  state={state.state if state else "-":7s} edge={edge_text:7s} '
            f'fps={recent / window:4.1f}  latency={latency_text}  error={error_text}')
