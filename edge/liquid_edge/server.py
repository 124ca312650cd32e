"""Builds an edge gRPC server: the service's servicers plus everything every service needs.

Wired once here: grpc.health.v1 health, server reflection, Prometheus metrics (an
interceptor and an HTTP endpoint), a bounded number of detection requests in flight (more
are shed with RESOURCE_EXHAUSTED, never queued), the message size limit, and a graceful
drain (health NOT_SERVING, a drain window, then stop with grace).
"""
from collections.abc import Callable, Sequence
from concurrent import futures
from dataclasses import dataclass
import logging
import signal
import threading
import time

import grpc
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
import prometheus_client

log = logging.getLogger(__name__)

# Latency buckets (s) around a detector's tens of milliseconds.
_LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.25,
                    0.5, 1.0, 2.5, 5.0)
# Methods under these prefixes (health, reflection) are never shed.
_INFRASTRUCTURE_PREFIXES = ('/grpc.health.', '/grpc.reflection.')


@dataclass(frozen=True)
class ServerSettings:
    """How a service listens and how much it accepts.

    ``metrics_port`` None = no metrics endpoint, 0 = any free port. ``max_workers`` must
    exceed ``max_in_flight`` so health checks are answered while detection is saturated.
    """

    host: str = '0.0.0.0'
    port: int = 0
    metrics_port: int | None = None
    max_in_flight: int = 16
    max_workers: int = 20
    max_message_bytes: int = 4 * 1024 * 1024
    drain_seconds: float = 5.0

    def __post_init__(self):
        if self.max_in_flight < 1:
            raise ValueError(f'max in flight must be >= 1, got {self.max_in_flight}')
        if self.max_workers <= self.max_in_flight:
            raise ValueError(f'max workers ({self.max_workers}) must exceed max in flight '
                             f'({self.max_in_flight}) to keep health checks answered')
        if self.max_message_bytes < 1024:
            raise ValueError(f'max message bytes must be >= 1024, got {self.max_message_bytes}')
        if self.drain_seconds < 0:
            raise ValueError(f'drain seconds must be >= 0, got {self.drain_seconds}')


