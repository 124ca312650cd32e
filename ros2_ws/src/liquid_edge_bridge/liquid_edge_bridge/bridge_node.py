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
ROS node `edge_bridge`: camera JPEGs to the best edge, detections back, rqt outputs.

camera/image_raw/compressed (or camera/image_raw with input:=raw) → gRPC Detect on the active
edge → `detections`, `detections/described` (the same with appearance descriptors, for
follow_target), `edge/latency`; `edge/active` (latched) names the edge serving the robot,
grey and unreachable when none does, so the follower stops on its detection timeout.
The frame path never decodes the JPEG; the annotated view for rqt is the `debug_image` node's
(debug_image_node.py).

A lifecycle node that brings itself up unless `autostart` is false: configure reads and
validates the parameters and opens the edge channels; activate subscribes to the camera,
starts publishing and watching the edges' health; deactivate cancels the Detect calls in
flight and stops sending; cleanup closes the channels. The decisions (which frame goes to
which edge, what is published, which edge serves) are the coordinator's (coordinator.py).
"""
from dataclasses import dataclass
import math
import os
import threading
import time
from typing import Dict, List, Optional, Tuple

from ament_index_python.packages import get_package_share_directory
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from liquid_edge_bridge.conversions import color_msg, described_detections_to_msg, \
    detections_to_msg
from liquid_edge_bridge.coordinator import (ActiveEdgeChange, Answered, BridgeCoordinator,
                                            capture_time, CoordinatorConfig, Decision, Send)
from liquid_edge_bridge.detections import DetectResult
from liquid_edge_bridge.edge_client import EdgeClient, EdgeRequestOptions, ENGINES
from liquid_edge_bridge.edge_config import (EDGE_KEYS, EdgeConfigError, parse_edges,
                                            parse_local_edge)
from liquid_edge_bridge.edge_selector import EdgeHealth, SelectionPolicy
from liquid_edge_bridge.encoding_controller import (ControllerConfig, EncodingController,
                                                    EncodingProfile, EncodingProfileError,
                                                    EncodingSettings)
from liquid_edge_bridge.link_adaptation import LinkAdaptation, LinkUpdate
from liquid_edge_bridge.link_awareness import (InterfaceReport, InterfaceWatch, LinkSource,
                                               ProcLinkSource)
from liquid_edge_bridge.local_standby import pi4_yolo_frame_rate, StandbyConfig
from liquid_edge_bridge.reencode import reencode_jpeg
from liquid_edge_interfaces.msg import (ActiveEdge, CaptureSettings, DescribedDetections,
                                        EdgeLink, LinkState)
from liquid_edge_toolkit.lifecycle import LifecycleNode
from liquid_edge_toolkit.main import CONFIGURATION_ERRORS, run_node
from liquid_edge_toolkit.parameters import ConfigurationError, descriptor
from liquid_edge_toolkit.qos import LATCHED, SENSOR_DATA
from rcl_interfaces.msg import SetParametersResult
from rclpy.lifecycle import LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from sensor_msgs.msg import CompressedImage, Image
from std_msgs.msg import Float64, Header
from vision_msgs.msg import Detection2DArray

INPUTS = ('compressed', 'raw')
# What the local standby edge, the YOLO service on the robot, serves.
LOCAL_EDGE_ENGINES = ('yolo',)
# The encoding is re-decided this often: well within the controller's 3 s upgrade hold.
ENCODING_PERIOD_S = 0.25


@dataclass(frozen=True)
class _Frame:
    header: Header
    jpeg: bytes
    stamp_ns: int


class BridgeNode(LifecycleNode):
    """Edge bridge: pipelined offload, edge selection and failover, rqt outputs."""

    def __init__(self, link_source: Optional[LinkSource] = None, **kwargs):
        """Declare the parameters; `link_source` replaces /proc for the interfaces (tests)."""
        super().__init__('edge_bridge', **kwargs)
        self._link_source = link_source
        self._lock = threading.RLock()
        self._active = False     # results and health reports are taken only while active
        self._coordinator: Optional[BridgeCoordinator] = None
        self._edge_clients: Dict[str, EdgeClient] = {}
        self._publishers = []    # what configure creates and cleanup destroys
        self._inputs = []        # what activate creates and deactivate destroys
        #: Why the last configure failed; None when it did not.
        self.configure_error: Optional[Exception] = None
        self._declare_parameters()
        self.add_on_set_parameters_callback(self._on_set_parameters)

    # Lifecycle -----------------------------------------------------------------------------

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Read and validate the parameters, build the coordinator and the edge channels."""
        try:
            self._configure()
        except CONFIGURATION_ERRORS + (EdgeConfigError, EncodingProfileError) as error:
            self.configure_error = error
            self.get_logger().error(f'edge_bridge: {error}')
            return TransitionCallbackReturn.FAILURE
        self.configure_error = None
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Subscribe to the camera, start publishing and watching the edges' health."""
        if self._input == 'compressed':
            camera = self.create_subscription(CompressedImage, 'camera/image_raw/compressed',
                                              self._on_compressed, SENSOR_DATA)
        else:
            camera = self.create_subscription(Image, 'camera/image_raw', self._on_raw,
                                              SENSOR_DATA)
        self._inputs = [
            camera,
            self.create_timer(self._diagnostics_period, self._on_diagnostics_timer),
            self.create_timer(ENCODING_PERIOD_S, self._on_encoding_timer),
        ]
        now = time.monotonic()
        with self._lock:
            self._active = True
            self._publish_active(self._coordinator.start(now).active, now)
        self._publish_capture_settings(self._coordinator.links.settings)
        for client in self._edge_clients.values():
            client.start()
        return TransitionCallbackReturn.SUCCESS

    def destroy_node(self) -> None:
        """Stop, close every edge channel, destroy the node."""
        self._stop()
        self._release()   # the gRPC channels: rclpy's destroy does not know them
        super().destroy_node()

    def _configure(self) -> None:
        param = self._param
        self._input = param('input')
        if self._input not in INPUTS:
            raise ConfigurationError(f"input must be one of {INPUTS}, got '{self._input}'")
        names = param('edges')
        edges = parse_edges(names, {name: {key: param(f'{name}.{key}') for key in EDGE_KEYS}
                                    for name in set(names) if name.strip()})
        self._edges = {edge.name: edge for edge in edges}
        self._local = parse_local_edge(param('local_edge_name'), param('local_edge_address'),
                                       param('local_edge_color'), list(self._edges))
        if self._local is not None:
            self._edges[self._local.name] = self._local
        policy = SelectionPolicy(
            window_s=param('latency_window'), statistic=param('latency_statistic'),
            min_samples=param('min_latency_samples'),
            max_missed_deadlines=param('max_missed_deadlines'),
            switch_margin=param('switch_margin'), switch_margin_abs_s=param('switch_margin_abs'),
            switch_hold_s=param('switch_hold'), failure_cooldown_s=param('failure_cooldown'),
            warmup_samples=param('warmup_samples'), startup_grace_s=param('startup_grace'))
        self._options = self._detect_options(
            param('engines'), param('class_names'), param('max_results'), param('min_score'))
        self._request_timeout = param('request_timeout')
        self._diagnostics_period = param('diagnostics_period')
        links = LinkAdaptation(
            list(self._edges),
            self._encoding_controller(param('latency_budget'), param('min_recall_ratio'),
                                      param('encoding_profile'))
            if param('adaptive_encoding') else None)
        self._encode_raw = self._raw_encoder() if self._input == 'raw' else None

        self._coordinator = BridgeCoordinator(CoordinatorConfig(
            remote_edges=[edge.name for edge in edges], policy=policy,
            standby=StandbyConfig(
                latency_budget_s=param('latency_budget'),
                enter_after_s=param('standby_enter_after'),
                leave_after_answers=param('standby_leave_after_answers'),
                local_answer_s=1.0 / param('local_edge_max_fps')),
            local_edge=self._local.name if self._local else None,
            local_max_fps=param('local_edge_max_fps'), max_in_flight=param('max_in_flight'),
            probe_period_s=param('probe_period'), latency_window_s=param('latency_window')),
            links, time.monotonic())
        self._interface_edges = self._interface_edge_map(
            param('link_interfaces'), param('link_interface_edges'), [e.name for e in edges])
        self._interfaces = InterfaceWatch(
            self._link_source or ProcLinkSource(), tuple(self._interface_edges)) \
            if self._interface_edges else None
        self._frames_rejected = 0
        self._detections_pub = self.create_publisher(Detection2DArray, 'detections', 5)
        self._described_pub = self.create_publisher(
            DescribedDetections, 'detections/described', 5)
        self._active_pub = self.create_publisher(ActiveEdge, 'edge/active', LATCHED)
        self._latency_pub = self.create_publisher(Float64, 'edge/latency', 10)
        self._diagnostics_pub = self.create_publisher(DiagnosticArray, '/diagnostics', 10)
        self._capture_pub = self.create_publisher(
            CaptureSettings, 'camera/capture_settings', LATCHED)
        self._link_pub = self.create_publisher(LinkState, 'edge/link', 10)
        self._publishers = [self._detections_pub, self._described_pub, self._active_pub,
                            self._latency_pub, self._diagnostics_pub,
                            self._capture_pub, self._link_pub]
        self._edge_clients = {
            edge.name: EdgeClient(edge, self._on_health, retry_period_s=param('health_period'))
            for edge in self._edges.values()}
        self.get_logger().info(
            'edges: ' + ', '.join(f'{e.name} at {e.address}{" (TLS)" if e.uses_tls else ""}'
                                  for e in edges)
            + f'; input {self._input}, engines {list(self._options.engines)}, '
            f"{param('max_in_flight')} requests in flight, "
            f'deadline {self._request_timeout * 1000:.0f} ms; '
            + (f'local standby {self._local.name} at {self._local.address}, at most '
               f"{param('local_edge_max_fps'):g} fps; " if self._local else 'no local standby; ')
            + 'encoding '
            + ('adaptive' if links.adaptive else 'fixed')
            + f' from {_settings_text(links.settings)}')

    def _stop(self) -> None:
        """Deactivate: no frames, results or health reports any more; calls in flight cancelled."""
        with self._lock:
            if not self._active:
                return
            # Calls cancelled below must not publish: their results are ignored from here.
            self._active = False
            self._coordinator.forget_requests()
        self._destroy_entities(self._inputs)
        self._inputs = []
        for client in self._edge_clients.values():
            client.stop()

    def _release(self) -> None:
        """Cleanup: close the edge channels, destroy the publishers."""
        for client in self._edge_clients.values():
            client.close()
        self._edge_clients = {}
        self._destroy_entities(self._publishers)
        self._publishers = []
        self._coordinator = None

    # Parameters ----------------------------------------------------------------------------

    def _declare_parameters(self) -> None:
        string_arrays = {
            'engines': ('Detection engines to run on the edge: yolo, face', ['yolo', 'face'],
                        False),
            'class_names': ('Keep only these classes (e.g. person); empty = all', [], False),
            'edges': ('Edge site names, in order of preference; each has its keys '
                      '<name>.address, <name>.color, <name>.tls.ca|cert|key', [], True),
            'link_interfaces': ('Network interfaces reported on /diagnostics (e.g. wlan0); a '
                                'degrading one fails its edges over; empty = none', [], True),
            'link_interface_edges': ("Edge over each link_interfaces entry ('' = every remote "
                                     'edge); empty = every remote edge for all', [], True),
        }
        # An empty list default would make rclpy type the parameter BYTE_ARRAY, so string
        # arrays are declared typed and unset; `_param` gives their default while unset.
        self._unset_defaults = {}
        for name, (description, default, read_only) in string_arrays.items():
            self.declare_parameter(name, Parameter.Type.STRING_ARRAY,
                                   descriptor(description, read_only))
            self._unset_defaults[name] = default
        # Each edge's keys, declared once its name is known (checked at configure).
        for name in dict.fromkeys(self._param('edges')):
            if name.strip():
                self.declare_parameters(name, [
                    (key, '', descriptor(f"Edge '{name}': {text}", True))
                    for key, text in EDGE_KEYS.items()])
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
            ('startup_grace', 0.5, d('At start, how long an edge listed before the first '
                                     'healthy one is waited for, s', True,
                                     float_range=(0.0, 10.0))),
            ('diagnostics_period', 1.0, d('Period of /diagnostics and of the edge/active '
                                          'refresh, s', True, float_range=(0.05, 60.0))),
            ('latency_budget', 0.15, d('Capture-to-detections p95 the encoding is chosen to '
                                       'hold, s', True, float_range=(0.01, 5.0))),
            ('min_recall_ratio', 0.65, d('Settings whose person recall in the encoding '
                                         "profile is below this share of the profile's best "
                                         'are never chosen, however fast', True,
                                         float_range=(0.0, 1.0))),
            ('adaptive_encoding', True, d('Choose JPEG quality, size and frame rate for the '
                                          'link (camera/capture_settings); false = the '
                                          "original's fixed quality 98 at 640x480, 15 fps",
                                          True)),
            ('local_edge_name', 'local', d('Name of the local standby edge (YOLO on the '
                                           'robot)', True)),
            ('local_edge_address', '', d('host:port of the local standby edge, used only '
                                         'while no remote edge answers within latency_budget; '
                                         "'' = none", True)),
            ('local_edge_color', '#ffab00', d('Display colour of the local standby edge '
                                              "'#rrggbb' (LEDs, rqt)", True)),
            ('local_edge_max_fps', round(pi4_yolo_frame_rate(320), 1), d(
                'Frames per second sent to the local edge at most (YOLOv3-tiny at 320x320 '
                'on a Raspberry Pi 4 CPU)', True, float_range=(0.1, 90.0))),
            ('standby_enter_after', 0.5, d('Time without a remote answer within '
                                           'latency_budget before the local edge serves, s',
                                           True, float_range=(0.0, 60.0))),
            ('standby_leave_after_answers', 3, d('Remote answers in a row within '
                                                 'latency_budget that end the local standby',
                                                 True, integer_range=(1, 100))),
            ('encoding_profile', '', d('Encoding profile YAML (bytes and recall per quality x '
                                       'size); empty = the one installed with this package',
                                       True)),
        ])

    @staticmethod
    def _encoding_controller(budget_s: float, min_recall_ratio: float,
                             path: str) -> EncodingController:
        if not path:
            path = os.path.join(get_package_share_directory('liquid_edge_bridge'), 'config',
                                'encoding_profile.yaml')
        return EncodingController(EncodingProfile.load(path),
                                  ControllerConfig(latency_budget_s=budget_s,
                                                   min_recall_ratio=min_recall_ratio))

    @staticmethod
    def _interface_edge_map(interfaces, interface_edges, remote) -> Dict[str, Tuple[str, ...]]:
        """Return the remote edges reached over each watched interface, checked."""
        if interface_edges and len(interface_edges) != len(interfaces):
            raise ConfigurationError(
                f'link_interface_edges has {len(interface_edges)} entries but link_interfaces '
                f"has {len(interfaces)}: give one per interface ('' = every remote edge)")
        mapping = {}
        for index, interface in enumerate(interfaces):
            edge = interface_edges[index] if interface_edges else ''
            if edge and edge not in remote:
                raise ConfigurationError(f"link_interface_edges[{index}] '{edge}' is not in "
                                         f'edges {remote}')
            mapping[interface] = (edge,) if edge else tuple(remote)
        return mapping

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
        timeout = self._param('request_timeout')
        probe_period = self._param('probe_period')
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
            if self._coordinator is not None:   # else configure reads them
                self._options = options
                self._request_timeout = timeout
                self._coordinator.probe_period_s = probe_period
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

    # Frame path: events to the coordinator, its decisions carried out -----------------

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
            if not self._active:
                return
            decision = self._coordinator.on_frame(
                frame, len(frame.jpeg), now, capture_time(frame.stamp_ns, time.time_ns(), now))
            self._carry_out(decision, now)
        self._send(decision.sends)

    def _send(self, sends: List[Send]) -> None:
        for send in sends:
            frame = send.frame
            jpeg = frame.jpeg
            if send.encoding is not None:
                try:
                    jpeg = reencode_jpeg(jpeg, send.encoding)
                except ValueError as error:
                    self.get_logger().warning(f'frame sent as captured: {error}',
                                              throttle_duration_sec=5.0)
                else:
                    with self._lock:
                        self._coordinator.on_encoded(send.request_id, len(jpeg))
            # The local standby is the YOLO service itself, not an ingress: asked for another
            # engine too, it would refuse every frame (INVALID_ARGUMENT).
            options = self._options.served_by(LOCAL_EDGE_ENGINES) \
                if self._coordinator.is_local(send.edge) else self._options
            self._edge_clients[send.edge].detect(
                send.request_id, jpeg, frame.stamp_ns, options,
                self._request_timeout, self._on_result)

    def _on_result(self, result: DetectResult) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._active or not self.context.ok():
                return
            decision = self._coordinator.on_result(result, now)
            self._carry_out(decision, now)
        self._send(decision.sends)

    def _on_health(self, edge: str, health: EdgeHealth, reason: str) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._active or not self.context.ok():
                return
            decision = self._coordinator.on_health(edge, health, reason, now)
            if decision.health_changed is not None:
                message = f"edge '{edge}' is {health.value}" + (f': {reason}' if reason else '')
                if health is EdgeHealth.SERVING:
                    self.get_logger().info(message)
                else:
                    self.get_logger().warning(message)
            self._carry_out(decision, now)
        self._send(decision.sends)

    def _carry_out(self, decision: Decision, now: float) -> None:
        """Publish and log what the coordinator decided (lock held); sends are the caller's."""
        failure = decision.failure
        if failure is not None and failure.local:
            self.get_logger().warning(f"local edge '{failure.edge}': {failure.error}",
                                      throttle_duration_sec=2.0)
        elif failure is not None:
            self.get_logger().warning(f"edge '{failure.edge}': {failure.error}",
                                      throttle_duration_sec=2.0)
        if decision.misnamed is not None:
            edge, site = decision.misnamed
            # Usually edge addresses in the wrong order: colours would be wrong.
            self.get_logger().warning(
                f"edge '{edge}' at {self._edges[edge].address} answers as site '{site}': "
                'check the addresses of edges')
        if decision.publish is not None:
            self._publish_detections(decision.publish)
        if decision.active is not None:
            self._publish_active(decision.active, now)
        if decision.encoding is not None:
            self._announce_encoding(decision.encoding)
        if decision.active is not None and decision.active.changed:
            # A move to or from the local standby: the camera's settings change at once, not
            # at the next encoding update.
            self._update_encoding(now)

    def _publish_detections(self, answered: Answered) -> None:
        frame, answer = answered.frame, answered.answer
        self._detections_pub.publish(detections_to_msg(frame.header, answer.detections))
        self._described_pub.publish(described_detections_to_msg(
            frame.header, answer.detections, answer.descriptor))
        self._latency_pub.publish(Float64(data=answered.round_trip_s))

    # The active edge -------------------------------------------------------------------------

    def _publish_active(self, change: ActiveEdgeChange, now: float) -> None:
        """Log a change of the serving edge and publish edge/active (lock held)."""
        active, previous = change.serving, change.previous
        if change.changed:
            if active is None:
                self.get_logger().error('no edge is reachable: detections stop')
            elif change.on_local:
                self.get_logger().warning(
                    f"active edge: '{active}', the local standby: no remote edge answers "
                    f'within {self._coordinator.standby.config.latency_budget_s * 1000:.0f} ms '
                    f'(was {previous or "none"})')
            else:
                self.get_logger().info(f"active edge: '{active}' (was {previous or 'none'})")
        message = ActiveEdge(reachable=active is not None, local=change.on_local)
        message.header.stamp = self.get_clock().now().to_msg()
        if active is None:
            message.color = color_msg(None)
            message.reason = self._coordinator.unreachable_reason(now)
        else:
            edge = self._edges[active]
            message.name, message.address = edge.name, edge.address
            message.color = color_msg(edge.rgb)
            if not change.on_local:
                message.latency = self._coordinator.serving_latency(now) or 0.0
        self._active_pub.publish(message)

    # The link and the encoding it allows --------------------------------------------------

    def _on_encoding_timer(self) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._active or not self.context.ok():
                return
            self._update_encoding(now)

    def _update_encoding(self, now: float) -> None:
        """Re-decide the camera's settings and tell the camera of a change (lock held)."""
        self._announce_encoding(self._coordinator.on_encoding_tick(now))

    def _announce_encoding(self, update: LinkUpdate) -> None:
        """Tell the camera of changed settings and log why (lock held)."""
        if update.changed:
            self.get_logger().info(f'encoding: {_settings_text(update.settings)} '
                                   f'({update.reason})')
            self._publish_capture_settings(update.settings)

    def _publish_capture_settings(self, settings: EncodingSettings) -> None:
        message = CaptureSettings(quality=settings.quality, width=settings.width,
                                  height=settings.height, fps=float(settings.fps))
        message.header.stamp = self.get_clock().now().to_msg()
        self._capture_pub.publish(message)

    def _link_state(self, now: float) -> LinkState:
        """Return every edge's link and the settings in force (lock held)."""
        links = self._coordinator.links
        settings = links.settings
        message = LinkState(reason=links.reason, on_local=self._coordinator.standby.on_local)
        message.header.stamp = self.get_clock().now().to_msg()
        message.settings = CaptureSettings(
            header=message.header, quality=settings.quality, width=settings.width,
            height=settings.height, fps=float(settings.fps))
        active = self._coordinator.serving
        for name in self._edges:
            link = links.estimate(name, now)
            message.edges.append(EdgeLink(
                name=name, edge_class='local' if self._coordinator.is_local(name) else 'remote',
                active=name == active,
                rtt=_or_nan(link.rtt_s), rtt_p95=_or_nan(link.rtt_p95_s),
                goodput=_or_nan(link.goodput_bytes_per_s), loss_rate=link.loss_rate))
        return message

    # Diagnostics ----------------------------------------------------------------------------

    def _on_diagnostics_timer(self) -> None:
        now = time.monotonic()
        with self._lock:
            if not self._active or not self.context.ok():
                return
            self._carry_out(self._coordinator.on_tick(now), now)
            statuses = (self._interface_statuses(now) + [self._bridge_status(now)]
                        + self._edge_statuses(now))
            link_state = self._link_state(now)
            if self._coordinator.serving is None:
                # Said again while it lasts: a robot sitting still must say why.
                self.get_logger().error(
                    f'no edge is reachable: {self._coordinator.unreachable_reason(now)}',
                    throttle_duration_sec=10.0)
        self._link_pub.publish(link_state)
        array = DiagnosticArray(status=statuses)
        array.header.stamp = self.get_clock().now().to_msg()
        self._diagnostics_pub.publish(array)

    def _interface_statuses(self, now: float) -> List[DiagnosticStatus]:
        """Report each watched interface; a degrading one fails its edges over (lock held)."""
        if self._interfaces is None:
            return []
        try:
            reports = self._interfaces.poll()
        except OSError as error:
            return [_status(f'{self.get_name()}: interfaces', DiagnosticStatus.WARN,
                            str(error), {})]
        statuses = []
        for report in reports:
            if report.degrading:
                self._carry_out(self._coordinator.on_link_degraded(
                    self._interface_edges[report.name], report.degrading, now), now)
            statuses.append(_interface_status(f'{self.get_name()}: interface {report.name}',
                                              report))
        return statuses

    def _bridge_status(self, now: float) -> DiagnosticStatus:
        coordinator = self._coordinator
        active, pipeline, counters = coordinator.serving, coordinator.pipeline, \
            coordinator.counters
        standby, links, published = coordinator.standby, coordinator.links, \
            coordinator.published
        values = {
            'active_edge': active or 'none',
            'fps': f'{published.rate(now):.1f}',
            'latency_p50_ms': _ms(published.percentile(now, 0.5)),
            'latency_p99_ms': _ms(published.percentile(now, 0.99)),
            'frames_dropped': str(pipeline.frames_dropped),
            'results_dropped': str(pipeline.results_dropped),
            'failed_requests': str(counters.failed_requests),
            'frames_without_edge': str(counters.frames_without_edge),
            'frames_rejected': str(self._frames_rejected),
            'frames_over_local_rate': str(counters.frames_capped),
            'on_local_standby': str(standby.on_local),
            'time_on_local_standby_s': f'{standby.time_on_local(now):.1f}',
            'in_flight': str(pipeline.in_flight),
            'encoding': _settings_text(links.settings),
            'encoding_mode': 'adaptive' if links.adaptive else 'fixed',
            'encoding_reason': links.reason,
        }
        level = DiagnosticStatus.OK if active is not None else DiagnosticStatus.ERROR
        if standby.on_local:
            level = DiagnosticStatus.WARN
        message = f"serving from '{active}'" if active else (
            f'no edge reachable: {coordinator.unreachable_reason(now)}')
        return _status(f'{self.get_name()}: offload', level, message, values)

    def _edge_statuses(self, now: float) -> List[DiagnosticStatus]:
        statuses = []
        for report in self._coordinator.selector.report(now):
            if report.eligible:
                level = DiagnosticStatus.OK
            elif report.health is EdgeHealth.UNREACHABLE:
                level = DiagnosticStatus.ERROR
            else:
                level = DiagnosticStatus.WARN
            link = self._coordinator.links.estimate(report.name, now)
            values = {
                'address': self._edges[report.name].address,
                'link_rtt_ms': _ms(link.rtt_s),
                'link_rtt_p95_ms': _ms(link.rtt_p95_s),
                'link_goodput_mbit_s': '-' if link.goodput_bytes_per_s is None else (
                    f'{link.goodput_bytes_per_s * 8e-6:.2f}'),
                'link_loss_rate': f'{link.loss_rate:.3f}',
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
        if self._local is not None:
            statuses.append(self._local_status(now))
        return statuses

    def _local_status(self, now: float) -> DiagnosticStatus:
        local, coordinator = self._local, self._coordinator
        link = coordinator.links.estimate(local.name, now)
        health, on_local = coordinator.local_health, coordinator.standby.on_local
        serving = health is EdgeHealth.SERVING
        values = {
            'address': local.address,
            'class': 'local',
            'health': health.value,
            'active': str(on_local),
            'max_fps': f'{1.0 / coordinator.local_cap.period_s:.1f}',
            'link_rtt_ms': _ms(link.rtt_s),
            'link_loss_rate': f'{link.loss_rate:.3f}',
            'last_error': '' if serving else coordinator.local_reason,
        }
        message = health.value + (' (active)' if on_local else '')
        return _status(f'{self.get_name()}: local edge {local.name}',
                       DiagnosticStatus.OK if serving else DiagnosticStatus.WARN, message,
                       values)


def _interface_status(name: str, report: InterfaceReport) -> DiagnosticStatus:
    reading = report.reading
    if reading is None:
        return _status(name, DiagnosticStatus.WARN, 'interface not found', {})
    values = {
        'rx_bytes': str(reading.rx_bytes), 'tx_bytes': str(reading.tx_bytes),
        'rx_errors': str(reading.rx_errors), 'tx_errors': str(reading.tx_errors),
        'rx_drops': str(reading.rx_drops), 'tx_drops': str(reading.tx_drops),
        'speed_mbit': '-' if reading.speed_mbit is None else f'{reading.speed_mbit:g}',
        'wireless': str(reading.wireless),
        'signal_dbm': '-' if reading.signal_dbm is None else f'{reading.signal_dbm:g}',
        'link_quality': '-' if reading.link_quality is None else f'{reading.link_quality:g}',
    }
    if report.degrading:
        return _status(name, DiagnosticStatus.WARN, f'degrading: {report.degrading}', values)
    return _status(name, DiagnosticStatus.OK, 'ok', values)


def _or_nan(value: Optional[float]) -> float:
    return math.nan if value is None else value


def _settings_text(settings: EncodingSettings) -> str:
    return (f'JPEG q{settings.quality} {settings.width}x{settings.height} '
            f'at {settings.fps:g} fps')


def _ms(seconds: Optional[float]) -> str:
    return '-' if seconds is None else f'{seconds * 1000:.1f}'


def _status(name: str, level: bytes, message: str, values: Dict[str, str]) -> DiagnosticStatus:
    return DiagnosticStatus(
        level=level, name=name, message=message, hardware_id='liquid_edge_bridge',
        values=[KeyValue(key=key, value=value) for key, value in values.items()])


def main(args=None) -> int:
    """Run the edge bridge until shutdown; exit 1 with one message on a refused configuration."""
    return run_node(BridgeNode, 'edge_bridge', args,
                    configuration_errors=(EdgeConfigError, EncodingProfileError))
