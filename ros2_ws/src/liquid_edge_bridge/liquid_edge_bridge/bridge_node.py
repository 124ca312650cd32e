"""
ROS node `edge_bridge`: camera JPEGs to the best edge, detections back, rqt outputs.

camera/image_raw/compressed (or camera/image_raw with input:=raw) → gRPC Detect on the active
edge → `detections`, `detections/described` (the same with appearance descriptors, for
follow_target), `edge/latency`; `edge/active` (latched) names the edge serving the robot,
grey and unreachable when none does, so the follower stops on its detection timeout.
The frame path never decodes the JPEG; the annotated `debug_image/compressed` is drawn on its
own thread, only while someone subscribes.
"""
from dataclasses import dataclass
import threading
import time
from typing import Dict, List, Optional, Tuple

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from liquid_edge_bridge.conversions import color_msg, described_detections_to_msg, \
    detections_to_msg
from liquid_edge_bridge.debug_image import Overlay, render_debug_image
from liquid_edge_bridge.detections import CenteredDetection
from liquid_edge_bridge.edge_client import (DetectResult, EdgeClient, EdgeRequestOptions,
                                            ENGINES, Outcome)
from liquid_edge_bridge.edge_config import EdgeConfigError, parse_edges
from liquid_edge_bridge.edge_selector import EdgeHealth, EdgeSelector, SelectionPolicy
from liquid_edge_bridge.frame_pipeline import FramePipeline, InFlight
from liquid_edge_bridge.sliding_window import SlidingWindow
from liquid_edge_interfaces.msg import ActiveEdge, DescribedDetections, FollowState
from liquid_edge_toolkit.main import run_node
from liquid_edge_toolkit.parameters import ConfigurationError, descriptor
from liquid_edge_toolkit.qos import LATCHED, SENSOR_DATA
from rcl_interfaces.msg import SetParametersResult
from rclpy.node import Node
from rclpy.parameter import Parameter
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Float64, Header
from vision_msgs.msg import Detection2DArray

INPUTS = ('compressed', 'raw')


@dataclass(frozen=True)
class _Frame:
    header: Header
    jpeg: bytes
    stamp_ns: int


@dataclass(frozen=True)
class _Sent:
    request: InFlight
    edge: str
    sent_at: float


@dataclass(frozen=True)
class _Shown:
    """The last published frame with its detections: what the debug image draws."""

    frame: _Frame
    detections: Tuple[CenteredDetection, ...]
    image_width: int


