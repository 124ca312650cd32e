"""What every edge server has: shedding, drain, health, reflection and metrics."""
import threading
import time
import urllib.request

from edge_harness import identity, MAX_PIXELS, settings
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha.proto_reflection_descriptor_database import (
    ProtoReflectionDescriptorDatabase)
from liquid_edge.face_service import build_face_server
from liquid_edge.server import EdgeMetrics, EdgeServer, ServerSettings, ServiceBinding
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
import pytest

TIMEOUT_S = 20.0
DETECTOR_SERVICE = 'liquidedge.v1.Detector'


def _wait_until(condition, timeout_s: float = 10.0, what: str = 'condition') -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f'timed out waiting for {what}'
        threading.Event().wait(0.005)


class _HeldDetector(v1_grpc.DetectorServicer):
    """Answers only once released, to hold requests in flight."""

    def __init__(self):
        self.release = threading.Event()

    def Detect(self, request, context):  # noqa: N802 (gRPC method name)
        assert self.release.wait(TIMEOUT_S)
        return v1.DetectResponse(request_id=request.request_id)


def _held_server(max_in_flight: int, **overrides) -> tuple[EdgeServer, _HeldDetector]:
    held = _HeldDetector()
    server = EdgeServer('held', settings(max_in_flight=max_in_flight,
                                         max_workers=max_in_flight + 2, **overrides),
                        EdgeMetrics(), [ServiceBinding(
                            DETECTOR_SERVICE,
                            lambda s: v1_grpc.add_DetectorServicer_to_server(held, s))])
    return server, held


def _in_flight(server: EdgeServer) -> float:
    value = server.metrics.registry.get_sample_value(
        'liquid_edge_in_flight_requests', {'method': f'/{DETECTOR_SERVICE}/Detect'})
    return value or 0.0


def _health(channel: grpc.Channel, service: str = ''):
    return health_pb2_grpc.HealthStub(channel).Check(
        health_pb2.HealthCheckRequest(service=service), timeout=TIMEOUT_S).status


def test_requests_beyond_the_in_flight_limit_are_shed(start_server, channel_to):
    server, held = _held_server(max_in_flight=2)
    channel = channel_to(start_server(server))
    stub = v1_grpc.DetectorStub(channel)
    pending = [stub.Detect.future(v1.DetectRequest(request_id=str(i)), timeout=TIMEOUT_S)
               for i in range(2)]
    _wait_until(lambda: _in_flight(server) == 2, what='two requests in flight')
    with pytest.raises(grpc.RpcError) as shed:
        stub.Detect(v1.DetectRequest(request_id='third'), timeout=TIMEOUT_S)
    assert shed.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert 'overloaded: 2 requests already in flight' in shed.value.details()
    assert _health(channel) == health_pb2.HealthCheckResponse.SERVING, \
        'health is answered while detection is saturated'
    held.release.set()
    assert [p.result().request_id for p in pending] == ['0', '1']
    assert stub.Detect(v1.DetectRequest(request_id='after'), timeout=TIMEOUT_S).request_id \
        == 'after'


def test_drain_reports_not_serving_then_stops(channel_to):
    server, held = _held_server(max_in_flight=2, drain_seconds=1.0)
    held.release.set()
    server.start()
    channel = channel_to(f'127.0.0.1:{server.port}')
    assert _health(channel, DETECTOR_SERVICE) == health_pb2.HealthCheckResponse.SERVING
    draining = threading.Thread(target=server.drain)
    draining.start()
    _wait_until(lambda: _health(channel, DETECTOR_SERVICE)
                == health_pb2.HealthCheckResponse.NOT_SERVING, what='NOT_SERVING')
    assert _health(channel) == health_pb2.HealthCheckResponse.NOT_SERVING
    # Requests still in the drain window are served.
    assert v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(request_id='late'),
                                                timeout=TIMEOUT_S).request_id == 'late'
    draining.join(TIMEOUT_S)
    assert not draining.is_alive()
    with pytest.raises(grpc.RpcError) as stopped:
        _health(channel)
    assert stopped.value.code() == grpc.StatusCode.UNAVAILABLE


def test_reflection_lists_every_service(channel_to, face_address):
    services = ProtoReflectionDescriptorDatabase(channel_to(face_address)).get_services()
    assert {'FaceDetection', DETECTOR_SERVICE, 'grpc.health.v1.Health'} <= set(services)


def test_metrics_are_exposed_over_http(start_server, channel_to, astronaut):
    server = build_face_server(settings(metrics_port=0), identity(), max_pixels=MAX_PIXELS)
    channel = channel_to(start_server(server))
    stub = v1_grpc.DetectorStub(channel)
    stub.Detect(v1.DetectRequest(jpeg=astronaut.jpeg), timeout=TIMEOUT_S)
    with pytest.raises(grpc.RpcError):
        stub.Detect(v1.DetectRequest(jpeg=b'nope'), timeout=TIMEOUT_S)
    url = f'http://127.0.0.1:{server.metrics_port}/metrics'
    with urllib.request.urlopen(url, timeout=TIMEOUT_S) as page:
        text = page.read().decode()
    method = '/liquidedge.v1.Detector/Detect'
    assert f'liquid_edge_requests_total{{code="OK",method="{method}"}} 1.0' in text
    assert f'liquid_edge_requests_total{{code="INVALID_ARGUMENT",method="{method}"}} 1.0' \
        in text
    assert f'liquid_edge_request_seconds_count{{code="OK",method="{method}"}} 1.0' in text
    assert 'liquid_edge_inference_seconds_count{engine="face"} 1.0' in text
    assert f'liquid_edge_in_flight_requests{{method="{method}"}} 0.0' in text


def test_settings_refuse_too_few_workers_for_health_checks():
    with pytest.raises(ValueError, match='must exceed max in flight'):
        ServerSettings(max_in_flight=8, max_workers=8)
