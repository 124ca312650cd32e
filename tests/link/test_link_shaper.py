"""
The link shaper with real gRPC through it: bytes intact, delay, bandwidth, loss, outage.

Behind the relay runs a real gRPC server on loopback (grpc.health.v1 and a raw-bytes echo
method); the client dials the relay. Timing asserts are lower bounds only: what the link
must at least cost. The schedule clock is a fake the test moves between phases.
"""
from concurrent import futures
import os
import time

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from liquid_edge_sim.link_schedule import LinkSchedule
from liquid_edge_sim.link_shaper import LinkShaper
import pytest

ECHO = '/liquidedge.test.Echo/Echo'


class FakeClock:
    """Schedule time the test sets."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture(scope='module')
def server():
    """Start a gRPC server with health and a bytes echo on a free loopback port."""
    grpc_server = grpc.server(futures.ThreadPoolExecutor(max_workers=4),
                              options=[('grpc.max_receive_message_length', 8 << 20)])
    health_servicer = health.HealthServicer()
    health_pb2_grpc.add_HealthServicer_to_server(health_servicer, grpc_server)
    grpc_server.add_generic_rpc_handlers([grpc.method_handlers_generic_handler(
        'liquidedge.test.Echo', {'Echo': grpc.unary_unary_rpc_method_handler(
            lambda request, context: request)})])
    port = grpc_server.add_insecure_port('127.0.0.1:0')
    grpc_server.start()
    yield f'127.0.0.1:{port}'
    grpc_server.stop(grace=None)


def shaped(server, phases, clock=None, seed=0):
    return LinkShaper(server, LinkSchedule.from_list(phases), clock=clock or FakeClock(),
                      seed=seed)


def echo(channel, payload, timeout=10.0):
    call = channel.unary_unary(ECHO)
    return call(payload, timeout=timeout)


def timed_echo(channel, payload, timeout=10.0):
    started = time.monotonic()
    answer = echo(channel, payload, timeout)
    return answer, time.monotonic() - started


def test_bytes_pass_intact_both_ways(server):
    payload = os.urandom(300_000)
    with shaped(server, [{'duration': 60, 'rate_mbit': 200, 'delay_ms': 1, 'jitter_ms': 1,
                          'loss': 0.02}]) as shaper, \
            grpc.insecure_channel(shaper.address) as channel:
        for _ in range(3):
            assert echo(channel, payload) == payload
        health_answer = health_pb2_grpc.HealthStub(channel).Check(
            health_pb2.HealthCheckRequest(), timeout=10.0)
    assert health_answer.status == health_pb2.HealthCheckResponse.SERVING
    assert shaper.stats('up')['bytes'] >= 3 * len(payload)
    assert shaper.stats('down')['bytes'] >= 3 * len(payload)
    assert shaper.stats('up')['segments_lost'] > 0  # loss happened, yet nothing is missing


def test_delay_phase_adds_at_least_its_round_trip(server):
    with shaped(server, [{'duration': 60, 'delay_ms': 60}]) as shaper, \
            grpc.insecure_channel(shaper.address) as channel:
        echo(channel, b'warm up the connection')
        _, elapsed = timed_echo(channel, b'x' * 100)
    assert elapsed >= 0.120


def test_rate_limit_costs_at_least_size_over_rate(server):
    payload = os.urandom(200_000)
    with shaped(server, [{'duration': 60, 'rate_mbit': 8, 'up': {'rate_mbit': 4}}]) as shaper, \
            grpc.insecure_channel(shaper.address) as channel:
        echo(channel, b'warm up')
        answer, elapsed = timed_echo(channel, payload)
    assert answer == payload
    # 200 kB up at 4 Mbit/s (0.4 s), then back at 8 Mbit/s (0.2 s).
    assert elapsed >= 0.6


def test_loss_delays_delivery_instead_of_losing_bytes(server):
    payload = os.urandom(20_000)
    with shaped(server, [{'duration': 60, 'delay_ms': 20, 'loss': 1.0}]) as shaper, \
            grpc.insecure_channel(shaper.address) as channel:
        echo(channel, b'warm up')
        answer, elapsed = timed_echo(channel, payload)
    assert answer == payload
    # Each way: 20 ms delay plus at least one 40 ms round trip waiting for a retransmission.
    assert elapsed >= 2 * (0.020 + 0.040)


def test_outage_makes_calls_hit_their_deadline_then_the_link_comes_back(server):
    clock = FakeClock()
    phases = [{'name': 'good', 'duration': 10, 'delay_ms': 1},
              {'name': 'outage', 'duration': 10, 'outage': True},
              {'name': 'back', 'duration': 10, 'delay_ms': 1}]
    with shaped(server, phases, clock) as shaper, \
            grpc.insecure_channel(shaper.address) as channel:
        assert echo(channel, b'before') == b'before'
        clock.now = 12.0
        assert shaper.phase().phase.name == 'outage'
        with pytest.raises(grpc.RpcError) as caught:
            echo(channel, b'during', timeout=0.3)
        assert caught.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        clock.now = 21.0
        assert echo(channel, b'after') == b'after'


def test_a_new_connection_stalls_during_an_outage(server):
    clock = FakeClock()
    with shaped(server, [{'duration': 1}, {'duration': 10, 'outage': True},
                         {'duration': 10}], clock) as shaper:
        clock.now = 5.0
        channel = grpc.insecure_channel(shaper.address)
        with pytest.raises(grpc.RpcError) as caught:
            echo(channel, b'no link', timeout=0.3)
        assert caught.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
        clock.now = 11.5
        grpc.channel_ready_future(channel).result(timeout=10.0)
        assert echo(channel, b'link') == b'link'
        channel.close()


def test_phases_follow_the_schedule_clock(server):
    clock = FakeClock()
    phases = [{'name': 'fast', 'duration': 20, 'delay_ms': 0},
              {'name': 'slow', 'duration': 20, 'delay_ms': 80}]
    with shaped(server, phases, clock) as shaper, \
            grpc.insecure_channel(shaper.address) as channel:
        echo(channel, b'warm up')
        assert shaper.phase().phase.name == 'fast'
        clock.now = 25.0
        assert shaper.phase().phase.name == 'slow'
        _, slow = timed_echo(channel, b'x')
    assert slow >= 0.160


def test_an_edge_that_is_down_closes_the_connection(server):
    with LinkShaper('127.0.0.1:1', LinkSchedule.from_list([{'duration': 1}])) as shaper, \
            grpc.insecure_channel(shaper.address) as channel:
        with pytest.raises(grpc.RpcError) as caught:
            echo(channel, b'nobody', timeout=5.0)
    assert caught.value.code() is grpc.StatusCode.UNAVAILABLE


def test_bad_upstream_is_refused():
    with pytest.raises(ValueError, match='host:port'):
        LinkShaper('nowhere', LinkSchedule.from_list([{'duration': 1}]))
