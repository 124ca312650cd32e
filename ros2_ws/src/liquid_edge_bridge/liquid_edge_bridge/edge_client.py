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
gRPC client of one edge site: `liquidedge.v1.Detector/Detect` and its health.

One channel per edge carries both the detection calls and a `grpc.health.v1.Health/Watch`
stream, so a health change (NOT_SERVING while draining, the connection lost) arrives at once
instead of at the next poll. Results and health changes are handed to callbacks, which run on
gRPC's threads.

Original-protocol (seed) edges are refused: they serve neither `liquidedge.v1.Detector` nor
`grpc.health.v1`, the health watch answers UNIMPLEMENTED and the edge is reported unreachable
with a message saying so; requests are never sent to it.
"""
from dataclasses import dataclass, replace
import threading
from typing import Callable, Optional, Sequence

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from liquid_edge_bridge.detections import answer_from_response, DetectResult, Outcome
from liquid_edge_bridge.edge_config import EdgeEndpoint
from liquid_edge_bridge.edge_selector import EdgeHealth
from liquid_edge_protocol import detection_v1_pb2, detection_v1_pb2_grpc

DETECTOR_SERVICE = 'liquidedge.v1.Detector'
ENGINES = {'face': detection_v1_pb2.ENGINE_FACE, 'yolo': detection_v1_pb2.ENGINE_YOLO}

# Reconnect quickly to an edge that comes back (gRPC's default backoff grows to 120 s).
_CHANNEL_OPTIONS = [
    ('grpc.initial_reconnect_backoff_ms', 200),
    ('grpc.min_reconnect_backoff_ms', 200),
    ('grpc.max_reconnect_backoff_ms', 2000),
]

_HEALTH = {
    health_pb2.HealthCheckResponse.SERVING: EdgeHealth.SERVING,
    health_pb2.HealthCheckResponse.NOT_SERVING: EdgeHealth.NOT_SERVING,
    health_pb2.HealthCheckResponse.UNKNOWN: EdgeHealth.UNKNOWN,
    health_pb2.HealthCheckResponse.SERVICE_UNKNOWN: EdgeHealth.UNREACHABLE,
}


@dataclass(frozen=True)
class EdgeRequestOptions:
    """What every request asks of the edge."""

    engines: Sequence[str] = ('yolo', 'face')
    class_names: Sequence[str] = ()
    max_results: int = 0
    min_score: float = 0.0

    def __post_init__(self):
        """Reject engines the v1 API does not know."""
        unknown = [engine for engine in self.engines if engine not in ENGINES]
        if unknown:
            raise ValueError(f'unknown engines {unknown}: choose from {sorted(ENGINES)}')

    def served_by(self, engines: Sequence[str]) -> 'EdgeRequestOptions':
        """Return these options asking only for those of their engines in `engines`."""
        return replace(self, engines=tuple(e for e in self.engines if e in engines))


HealthCallback = Callable[[str, EdgeHealth, str], None]


class EdgeClient:
    """Channel, Detect calls and health watch of one edge."""

    def __init__(self, endpoint: EdgeEndpoint, on_health: HealthCallback,
                 retry_period_s: float = 0.5, health_service: str = DETECTOR_SERVICE):
        self.endpoint = endpoint
        self._on_health = on_health
        self._retry_period_s = retry_period_s
        self._health_service = health_service
        self._channel = _open_channel(endpoint)
        self._detector = detection_v1_pb2_grpc.DetectorStub(self._channel)
        self._health = health_pb2_grpc.HealthStub(self._channel)
        self._stopped = threading.Event()
        self._watch_call = None
        self._calls = set()   # Detect calls in flight, cancelled by stop()
        self._lock = threading.Lock()
        self._watcher: Optional[threading.Thread] = None

    @property
    def name(self) -> str:
        """Return the edge site name."""
        return self.endpoint.name

    def start(self) -> None:
        """Start watching the edge's health."""
        self._stopped.clear()
        self._watcher = threading.Thread(
            target=self._watch_health, name=f'health-{self.name}', daemon=True)
        self._watcher.start()

    def stop(self) -> None:
        """Stop the health watch and cancel the calls in flight; the channel stays open."""
        self._stopped.set()
        with self._lock:
            if self._watch_call is not None:
                self._watch_call.cancel()
            calls, self._calls = self._calls, set()
        for call in calls:
            call.cancel()
        if self._watcher is not None and self._watcher.is_alive():
            self._watcher.join(timeout=2.0)

    def detect(self, request_id: str, jpeg: bytes, stamp_ns: int,
               options: EdgeRequestOptions, timeout_s: float,
               on_done: Callable[[DetectResult], None]) -> None:
        """Send one frame; `on_done` gets the result on a gRPC thread (or this one)."""
        request = detection_v1_pb2.DetectRequest(
            request_id=request_id, client_timestamp_ns=stamp_ns, jpeg=jpeg,
            engines=[ENGINES[engine] for engine in options.engines],
            max_results=options.max_results, min_score=options.min_score,
            class_names=list(options.class_names))
        try:
            future = self._detector.Detect.future(request, timeout=timeout_s)
        except ValueError as error:  # the channel was closed under us
            on_done(DetectResult(self.name, request_id, Outcome.ERROR, error=str(error)))
            return
        with self._lock:
            self._calls.add(future)
        future.add_done_callback(lambda call: self._done(call, request_id, on_done))

    def close(self) -> None:
        """Stop, then close the channel."""
        self.stop()
        self._channel.close()

    def _done(self, call, request_id: str, on_done: Callable[[DetectResult], None]) -> None:
        with self._lock:
            self._calls.discard(call)
        if call.cancelled():
            return   # by stop(): nobody waits for its result
        on_done(self._result(call, request_id))

    def _result(self, call, request_id: str) -> DetectResult:
        error = call.exception()
        if error is None:
            response = call.result()
            answer = answer_from_response(response)
            if answer.request_id != request_id:
                return DetectResult(self.name, request_id, Outcome.ERROR, error=(
                    f"answer echoes request id '{answer.request_id}', expected '{request_id}'"))
            return DetectResult(self.name, request_id, Outcome.OK, answer=answer,
                                response_bytes=response.ByteSize())
        code = error.code()
        if code is grpc.StatusCode.DEADLINE_EXCEEDED:
            return DetectResult(self.name, request_id, Outcome.DEADLINE, error='deadline exceeded')
        if code is grpc.StatusCode.UNIMPLEMENTED:
            return DetectResult(self.name, request_id, Outcome.ERROR, error=self._legacy_message())
        return DetectResult(self.name, request_id, Outcome.ERROR,
                            error=f'{code.name}: {error.details()}')

    def _watch_health(self) -> None:
        request = health_pb2.HealthCheckRequest(service=self._health_service)
        while not self._stopped.is_set():
            with self._lock:
                if self._stopped.is_set():
                    return
                self._watch_call = self._health.Watch(request)
            try:
                for response in self._watch_call:
                    health = _HEALTH.get(response.status, EdgeHealth.UNKNOWN)
                    reason = '' if health is EdgeHealth.SERVING else (
                        f"health of '{self._health_service}' is "
                        f'{health_pb2.HealthCheckResponse.ServingStatus.Name(response.status)}')
                    self._on_health(self.name, health, reason)
            except grpc.RpcError as error:
                if self._stopped.is_set():
                    return
                if error.code() is grpc.StatusCode.UNIMPLEMENTED:
                    reason = self._legacy_message()
                else:
                    reason = f'health watch: {error.code().name}: {error.details()}'
                self._on_health(self.name, EdgeHealth.UNREACHABLE, reason)
            self._stopped.wait(self._retry_period_s)

    def _legacy_message(self) -> str:
        return (f"edge '{self.name}' at {self.endpoint.address} does not serve "
                f'{DETECTOR_SERVICE} and grpc.health.v1: an original-protocol (seed) edge is '
                'not supported; run the liquid_edge services there')


def _open_channel(endpoint: EdgeEndpoint) -> grpc.Channel:
    if not endpoint.uses_tls:
        return grpc.insecure_channel(endpoint.address, options=_CHANNEL_OPTIONS)
    credentials = grpc.ssl_channel_credentials(
        root_certificates=_read(endpoint.tls_ca), private_key=_read(endpoint.tls_key),
        certificate_chain=_read(endpoint.tls_cert))
    return grpc.secure_channel(endpoint.address, credentials, options=_CHANNEL_OPTIONS)


def _read(path: Optional[str]) -> Optional[bytes]:
    if path is None:
        return None
    with open(path, 'rb') as file:
        return file.read()