class EdgeMetrics:
    """The Prometheus metrics of one server, in their own registry."""

    def __init__(self):
        self.registry = prometheus_client.CollectorRegistry()
        self.requests = prometheus_client.Counter(
            'liquid_edge_requests', 'gRPC requests handled, by method and status code',
            ['method', 'code'], registry=self.registry)
        self.latency = prometheus_client.Histogram(
            'liquid_edge_request_seconds', 'gRPC request latency, by method and status code',
            ['method', 'code'], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.in_flight = prometheus_client.Gauge(
            'liquid_edge_in_flight_requests', 'gRPC requests being handled, by method',
            ['method'], registry=self.registry)
        self.inference = prometheus_client.Histogram(
            'liquid_edge_inference_seconds', 'detector time per image, by engine',
            ['engine'], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.robot_requests = prometheus_client.Counter(
            'liquid_edge_robot_requests', 'detection requests by robot and outcome: served, '
            'shed (dropped as late or superseded, or no detector in time) or failed',
            ['robot', 'outcome'], registry=self.registry)
        self.robot_latency = prometheus_client.Histogram(
            'liquid_edge_robot_request_seconds', 'latency of served detection requests, by '
            'robot', ['robot'], buckets=_LATENCY_BUCKETS, registry=self.registry)
        self.batch_frames = prometheus_client.Histogram(
            'liquid_edge_batch_frames', 'frames run together in one detector batch',
            buckets=(1, 2, 3, 4, 6, 8, 12, 16, 32), registry=self.registry)
        self.lone_runs = prometheus_client.Counter(
            'liquid_edge_lone_runs', 'detector runs of a frame alone in the service, on the '
            'detector with a thread per core', registry=self.registry)
        self.backend_calls = prometheus_client.Counter(
            'liquid_edge_backend_calls', 'ingress calls to its backends, by engine and code',
            ['engine', 'code'], registry=self.registry)


class _MetricsAndSheddingInterceptor(grpc.ServerInterceptor):
    """Counts and times every unary call; sheds detection calls beyond the in-flight limit."""

    def __init__(self, metrics: EdgeMetrics, max_in_flight: int):
        self._metrics = metrics
        self._max_in_flight = max_in_flight
        self._slots = threading.BoundedSemaphore(max_in_flight)

    def intercept_service(self, continuation, handler_call_details):
        handler = continuation(handler_call_details)
        if handler is None or handler.unary_unary is None:
            return handler
        method = handler_call_details.method
        limited = not method.startswith(_INFRASTRUCTURE_PREFIXES)
        behaviour = handler.unary_unary

        def observed(request, context):
            start = time.perf_counter()
            code = grpc.StatusCode.OK
            admitted = not limited or self._slots.acquire(blocking=False)
            self._metrics.in_flight.labels(method).inc()
            try:
                if not admitted:
                    context.abort(grpc.StatusCode.RESOURCE_EXHAUSTED,
                                  f'overloaded: {self._max_in_flight} requests already in '
                                  f'flight; retry later or use another edge')
                response = behaviour(request, context)
                code = context.code() or grpc.StatusCode.OK
                return response
            except Exception:
                code = context.code() or grpc.StatusCode.UNKNOWN
                raise
            finally:
                elapsed = time.perf_counter() - start
                if limited and admitted:
                    self._slots.release()
                self._metrics.in_flight.labels(method).dec()
                self._metrics.requests.labels(method, code.name).inc()
                self._metrics.latency.labels(method, code.name).observe(elapsed)
                level = logging.DEBUG if code == grpc.StatusCode.OK else logging.INFO
                if log.isEnabledFor(level):
                    log.log(level, 'request', extra={'method': method, 'code': code.name,
                                                     'ms': round(elapsed * 1000, 3),
                                                     'peer': context.peer()})

        return grpc.unary_unary_rpc_method_handler(
            observed, request_deserializer=handler.request_deserializer,
            response_serializer=handler.response_serializer)


@dataclass(frozen=True)
class ServiceBinding:
    """One gRPC service to serve: its full name and how to add its servicer to a server."""

    full_name: str
    add_to_server: Callable[[grpc.Server], None]


class EdgeServer:
    """A started-on-demand gRPC server with health, reflection, metrics, shedding and drain."""

    def __init__(self, name: str, settings: ServerSettings, metrics: EdgeMetrics,
                 services: Sequence[ServiceBinding]):
        self.name = name
        self.settings = settings
        self.metrics = metrics
        self.port: int | None = None
        self.metrics_port: int | None = None
        self._metrics_http = None
        self._drained = threading.Event()
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=settings.max_workers,
                                       thread_name_prefix=name),
            interceptors=[_MetricsAndSheddingInterceptor(metrics, settings.max_in_flight)],
            options=[('grpc.max_receive_message_length', settings.max_message_bytes),
                     ('grpc.max_send_message_length', settings.max_message_bytes),
                     ('grpc.so_reuseport', 0)],
            # Beyond the worker threads nothing is queued: gRPC itself answers
            # RESOURCE_EXHAUSTED.
            maximum_concurrent_rpcs=settings.max_workers)
        for service in services:
            service.add_to_server(self._server)
        self._health = health.HealthServicer()
        health_pb2_grpc.add_HealthServicer_to_server(self._health, self._server)
        self._served_names = [s.full_name for s in services]
        reflection.enable_server_reflection(
            [*self._served_names, health.SERVICE_NAME, reflection.SERVICE_NAME], self._server)

    def start(self) -> int:
        """Bind, start serving and report SERVING; return the bound gRPC port."""
        address = f'{self.settings.host}:{self.settings.port}'
        self.port = self._server.add_insecure_port(address)
        if not self.port:
            raise OSError(f'cannot listen on {address}')
        if self.settings.metrics_port is not None:
            self._metrics_http, _ = prometheus_client.start_http_server(
                self.settings.metrics_port, addr=self.settings.host,
                registry=self.metrics.registry)
            self.metrics_port = self._metrics_http.server_port
        self._server.start()
        for name in ['', *self._served_names]:
            self._health.set(name, health_pb2.HealthCheckResponse.SERVING)
        log.info('serving', extra={'service': self.name, 'host': self.settings.host,
                                   'port': self.port, 'metrics_port': self.metrics_port,
                                   'services': self._served_names})
        return self.port

    def drain(self) -> None:
        """Report NOT_SERVING, keep serving for the drain window, then stop with grace.

        The window lets load balancers and health probes see NOT_SERVING and route new
        requests elsewhere; requests in flight at the end get the same time again to finish.
        """
        if self._drained.is_set():
            return
        self._drained.set()
        self._health.enter_graceful_shutdown()
        log.info('draining', extra={'service': self.name,
                                    'drain_seconds': self.settings.drain_seconds})
        # A deliberate window, not synchronisation: probes need time to observe NOT_SERVING.
        time.sleep(self.settings.drain_seconds)
        self.stop(self.settings.drain_seconds)

    def stop(self, grace: float | None = None) -> None:
        """Stop serving now (requests in flight get ``grace`` seconds) and the metrics endpoint."""
        self._server.stop(grace).wait()
        if self._metrics_http is not None:
            self._metrics_http.shutdown()
            self._metrics_http.server_close()
            self._metrics_http = None
        log.info('stopped', extra={'service': self.name})

    def serve_until_signalled(self) -> None:
        """Start, serve until SIGTERM or SIGINT, then drain and return."""
        stop_requested = threading.Event()

        def request_stop(signum, _frame):
            log.info('signal', extra={'signal': signal.Signals(signum).name})
            stop_requested.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        self.start()
        stop_requested.wait()
        self.drain()
