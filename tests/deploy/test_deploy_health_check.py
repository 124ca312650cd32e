"""docker/grpc_health_check.py (the images' HEALTHCHECK) against a real health server."""
from concurrent import futures
import socket
import subprocess
import sys

from deploy_checks import DOCKER
import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
import pytest

SCRIPT = DOCKER / 'grpc_health_check.py'
DETECTOR = 'liquidedge.v1.Detector'


@pytest.fixture
def health_server():
    """Serve only the health service on loopback; yield (address, servicer)."""
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=2))
    servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(servicer, server)
    port = server.add_insecure_port('127.0.0.1:0')
    server.start()
    yield f'127.0.0.1:{port}', servicer
    server.stop(grace=None)


def check(*args):
    """Run the health check as Docker does; return (exit status, printed line)."""
    result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                            text=True, timeout=30, check=False)
    return result.returncode, result.stdout.strip()


def test_serving_service_is_healthy(health_server):
    address, servicer = health_server
    servicer.set(DETECTOR, health_pb2.HealthCheckResponse.SERVING)
    assert check(address, DETECTOR) == (0, f'{address} {DETECTOR}: SERVING')


def test_draining_service_is_unhealthy(health_server):
    address, servicer = health_server
    servicer.set(DETECTOR, health_pb2.HealthCheckResponse.SERVING)
    servicer.enter_graceful_shutdown()
    assert check(address, DETECTOR) == (1, f'{address} {DETECTOR}: NOT_SERVING')


def test_whole_server_status_is_the_default(health_server):
    address, servicer = health_server
    servicer.set('', health_pb2.HealthCheckResponse.SERVING)
    assert check(address) == (0, f'{address} <server>: SERVING')


def test_unknown_service_is_unhealthy(health_server):
    address, _ = health_server
    assert check(address, 'no.such.Service') == (1, f'{address} no.such.Service: NOT_FOUND')


def test_silent_peer_is_unhealthy_within_the_deadline():
    # A socket of ours that listens but never speaks HTTP/2: the check must give up in time.
    with socket.socket() as silent:
        silent.bind(('127.0.0.1', 0))
        silent.listen()
        status, line = check(f'127.0.0.1:{silent.getsockname()[1]}', DETECTOR,
                             '--timeout', '0.5')
    assert status == 1
    assert line.endswith(('UNAVAILABLE', 'DEADLINE_EXCEEDED'))


def test_bad_timeout_is_a_usage_error():
    result = subprocess.run([sys.executable, str(SCRIPT), '127.0.0.1:1', '--timeout', '0'],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 2
    assert '--timeout must be positive' in result.stderr