class BridgeNode(Node):
    """Edge bridge: pipelined offload, edge selection and failover, rqt outputs."""

    def __init__(self, **kwargs):
        super().__init__('edge_bridge', **kwargs)
        self._declare_parameters()
        param = self._param
        self._input = param('input')
        if self._input not in INPUTS:
            raise ConfigurationError(f"input must be one of {INPUTS}, got '{self._input}'")
        edges = parse_edges(param('edge_names'), param('edge_addresses'), param('edge_colors'),
                            param('edge_tls_ca'), param('edge_tls_cert'), param('edge_tls_key'))
        self._edges = {edge.name: edge for edge in edges}
        policy = SelectionPolicy(
            window_s=param('latency_window'), statistic=param('latency_statistic'),
            min_samples=param('min_latency_samples'),
            max_missed_deadlines=param('max_missed_deadlines'),
            switch_margin=param('switch_margin'), switch_margin_abs_s=param('switch_margin_abs'),
            switch_hold_s=param('switch_hold'), failure_cooldown_s=param('failure_cooldown'),
            warmup_samples=param('warmup_samples'))
        self._options = self._detect_options(
            param('engines'), param('class_names'), param('max_results'), param('min_score'))
        self._request_timeout = param('request_timeout')
        self._probe_period = param('probe_period')
        self._encode_raw = self._raw_encoder() if self._input == 'raw' else None

        self._lock = threading.RLock()
        self._closing = False
        self._selector = EdgeSelector([edge.name for edge in edges], policy)
        self._pipeline = FramePipeline(param('max_in_flight'))
        self._sent: Dict[str, _Sent] = {}
        self._probes: Dict[str, Tuple[str, float]] = {}
        self._probe_count = 0
        self._next_probe_at = 0.0
        self._published_active: Optional[str] = None  # the start message says: none yet
        self._health_seen: Dict[str, EdgeHealth] = {}
        self._misnamed_edges = set()
        self._published = SlidingWindow(param('latency_window'))
        self._failed_requests = 0
        self._frames_without_edge = 0
        self._frames_rejected = 0
        self._shown: Optional[_Shown] = None
        self._follow_state: Optional[FollowState] = None

        self._detections_pub = self.create_publisher(Detection2DArray, 'detections', 5)
        self._described_pub = self.create_publisher(
            DescribedDetections, 'detections/described', 5)
        self._active_pub = self.create_publisher(ActiveEdge, 'edge/active', LATCHED)
        self._latency_pub = self.create_publisher(Float64, 'edge/latency', 10)
        self._debug_pub = self.create_publisher(
            CompressedImage, 'debug_image/compressed', SENSOR_DATA)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self.create_subscription(FollowState, 'follow/state', self._on_follow_state, 10)
        if self._input == 'compressed':
            self.create_subscription(CompressedImage, 'camera/image_raw/compressed',
                                     self._on_compressed, SENSOR_DATA)
        else:
            self.create_subscription(Image, 'camera/image_raw', self._on_raw, SENSOR_DATA)

        self._publish_active(time.monotonic())
        self._edge_clients = {
            edge.name: EdgeClient(edge, self._on_health, retry_period_s=param('health_period'))
            for edge in edges}
        for client in self._edge_clients.values():
            client.start()
        self.create_timer(param('diagnostics_period'), self._on_diagnostics_timer)
        self.add_on_set_parameters_callback(self._on_set_parameters)

        self._stop_render = threading.Event()
        self._render_period = 1.0 / param('debug_image_rate')
        self._render_quality = param('debug_image_quality')
        self._renderer = threading.Thread(target=self._render_loop, name='debug-image',
                                          daemon=True)
        self._renderer.start()
        self.get_logger().info(
            'edges: ' + ', '.join(f'{e.name} at {e.address}{" (TLS)" if e.uses_tls else ""}'
                                  for e in edges)
            + f'; input {self._input}, engines {list(self._options.engines)}, '
            f'{self._pipeline.max_in_flight} requests in flight, '
            f'deadline {self._request_timeout * 1000:.0f} ms')

    # Parameters ----------------------------------------------------------------------------

    def _declare_parameters(self) -> None:
        string_arrays = {
            'engines': ('Detection engines to run on the edge: yolo, face', ['yolo', 'face'],
                        False),
            'class_names': ('Keep only these classes (e.g. person); empty = all', [], False),
            'edge_names': ('Edge site names, in order of preference', [], True),
            'edge_addresses': ('Edge ingress host:port, one per edge_names entry', [], True),
            'edge_colors': ("Edge display colours '#rrggbb', one per edge", [], True),
            'edge_tls_ca': ("TLS CA certificate file per edge ('' = plaintext); "
                            'empty = plaintext everywhere', [], True),
            'edge_tls_cert': ("TLS client certificate file per edge ('' = none)", [], True),
            'edge_tls_key': ("TLS client key file per edge ('' = none)", [], True),
        }
        # An empty list default would make rclpy type the parameter BYTE_ARRAY, so string
        # arrays are declared typed and unset; `_param` gives their default while unset.
        self._unset_defaults = {}
        for name, (description, default, read_only) in string_arrays.items():
            self.declare_parameter(name, Parameter.Type.STRING_ARRAY,
                                   descriptor(description, read_only))
            self._unset_defaults[name] = default
        d = descriptor
        self.declare_parameters('', [
            ('input', 'compressed', d('Camera input: compressed (JPEG, sent unchanged) or raw '
                                      '(sensor_msgs/Image, JPEG-encoded with cv_bridge)', True)),
            ('max_in_flight', 2, d('Requests outstanding at once', True,
                                   integer_range=(1, 8))),
            ('request_timeout', 0.5, d('Deadline of each Detect call, s',
                                       float_range=(0.01, 5.0))),
            ('max_results', 0, d('Detections per engine, best first; 0 = no limit',
                                 integer_range=(0, 1000))),
            ('min_score', 0.0, d("Minimum score; 0 = the edge's threshold",
                                 float_range=(0.0, 1.0))),
            ('max_missed_deadlines', 3, d('Deadline misses in a row that fail an edge over',
                                          True, integer_range=(1, 100))),
            ('health_period', 0.5, d('Retry period of the health watch of an unreachable '
                                     'edge, s', True, float_range=(0.05, 10.0))),
            ('probe_period', 0.5, d('Period of the probe frames sent to each standby edge '
                                    'to measure its latency, s; 0 = no probes',
                                    float_range=(0.0, 60.0))),
            ('latency_window', 3.0, d('Window of the latency statistic, s', True,
                                      float_range=(0.1, 60.0))),
            ('latency_statistic', 'median', d('Latency statistic ranking edges: median, p90',
                                              True)),
            ('min_latency_samples', 3, d('Samples in the window before an edge is ranked',
                                         True, integer_range=(1, 1000))),
            ('switch_margin', 0.2, d('A standby edge must be faster by this fraction to take '
                                     'over', True, float_range=(0.0, 0.99))),
            ('switch_margin_abs', 0.005, d('... and by at least this much, s', True,
                                           float_range=(0.0, 1.0))),
            ('switch_hold', 2.0, d('... for this long without interruption, s', True,
                                   float_range=(0.0, 600.0))),
            ('failure_cooldown', 2.0, d('Time a failed edge is not chosen, s', True,
                                        float_range=(0.0, 600.0))),
            ('warmup_samples', 2, d('Answers ignored after an edge becomes active', True,
                                    integer_range=(0, 100))),
            ('diagnostics_period', 1.0, d('Period of /diagnostics and of the edge/active '
                                          'refresh, s', True, float_range=(0.05, 60.0))),
            ('debug_image_rate', 10.0, d('Maximum rate of debug_image/compressed, Hz', True,
                                         float_range=(0.1, 60.0))),
            ('debug_image_quality', 80, d('JPEG quality of the debug image', True,
                                          integer_range=(1, 100))),
        ])

    def _param(self, name: str):
        parameter = self.get_parameter_or(name)
        if parameter.type_ == Parameter.Type.NOT_SET:
            return self._unset_defaults[name]
        return parameter.value

    @staticmethod
    def _detect_options(engines, class_names, max_results, min_score) -> EdgeRequestOptions:
        if not engines:
            raise ConfigurationError(f'engines is empty: choose from {sorted(ENGINES)}')
        return EdgeRequestOptions(engines=tuple(engines), class_names=tuple(class_names),
                                  max_results=max_results, min_score=min_score)

    def _on_set_parameters(self, parameters: List[Parameter]) -> SetParametersResult:
        values = {name: self._param(name)
                  for name in ('engines', 'class_names', 'max_results', 'min_score')}
        timeout = self._request_timeout
        probe_period = self._probe_period
        for parameter in parameters:
            if parameter.name in values:
                values[parameter.name] = parameter.value
            elif parameter.name == 'request_timeout':
                timeout = parameter.value
            elif parameter.name == 'probe_period':
                probe_period = parameter.value
        try:
            options = self._detect_options(**values)
        except ValueError as error:
            return SetParametersResult(successful=False, reason=str(error))
        with self._lock:
            self._options = options
            self._request_timeout = timeout
            self._probe_period = probe_period
        return SetParametersResult(successful=True)

    @staticmethod
    def _raw_encoder():
        try:
            from cv_bridge import CvBridge
        except ImportError as error:
            raise ConfigurationError(
                f'input:=raw needs cv_bridge to encode sensor_msgs/Image to JPEG ({error}); '
                'use input:=compressed') from None
        bridge = CvBridge()
        return lambda image: bridge.cv2_to_compressed_imgmsg(
            bridge.imgmsg_to_cv2(image, desired_encoding='bgr8'), dst_format='jpg')

    # Frame path ----------------------------------------------------------------------------

    def _on_raw(self, image: Image) -> None:
        compressed = self._encode_raw(image)
        compressed.header = image.header
        self._on_compressed(compressed)

    def _on_compressed(self, image: CompressedImage) -> None:
        if 'jpeg' not in image.format.lower() and 'jpg' not in image.format.lower():
            self._frames_rejected += 1
            self.get_logger().warning(
                f"camera frame format '{image.format}' is not JPEG; frame skipped",
                throttle_duration_sec=5.0)
            return
        stamp = image.header.stamp
        frame = _Frame(image.header, bytes(image.data), stamp.sec * 1_000_000_000 + stamp.nanosec)
        now = time.monotonic()
        with self._lock:
            active = self._selector.update(now)
            self._sync_active(now)
            if active is None:
                self._frames_without_edge += 1
                return
            request = self._pipeline.offer(frame)
            sends = [self._register(request, now)] if request is not None else []
            probes = self._due_probes(now)
        self._send(sends)
        self._send_probes(probes, frame)

    def _register(self, request: InFlight, now: float) -> Optional[_Sent]:
        """Bind a request to the active edge (lock held); None when no edge is active."""
        edge = self._selector.active
        if edge is None:
            self._pipeline.cancel(request.request_id)
            self._pipeline.drop_pending()
            self._frames_without_edge += 1
            return None
        sent = _Sent(request, edge, now)
        self._sent[request.request_id] = sent
        return sent

    def _send(self, sends: List[Optional[_Sent]]) -> None:
        for sent in sends:
            if sent is None:
                continue
            frame = sent.request.frame
            self._edge_clients[sent.edge].detect(
                sent.request.request_id, frame.jpeg, frame.stamp_ns, self._options,
                self._request_timeout, self._on_result)

    def _on_result(self, result: DetectResult) -> None:
        now = time.monotonic()
        with self._lock:
            if self._closing or not self.context.ok():
                return
            if result.request_id in self._probes:
                sends = self._on_probe_result(result, now)
            else:
                sends = self._on_request_result(result, now)
        self._send(sends)

    def _on_request_result(self, result: DetectResult, now: float) -> List[Optional[_Sent]]:
        """Publish a pipeline request's answer; returns what to send next (lock held)."""
        sent = self._sent.pop(result.request_id, None)
        if sent is None:
            return []  # abandoned after its edge failed, or cancelled at shutdown
        self._record(result, now - sent.sent_at, now)
        succeeded = result.outcome is Outcome.OK
        finished = self._pipeline.finish(result.request_id, succeeded)
        sends = []
        if finished.publish:
            self._publish_detections(sent, result, now)
        if finished.next_request is not None:
            sends.append(self._register(finished.next_request, now))
        elif not succeeded and self._selector.active not in (None, sent.edge):
            # Failed over: the same frame goes to the new edge instead of waiting for
            # the next camera frame.
            retry = self._pipeline.resend(sent.request)
            if retry is not None:
                sends.append(self._register(retry, now))
        if not succeeded:
            sends += self._abandon_requests_to_failed_edges(now)
        self._sync_active(now)
        return sends

    def _abandon_requests_to_failed_edges(self, now: float) -> List[Optional[_Sent]]:
        """
        Free the slots of requests to edges no longer eligible (lock held).

        An edge that fails (NOT_SERVING while draining, an error, missed deadlines) may hold
        requests that end only at their deadline; new frames must not wait for them.
        Returns the frame to send to the new active edge now.
        """
        failed = [request_id for request_id, sent in self._sent.items()
                  if not self._selector.is_eligible(sent.edge, now)]
        for request_id in failed:
            del self._sent[request_id]
        retry = self._pipeline.abandon(failed)
        return [self._register(retry, now)] if retry is not None else []

    def _record(self, result: DetectResult, round_trip: float, now: float) -> None:
        """Feed one answer to the edge selector (lock held)."""
        if result.outcome is Outcome.OK:
            self._selector.record_latency(result.edge, round_trip, now)
            site = result.answer.edge_site
            if site and site != result.edge and result.edge not in self._misnamed_edges:
                # Usually edge_addresses in the wrong order: colours would be wrong.
                self._misnamed_edges.add(result.edge)
                self.get_logger().warning(
                    f"edge '{result.edge}' at {self._edges[result.edge].address} answers as "
                    f"site '{site}': check edge_names / edge_addresses")
            return
        self._failed_requests += 1
        if result.outcome is Outcome.DEADLINE:
            self._selector.record_deadline_miss(result.edge, now)
        else:
            self._selector.record_error(result.edge, result.error, now)
            self.get_logger().warning(f"edge '{result.edge}': {result.error}",
                                      throttle_duration_sec=2.0)

    def _publish_detections(self, sent: _Sent, result: DetectResult, now: float) -> None:
        frame = sent.request.frame
        answer = result.answer
        self._detections_pub.publish(detections_to_msg(frame.header, answer.detections))
        self._described_pub.publish(described_detections_to_msg(
            frame.header, answer.detections, answer.descriptor))
        round_trip = now - sent.sent_at
        self._latency_pub.publish(Float64(data=round_trip))
        self._published.add(now, round_trip)
        self._shown = _Shown(frame, answer.detections, answer.image_width)

    # Probes: real frames to standby edges, so their latency is known before a switch ------

    def _due_probes(self, now: float) -> List[Tuple[str, str]]:
        if self._probe_period <= 0.0 or now < self._next_probe_at:
            return []
        self._next_probe_at = now + self._probe_period
        probes = []
        for edge in self._selector.standby(now):
            self._probe_count += 1
            probe_id = f'probe-{self._probe_count}'
            self._probes[probe_id] = (edge, now)
            probes.append((probe_id, edge))
        return probes

    def _send_probes(self, probes: List[Tuple[str, str]], frame: _Frame) -> None:
        for probe_id, edge in probes:
            self._edge_clients[edge].detect(probe_id, frame.jpeg, frame.stamp_ns,
                                            self._options, self._request_timeout,
                                            self._on_result)

    def _on_probe_result(self, result: DetectResult, now: float) -> List[Optional[_Sent]]:
        edge, sent_at = self._probes.pop(result.request_id)
        sends = []
        if result.outcome is Outcome.OK:
            self._selector.record_latency(edge, now - sent_at, now)
        else:
            if result.outcome is Outcome.DEADLINE:
                self._selector.record_deadline_miss(edge, now)
            else:
                self._selector.record_error(edge, result.error, now)
            # The edge may have become active since the probe was sent.
            sends = self._abandon_requests_to_failed_edges(now)
        self._sync_active(now)
        return sends

    # Edge health and the active edge --------------------------------------------------------

    def _on_health(self, edge: str, health: EdgeHealth, reason: str) -> None:
        now = time.monotonic()
        with self._lock:
            if self._closing or not self.context.ok():
                return
            if self._health_seen.get(edge) is not health:
                self._health_seen[edge] = health
                message = f"edge '{edge}' is {health.value}" + (f': {reason}' if reason else '')
                if health is EdgeHealth.SERVING:
                    self.get_logger().info(message)
                else:
                    self.get_logger().warning(message)
            self._selector.set_health(edge, health, now, reason)
            sends = [] if health is EdgeHealth.SERVING else (
                self._abandon_requests_to_failed_edges(now))
            self._sync_active(now)
        self._send(sends)

    def _sync_active(self, now: float, refresh: bool = False) -> None:
        """Publish edge/active when the active edge changed, or on refresh (lock held)."""
        active = self._selector.active
        if active == self._published_active and not refresh:
            return
        if active != self._published_active:
            if active is None:
                self.get_logger().error('no edge is reachable: detections stop')
            else:
                self.get_logger().info(f"active edge: '{active}' "
                                       f'(was {self._published_active or "none"})')
        self._published_active = active
        self._publish_active(now)

    def _publish_active(self, now: float) -> None:
        active = self._selector.active
        message = ActiveEdge(reachable=active is not None)
        message.header.stamp = self.get_clock().now().to_msg()
        if active is None:
            message.color = color_msg(None)
            message.reason = self._unreachable_reason(now)
        else:
            edge = self._edges[active]
            message.name, message.address = edge.name, edge.address
            message.color = color_msg(edge.rgb)
            message.latency = self._selector.statistic(active, now) or 0.0
        self._active_pub.publish(message)

    def _unreachable_reason(self, now: float) -> str:
        """Say why no edge serves, edge by edge (lock held)."""
        return '; '.join(f'{report.name}: {report.last_error or report.health.value}'
                         for report in self._selector.report(now))

    # Diagnostics and the debug image --------------------------------------------------------

    def _on_diagnostics_timer(self) -> None:
        now = time.monotonic()
        with self._lock:
            if self._closing or not self.context.ok():
                return
            self._selector.update(now)
            self._sync_active(now, refresh=True)
            statuses = [self._bridge_status(now)] + self._edge_statuses(now)
            if self._selector.active is None:
                # Said again while it lasts: a robot sitting still must say why.
                self.get_logger().error(
                    f'no edge is reachable: {self._unreachable_reason(now)}',
                    throttle_duration_sec=10.0)
        array = DiagnosticArray(status=statuses)
        array.header.stamp = self.get_clock().now().to_msg()
        self._diagnostics_pub.publish(array)

    def _bridge_status(self, now: float) -> DiagnosticStatus:
        active = self._selector.active
        values = {
            'active_edge': active or 'none',
            'fps': f'{self._published.rate(now):.1f}',
            'latency_p50_ms': _ms(self._published.percentile(now, 0.5)),
            'latency_p99_ms': _ms(self._published.percentile(now, 0.99)),
            'frames_dropped': str(self._pipeline.frames_dropped),
            'results_dropped': str(self._pipeline.results_dropped),
            'failed_requests': str(self._failed_requests),
            'frames_without_edge': str(self._frames_without_edge),
            'frames_rejected': str(self._frames_rejected),
            'in_flight': str(self._pipeline.in_flight),
        }
        level = DiagnosticStatus.OK if active is not None else DiagnosticStatus.ERROR
        message = f"serving from '{active}'" if active else (
            f'no edge reachable: {self._unreachable_reason(now)}')
        return _status(f'{self.get_name()}: offload', level, message, values)

    def _edge_statuses(self, now: float) -> List[DiagnosticStatus]:
        statuses = []
        for report in self._selector.report(now):
            if report.eligible:
                level = DiagnosticStatus.OK
            elif report.health is EdgeHealth.UNREACHABLE:
                level = DiagnosticStatus.ERROR
            else:
                level = DiagnosticStatus.WARN
            values = {
                'address': self._edges[report.name].address,
                'health': report.health.value,
                'active': str(report.active),
                'latency_ms': _ms(report.latency_s),
                'latency_p50_ms': _ms(report.p50_s),
                'latency_p99_ms': _ms(report.p99_s),
                'samples': str(report.samples),
                'consecutive_missed_deadlines': str(report.consecutive_misses),
                'last_error': report.last_error,
            }
            message = report.health.value + (' (active)' if report.active else '')
            statuses.append(_status(f'{self.get_name()}: edge {report.name}', level, message,
                                    values))
        return statuses

    def _on_follow_state(self, state: FollowState) -> None:
        self._follow_state = state

    def _render_loop(self) -> None:
        rendered: Optional[_Shown] = None
        while not self._stop_render.wait(self._render_period):
            if not self.context.ok() or self._debug_pub.get_subscription_count() == 0:
                continue
            now = time.monotonic()
            with self._lock:
                shown = self._shown
                active = self._selector.active
                latency = self._selector.statistic(active, now) if active else None
                fps = self._published.rate(now)
            if shown is None or shown is rendered:
                continue
            rendered = shown
            state = self._follow_state
            target_x = None
            if state is not None and state.target_class and shown.image_width:
                target_x = shown.image_width * (0.5 + state.horizontal_error)
            overlay = Overlay(
                state=state.state_name if state else '', edge_name=active or '',
                edge_rgb=self._edges[active].rgb if active else None, latency_s=latency,
                fps=fps, target_class=state.target_class if state else '',
                target_x_px=target_x)
            try:
                jpeg = render_debug_image(shown.frame.jpeg, shown.detections, overlay,
                                          self._render_quality)
            except ValueError as error:
                self.get_logger().warning(f'debug image: {error}', throttle_duration_sec=5.0)
                continue
            self._debug_pub.publish(CompressedImage(header=shown.frame.header, format='jpeg',
                                                    data=jpeg))

    def destroy_node(self):
        """Stop the debug-image thread and close every edge channel."""
        with self._lock:
            # Calls cancelled by closing the channels must not publish on a destroyed node.
            self._closing = True
        self._stop_render.set()
        if self._renderer.is_alive():
            self._renderer.join(timeout=2.0)
        for client in self._edge_clients.values():
            client.close()
        return super().destroy_node()


def _ms(seconds: Optional[float]) -> str:
    return '-' if seconds is None else f'{seconds * 1000:.1f}'


def _status(name: str, level: bytes, message: str, values: Dict[str, str]) -> DiagnosticStatus:
    return DiagnosticStatus(
        level=level, name=name, message=message, hardware_id='liquid_edge_bridge',
        values=[KeyValue(key=key, value=value) for key, value in values.items()])


def main(args=None) -> int:
    """Run the edge bridge until shutdown; exit 1 with one message on a refused configuration."""
    return run_node(BridgeNode, 'edge_bridge', args, configuration_errors=(EdgeConfigError,))
