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
The bridge's decisions: which frame goes to which edge, what is published, which edge serves.

Pure logic, no ROS and no gRPC: the node hands it events with the time (a camera frame, an
edge's answer, a health change, a timer tick, a degrading network interface) and carries out
the `Decision` it returns: the Detect calls to send, the detections to publish, whether to
publish `edge/active`, what to log. It keeps the request registry (which frame went to which
edge and when), resends a frame after a failover, frees the slots of requests to edges that
failed, sends probe frames to standby edges, and decides between the selector's remote edge and
the local standby. Not thread-safe: the node calls it under one lock.
"""
from dataclasses import dataclass, field, replace
from typing import Any, Dict, List, Optional, Sequence, Tuple

from liquid_edge_bridge.detections import DetectResult, EdgeAnswer, Outcome
from liquid_edge_bridge.edge_selector import EdgeHealth, EdgeSelector, SelectionPolicy
from liquid_edge_bridge.encoding_controller import EncodingSettings
from liquid_edge_bridge.frame_pipeline import FramePipeline, InFlight
from liquid_edge_bridge.link_adaptation import LinkAdaptation, LinkUpdate
from liquid_edge_bridge.local_standby import FrameRateCap, LocalStandby, StandbyConfig
from liquid_edge_bridge.sliding_window import SlidingWindow


#: A camera stamp older than this (s) is not taken for the capture time: a file's, a zero.
MAX_CAPTURE_AGE_S = 1.0


def capture_time(stamp_ns: int, wall_ns: int, now: float) -> Optional[float]:
    """
    Return when a frame stamped `stamp_ns` was taken, on the monotonic clock that gave `now`.

    The camera stamps with the robot's wall clock (`wall_ns` read at `now`); a stamp ahead of
    it counts as taken now, one more than MAX_CAPTURE_AGE_S behind gives None (unknown).
    """
    age = max(wall_ns - stamp_ns, 0) * 1e-9
    return now - age if age <= MAX_CAPTURE_AGE_S else None


@dataclass(frozen=True)
class Send:
    """
    One Detect call to make: the request id the edge echoes, the edge, the frame.

    `encoding`: re-encode the frame to these settings first, then report its size with
    `BridgeCoordinator.on_encoded`. A probe from the local standby carries it (the camera's
    frames suit the local edge, the probe must suit the remote edge's link), and so does a
    frame captured before the settings went to fewer bytes (`LinkAdaptation.reencoding_for`).
    """

    request_id: str
    edge: str
    frame: Any
    encoding: Optional[EncodingSettings] = None


@dataclass(frozen=True)
class Answered:
    """Detections to publish: the frame they belong to, the answer, the round trip (s)."""

    frame: Any
    answer: EdgeAnswer
    round_trip_s: float


@dataclass(frozen=True)
class ActiveEdgeChange:
    """`edge/active` to publish: the edge serving now (None: none) and the one before."""

    serving: Optional[str]
    previous: Optional[str]
    on_local: bool

    @property
    def changed(self) -> bool:
        """Tell whether the serving edge changed; false for a refresh of the same one."""
        return self.serving != self.previous


@dataclass(frozen=True)
class EdgeFailure:
    """A call that failed with an error worth a warning (deadline misses are not)."""

    edge: str
    error: str
    local: bool


@dataclass
class Decision:
    """What the node does after an event; empty when nothing is to be done."""

    sends: List[Send] = field(default_factory=list)   # requests first, then probes
    publish: Optional[Answered] = None
    active: Optional[ActiveEdgeChange] = None
    failure: Optional[EdgeFailure] = None
    # (edge, site): an edge answering under another site name, said once per edge.
    misnamed: Optional[Tuple[str, str]] = None
    # A health change to log; None when the edge reported the same health again.
    health_changed: Optional[EdgeHealth] = None
    # An answer showed a changed link, so the encoding was re-decided at once, before the
    # next frame went out: what the camera is to be told. None: not re-decided.
    encoding: Optional[LinkUpdate] = None


@dataclass(frozen=True)
class CoordinatorConfig:
    """What the coordinator is told at configure time."""

    remote_edges: Sequence[str]
    policy: SelectionPolicy
    standby: StandbyConfig
    local_edge: Optional[str] = None   # the local standby edge; None: none
    local_max_fps: float = 2.0
    max_in_flight: int = 2
    probe_period_s: float = 0.5
    latency_window_s: float = 3.0


@dataclass(frozen=True)
class _Frame:
    """
    What the pipeline carries: the node's frame and its size, for the link estimate.

    `captured_at`: when the camera took it, on the coordinator's clock; None: unknown.
    """

    frame: Any
    size_bytes: int
    captured_at: Optional[float] = None


@dataclass(frozen=True)
class _Sent:
    request: Optional[InFlight]  # None for a probe
    edge: str
    sent_at: float
    size_bytes: int


@dataclass
class Counters:
    """Frames and requests that did not make it, for diagnostics."""

    failed_requests: int = 0
    frames_without_edge: int = 0
    frames_capped: int = 0


class BridgeCoordinator:
    """Request registry, failover resends, probes and the serving edge of the bridge."""

    def __init__(self, config: CoordinatorConfig, links: LinkAdaptation, now: float):
        """Start with no edge serving; the standby's budget clock starts at `now`."""
        self.config = config
        self.links = links
        self.selector = EdgeSelector(list(config.remote_edges), config.policy)
        # The local edge is never the selector's: it serves only while no remote edge will.
        self.standby = LocalStandby(config.local_edge or 'local', config.standby, now)
        self.local_cap = FrameRateCap(config.local_max_fps)
        self.pipeline = FramePipeline(config.max_in_flight)
        self.published = SlidingWindow(config.latency_window_s)
        self.counters = Counters()
        self.probe_period_s = config.probe_period_s
        self.local_health = EdgeHealth.UNKNOWN
        self.local_reason = 'not watched yet'
        self._serving: Optional[str] = None
        self._published_active: Optional[str] = None
        self._sent: Dict[str, _Sent] = {}
        self._probes: Dict[str, _Sent] = {}
        self._probe_count = 0
        self._next_probe_at = 0.0
        self._health_seen: Dict[str, EdgeHealth] = {}
        self._misnamed = set()

    @property
    def serving(self) -> Optional[str]:
        """Return the edge frames go to now; None when none serves."""
        return self._serving

    # Events ----------------------------------------------------------------------------

    def start(self, now: float) -> Decision:
        """Return the first `edge/active`: no edge serves yet."""
        return Decision(active=ActiveEdgeChange(self._serving, self._published_active,
                                                self.standby.on_local))

    def on_frame(self, frame: Any, size_bytes: int, now: float,
                 captured_at: Optional[float] = None) -> Decision:
        """Take a camera frame taken at `captured_at`: send it (or keep it pending), probes."""
        self.selector.update(now)
        decision = Decision(active=self._sync_active(now))
        if self._serving is None:
            self.counters.frames_without_edge += 1
            return decision
        if self.standby.on_local and not self.local_cap.admit(now):
            self.counters.frames_capped += 1
            return decision
        request = self.pipeline.offer(_Frame(frame, size_bytes, captured_at))
        if request is not None:
            self._register(request, now, decision.sends)
        decision.sends += self._due_probes(frame, size_bytes, now)
        return decision

    def on_result(self, result: DetectResult, now: float) -> Decision:
        """Take an edge's answer (or failure) to a request or a probe."""
        if result.request_id in self._probes:
            return self._on_probe_result(result, now)
        decision = Decision()
        sent = self._sent.pop(result.request_id, None)
        if sent is None:
            return decision  # abandoned after its edge failed, or forgotten at deactivate
        self._record(result, sent.size_bytes, now - sent.sent_at, now, decision)
        serving = self._update_serving(now)
        succeeded = result.outcome is Outcome.OK
        finished = self.pipeline.finish(result.request_id, succeeded)
        if finished.publish:
            round_trip = now - sent.sent_at
            self.published.add(now, round_trip)
            decision.publish = Answered(sent.request.frame.frame, result.answer, round_trip)
        if finished.next_request is not None:
            self._register(finished.next_request, now, decision.sends)
        elif not succeeded and serving not in (None, sent.edge):
            # Failed over: the same frame goes to the new edge instead of waiting for
            # the next camera frame.
            retry = self.pipeline.resend(sent.request)
            if retry is not None:
                self._register(retry, now, decision.sends)
        if not succeeded:
            self._abandon_requests_to_failed_edges(now, decision.sends)
        decision.active = self._sync_active(now)
        return decision

    def on_health(self, edge: str, health: EdgeHealth, reason: str, now: float) -> Decision:
        """Take an edge's health report; requests to an edge no longer serving are freed."""
        decision = Decision()
        if edge == self.config.local_edge:
            self.local_health, self.local_reason = health, reason
        else:
            self.selector.set_health(edge, health, now, reason)
        if self._health_seen.get(edge) is not health:
            self._health_seen[edge] = health
            decision.health_changed = health
        if health is not EdgeHealth.SERVING:
            self._abandon_requests_to_failed_edges(now, decision.sends)
        decision.active = self._sync_active(now)
        return decision

    def on_tick(self, now: float) -> Decision:
        """Re-evaluate the serving edge; `edge/active` is published again either way."""
        self.selector.update(now)
        return Decision(active=self._sync_active(now, refresh=True))

    def on_link_degraded(self, edges: Sequence[str], reason: str, now: float) -> Decision:
        """Fail over the edges reached over a degrading network interface."""
        for edge in edges:
            self.selector.record_error(edge, f'link {reason}', now)
        return Decision(active=self._sync_active(now))

    def on_encoding_tick(self, now: float) -> LinkUpdate:
        """Re-decide the encoding for the link to the remote edge that serves or would."""
        return self.links.update(now, self.selector.active, self.standby.on_local)

    def on_encoded(self, request_id: str, size_bytes: int) -> None:
        """Take the size of a frame or probe re-encoded as its `Send.encoding` said."""
        probe = self._probes.get(request_id)
        if probe is not None:
            self._probes[request_id] = replace(probe, size_bytes=size_bytes)
        sent = self._sent.get(request_id)
        if sent is not None:
            self._sent[request_id] = replace(sent, size_bytes=size_bytes)

    def forget_requests(self) -> None:
        """Forget every request and probe in flight (their calls were cancelled)."""
        for request_id in self._sent:
            self.pipeline.cancel(request_id)
        self.pipeline.drop_pending()
        self._sent.clear()
        self._probes.clear()

    # Queries, for edge/active and diagnostics ------------------------------------------

    def is_local(self, edge: Optional[str]) -> bool:
        """Tell whether `edge` is the local standby edge."""
        return edge is not None and edge == self.config.local_edge

    def serving_latency(self, now: float) -> Optional[float]:
        """Return the serving remote edge's latency statistic; None on the local standby."""
        if self._serving is None or self.standby.on_local:
            return None
        return self.selector.statistic(self._serving, now)

    def unreachable_reason(self, now: float) -> str:
        """Say why no edge serves, edge by edge."""
        reasons = [f'{report.name}: {report.last_error or report.health.value}'
                   for report in self.selector.report(now)]
        if self.config.local_edge is not None:
            reasons.append(f'{self.config.local_edge} (local): '
                           f'{self.local_reason or self.local_health.value}')
        return '; '.join(reasons)

    # Inside ----------------------------------------------------------------------------

    def _register(self, request: InFlight, now: float, sends: List[Send]) -> None:
        """Bind a request to the serving edge and add it to `sends`, if an edge serves."""
        edge = self._serving
        if edge is None:
            self.pipeline.cancel(request.request_id)
            self.pipeline.drop_pending()
            self.counters.frames_without_edge += 1
            return
        self._sent[request.request_id] = _Sent(request, edge, now, request.frame.size_bytes)
        captured_at = request.frame.captured_at
        encoding = None if captured_at is None else self.links.reencoding_for(captured_at)
        sends.append(Send(request.request_id, edge, request.frame.frame, encoding))

    def _abandon_requests_to_failed_edges(self, now: float, sends: List[Send]) -> None:
        """
        Free the slots of requests to edges no longer eligible.

        An edge that fails (NOT_SERVING while draining, an error, missed deadlines) may hold
        requests that end only at their deadline; new frames must not wait for them. The
        frame to send to the new serving edge now is added to `sends`.
        """
        self._update_serving(now)
        failed = [request_id for request_id, sent in self._sent.items()
                  if not self._is_eligible(sent.edge, now)]
        for request_id in failed:
            del self._sent[request_id]
        retry = self.pipeline.abandon(failed)
        if retry is not None:
            self._register(retry, now, sends)

    def _is_eligible(self, edge: str, now: float) -> bool:
        if self.is_local(edge):
            return self.local_health is EdgeHealth.SERVING
        return self.selector.is_eligible(edge, now)

    def _record(self, result: DetectResult, size_bytes: int, round_trip: float, now: float,
                decision: Decision) -> None:
        """Feed one answer to the edge selector and the link estimate."""
        decision.encoding = self._record_link(result, size_bytes, round_trip, now)
        if self.is_local(result.edge):
            if result.outcome is not Outcome.OK:
                self.counters.failed_requests += 1
                decision.failure = EdgeFailure(result.edge, result.error, local=True)
            return
        if result.outcome is Outcome.OK:
            self.selector.record_latency(result.edge, round_trip, now)
            site = result.answer.edge_site
            if site and site != result.edge and result.edge not in self._misnamed:
                self._misnamed.add(result.edge)
                decision.misnamed = (result.edge, site)
            return
        self.counters.failed_requests += 1
        if result.outcome is Outcome.DEADLINE:
            self.selector.record_deadline_miss(result.edge, now)
        else:
            self.selector.record_error(result.edge, result.error, now)
            decision.failure = EdgeFailure(result.edge, result.error, local=False)

    def _record_link(self, result: DetectResult, size_bytes: int, round_trip: float,
                     now: float, probe: bool = False) -> Optional[LinkUpdate]:
        """
        Feed a call to the link estimate and a remote one to the standby.

        When the answer shows that the link changed, the encoding is re-decided now, before
        the pending frame goes out (re-encoded if the new link needs it): return that update;
        None otherwise.
        """
        remote = not self.is_local(result.edge)
        if remote and result.outcome is Outcome.OK:
            self.standby.record_remote_answer(now, round_trip)
        elif remote:
            self.standby.record_remote_failure(now)
        if result.outcome is Outcome.OK:
            changed = self.links.record_answer(result.edge, now, size_bytes,
                                               result.response_bytes, round_trip,
                                               result.answer.edge_total_ms / 1000.0)
            if not changed:
                return None
            if remote:
                self.standby.record_link_change(now)
            return self.on_encoding_tick(now)
        if not (probe and self.standby.on_local):
            # A probe lost from the local standby says the remote edge is not back; not
            # that its frames are too large (an outage loses them whatever their size).
            self.links.record_failure(result.edge, now)
        return None

    # Probes: real frames to standby edges, so their latency is known before a switch.

    def _due_probes(self, frame: Any, size_bytes: int, now: float) -> List[Send]:
        if self.probe_period_s <= 0.0 or now < self._next_probe_at:
            return []
        self._next_probe_at = now + self.probe_period_s
        edges = self.selector.standby(now)
        if self.standby.on_local and self.selector.active is not None:
            # The remote edge that would serve must show it answers in time again.
            edges = [self.selector.active] + list(edges)
        probes = []
        encoding = self.links.probe_settings
        for edge in edges:
            self._probe_count += 1
            probe = Send(f'probe-{self._probe_count}', edge, frame, encoding)
            self._probes[probe.request_id] = _Sent(None, edge, now, size_bytes)
            probes.append(probe)
        return probes

    def _on_probe_result(self, result: DetectResult, now: float) -> Decision:
        probe = self._probes.pop(result.request_id)
        round_trip = now - probe.sent_at
        decision = Decision(encoding=self._record_link(
            result, probe.size_bytes, round_trip, now, probe=True))
        if result.outcome is Outcome.OK:
            self.selector.record_latency(probe.edge, round_trip, now)
        else:
            if result.outcome is Outcome.DEADLINE:
                self.selector.record_deadline_miss(probe.edge, now)
            else:
                self.selector.record_error(probe.edge, result.error, now)
            # The edge may have become active since the probe was sent.
            self._abandon_requests_to_failed_edges(now, decision.sends)
        decision.active = self._sync_active(now)
        return decision

    # The serving edge -------------------------------------------------------------------

    def _update_serving(self, now: float) -> Optional[str]:
        """Return the edge frames go to: the selector's remote one or the local standby."""
        remote = self.selector.active
        if self.config.local_edge is None:
            self._serving = remote
        else:
            self._serving = self.standby.serving(
                now, remote, local_available=self.local_health is EdgeHealth.SERVING)
        return self._serving

    def _sync_active(self, now: float, refresh: bool = False) -> Optional[ActiveEdgeChange]:
        """Return the `edge/active` to publish: when the serving edge changed, or on refresh."""
        serving = self._update_serving(now)
        if serving == self._published_active and not refresh:
            return None
        change = ActiveEdgeChange(serving, self._published_active, self.standby.on_local)
        self._published_active = serving
        return change
