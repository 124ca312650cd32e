"""
Test harness of the edge bridge: a real BridgeNode, a camera, listeners, scripted edges.

`ScriptedEdge` is a real gRPC server on loopback serving `liquidedge.v1.Detector` and
`grpc.health.v1` whose answer delay and health the test sets, for what the real edge
services cannot be made to do on demand (a chosen latency, NOT_SERVING without stopping).
`LegacyEdge` serves only the original protocol, as the seed services do.
"""
from concurrent import futures
import os
import subprocess
import threading
import time

import cv2
from diagnostic_msgs.msg import DiagnosticArray
import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from liquid_edge_bridge.bridge_node import BridgeNode
from liquid_edge_bridge.edge_config import edge_parameters
from liquid_edge_interfaces.msg import ActiveEdge, CaptureSettings, LinkState
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
from liquid_edge_toolkit.main import start_lifecycle
import numpy as np
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CompressedImage
from skimage import data
from std_msgs.msg import Float64
from vision_msgs.msg import Detection2DArray

CAMERA_WIDTH, CAMERA_HEIGHT = 640, 480
SCRIPTED_PERSON = v1.Box(x=200, y=100, width=120, height=300)


def astronaut_jpeg(quality: int = 90) -> bytes:
    """Return the astronaut photo on a 640x480 grey canvas (scaled to 480 high), as JPEG."""
    photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    photo = cv2.resize(photo, (CAMERA_HEIGHT, CAMERA_HEIGHT), interpolation=cv2.INTER_AREA)
    canvas = np.full((CAMERA_HEIGHT, CAMERA_WIDTH, 3), 128, dtype=np.uint8)
    left = (CAMERA_WIDTH - CAMERA_HEIGHT) // 2
    canvas[:, left:left + CAMERA_HEIGHT] = photo
    ok, jpeg = cv2.imencode('.jpg', canvas, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return jpeg.tobytes()


class _ScriptedDetector(v1_grpc.DetectorServicer):
    def __init__(self, edge):
        self._edge = edge

    def Detect(self, request, context):  # noqa: N802 (gRPC method name)
        self._edge.started += 1
        self._edge.engines_asked = tuple(request.engines)
        # The scripted processing time of this edge, as a GPU or a far link would take.
        time.sleep(self._edge.delay_s)
        self._edge.requests += 1
        return v1.DetectResponse(
            request_id=request.request_id, client_timestamp_ns=request.client_timestamp_ns,
            image_width=CAMERA_WIDTH, image_height=CAMERA_HEIGHT,
            detections=[v1.Detection(engine=v1.ENGINE_YOLO, class_id=0, class_name='person',
                                     score=0.9, box_px=SCRIPTED_PERSON)],
            edge=v1.EdgeIdentity(site=self._edge.site, host='scripted', color=self._edge.color))


class ScriptedEdge:
    """A real gRPC Detector + health server on 127.0.0.1 with a settable delay and health."""

    def __init__(self, site: str, color: str, delay_s: float = 0.01,
                 credentials: grpc.ServerCredentials = None):
        self.site, self.color, self.delay_s = site, color, delay_s
        self.started = 0   # requests received
        self.requests = 0  # requests answered
        self.engines_asked = ()  # the engines of the last request
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=8))
        v1_grpc.add_DetectorServicer_to_server(_ScriptedDetector(self), self._server)
        self._health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        if credentials is None:
            self.port = self._server.add_insecure_port('127.0.0.1:0')
        else:
            self.port = self._server.add_secure_port('127.0.0.1:0', credentials)
        self.address = f'127.0.0.1:{self.port}'

    def start(self) -> 'ScriptedEdge':
        """Serve and report SERVING."""
        self._server.start()
        self.set_serving(True)
        return self

    def set_serving(self, serving: bool) -> None:
        """Report SERVING or NOT_SERVING for the Detector service."""
        status = (health_pb2.HealthCheckResponse.SERVING if serving
                  else health_pb2.HealthCheckResponse.NOT_SERVING)
        self._health.set('liquidedge.v1.Detector', status)

    def stop(self) -> None:
        """Stop at once (connections dropped)."""
        self._server.stop(None).wait()


class _LegacyDetector(legacy_pb2_grpc.ObjectDetectionServicer):
    def ObjectDetect(self, request, context):  # noqa: N802 (gRPC method name)
        return legacy_pb2.ObjectDetectionResponse(number=request.frame.number,
                                                  timestamp=request.frame.timestamp)


class LegacyEdge:
    """A real gRPC server speaking only the original protocol (no v1 API, no health)."""

    def __init__(self):
        self._server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
        legacy_pb2_grpc.add_ObjectDetectionServicer_to_server(_LegacyDetector(), self._server)
        self.address = f'127.0.0.1:{self._server.add_insecure_port("127.0.0.1:0")}'
        self._server.start()

    def stop(self) -> None:
        """Stop at once."""
        self._server.stop(None).wait()


class BridgeRig:
    """A BridgeNode and a test node (camera publisher, listeners) spun in one executor."""

    def __init__(self, context, namespace: str, edges, fps: float = 15.0, link_source=None,
                 start: bool = True, **parameters):
        """Build the rig; `start` False leaves the bridge unconfigured (lifecycle tests)."""
        overrides = {
            **edge_parameters({name: {'address': address, 'color': color}
                               for name, address, color in edges}),
            'diagnostics_period': 0.2,
            **parameters,
        }
        self.bridge = BridgeNode(
            link_source=link_source, context=context, namespace=namespace,
            parameter_overrides=[Parameter(k, value=v) for k, v in overrides.items()])
        if start and not start_lifecycle(self.bridge):
            error = self.bridge.configure_error
            self.bridge.destroy_node()
            raise error or AssertionError('the bridge refused to activate')
        self.node = Node('bridge_test', context=context, namespace=namespace)
        self.jpeg = astronaut_jpeg()
        self.jpegs = [self.jpeg]  # published in turn; frames of several sizes show goodput
        self._published = 0
        self.sent_stamps = {}  # stamp (ns) → monotonic send time
        self.detections = []   # (monotonic receive time, Detection2DArray)
        self.active = []       # (monotonic receive time, ActiveEdge)
        self.latencies = []
        self.diagnostics = []
        self.capture_settings = []
        self.links = []
        self._changed = threading.Condition()
        self.streaming = True
        self._camera = self.node.create_publisher(
            CompressedImage, 'camera/image_raw/compressed',
            QoSProfile(depth=1, reliability=ReliabilityPolicy.BEST_EFFORT))
        self.node.create_subscription(Detection2DArray, 'detections',
                                      self._keep(self.detections), 50)
        self.node.create_subscription(
            ActiveEdge, 'edge/active', self._keep(self.active),
            QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL))
        self.node.create_subscription(Float64, 'edge/latency', self._keep(self.latencies), 50)
        self.node.create_subscription(
            CaptureSettings, 'camera/capture_settings', self._keep(self.capture_settings),
            QoSProfile(depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL))
        self.node.create_subscription(LinkState, 'edge/link', self._keep(self.links), 50)
        self.node.create_subscription(DiagnosticArray, '/diagnostics',
                                      self._keep(self.diagnostics), 50)
        self.node.create_timer(1.0 / fps, self._publish_frame)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.bridge)
        self.executor.add_node(self.node)
        self._spinner = threading.Thread(target=self.executor.spin, daemon=True)
        self._spinner.start()

    def _keep(self, store):
        def callback(message):
            with self._changed:
                store.append((time.monotonic(), message))
                self._changed.notify_all()
        return callback

    def _publish_frame(self) -> None:
        if not self.streaming:
            return
        message = CompressedImage(format='jpeg',
                                  data=self.jpegs[self._published % len(self.jpegs)])
        self._published += 1
        message.header.stamp = self.node.get_clock().now().to_msg()
        message.header.frame_id = 'camera_optical_frame'
        stamp = message.header.stamp
        self.sent_stamps[stamp.sec * 1_000_000_000 + stamp.nanosec] = time.monotonic()
        self._camera.publish(message)

    def wait_for(self, predicate, timeout: float, what: str):
        """Wait until predicate() returns a truthy value (returned), or fail after timeout."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(f'timed out after {timeout} s waiting for {what}')
                self._changed.wait(min(remaining, 0.05))

    def latest_active(self):
        """Return the last ActiveEdge received, or None."""
        return self.active[-1][1] if self.active else None

    def active_is(self, name: str):
        """Return a predicate: the active edge is `name` ('' = none reachable)."""
        def predicate():
            active = self.latest_active()
            return active is not None and active.name == name and active.reachable == bool(name)
        return predicate

    def detections_since(self, since: float):
        """Return the detections received after monotonic time `since`."""
        return [message for received, message in self.detections if received > since]

    def first_detection_of_frame_after(self, since: float):
        """Return (receive time, msg) of the first detections of a frame sent after `since`."""
        for received, message in self.detections:
            stamp = message.header.stamp
            sent = self.sent_stamps.get(stamp.sec * 1_000_000_000 + stamp.nanosec)
            if sent is not None and sent > since:
                return received, message
        return None

    def edge_diagnostics(self, edge: str):
        """Return the key/values of the last diagnostics status of `edge`, or None."""
        for _, array in reversed(self.diagnostics):
            for status in array.status:
                if status.name.endswith(f'edge {edge}'):
                    return {kv.key: kv.value for kv in status.values}
        return None

    def interface_diagnostics(self, interface: str):
        """Return (message, key/values) of the last diagnostics of `interface`, or None."""
        for _, array in reversed(self.diagnostics):
            for status in array.status:
                if status.name.endswith(f'interface {interface}'):
                    return status.message, {kv.key: kv.value for kv in status.values}
        return None

    def close(self) -> None:
        """Stop spinning and destroy both nodes."""
        self.streaming = False
        self.executor.shutdown(timeout_sec=2.0)
        self._spinner.join(timeout=5.0)
        self.bridge.destroy_node()
        self.node.destroy_node()


def ingress_pid(site: str) -> int:
    """Return the pid of this process's `objectdetection` child serving edge `site`."""
    me = str(os.getpid())
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open(f'/proc/{entry}/stat') as stat:
                parent = stat.read().rsplit(')', 1)[1].split()[1]
            with open(f'/proc/{entry}/cmdline', 'rb') as cmdline:
                argv = cmdline.read().split(b'\0')
        except OSError:
            continue
        if (parent == me and any(arg.endswith(b'objectdetection') for arg in argv[:2])
                and site.encode() in argv):
            return int(entry)
    raise LookupError(f'no objectdetection process of site {site} among our children')


def make_test_pki(directory) -> dict:
    """Create a CA, a server certificate for 127.0.0.1 and a client certificate (openssl)."""
    def openssl(*args):
        subprocess.run(['openssl', *args], cwd=directory, check=True, capture_output=True)

    openssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out',
            'ca.pem', '-days', '1', '-subj', '/CN=liquid-edge-test-ca')
    with open(os.path.join(directory, 'server.ext'), 'w') as ext:
        ext.write('subjectAltName=IP:127.0.0.1,DNS:localhost\n')
    for name in ('server', 'client'):
        openssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f'{name}.key', '-out',
                f'{name}.csr', '-subj', f'/CN={name}')
        extra = ['-extfile', 'server.ext'] if name == 'server' else []
        openssl('x509', '-req', '-in', f'{name}.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key',
                '-CAcreateserial', '-out', f'{name}.pem', '-days', '1', *extra)
    return {name: os.path.join(directory, name) for name in (
        'ca.pem', 'server.pem', 'server.key', 'client.pem', 'client.key')}
