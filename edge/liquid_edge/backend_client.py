"""How the ingress calls one backend: through v1, or through the original backend protocol.

An original face or YOLO backend serves only ``FaceDetection.FaceDetect`` or
``YoloDetection.YoloDetect`` with messages of its own. ``BackendClient`` speaks v1, the
original protocol (``--legacy-backends``), or finds out which: a backend that answers v1 with
UNIMPLEMENTED is called through the original protocol from then on, so a site can upgrade its
backends and its ingress in any order. Answers of an original backend are translated to the
v1 response the ingress merges; the request's score and class filters, which the original
protocol lacks, are applied here.
"""
from collections.abc import Callable
import enum
import logging
import threading
import time

import grpc
from liquid_edge import translation
from liquid_edge.detect_options import options_from_v1, select_detections
from liquid_edge.jpeg import read_jpeg_size
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc

log = logging.getLogger(__name__)

# The face detector has one class, id 0; an original YOLO backend gives class names only.
_ORIGINAL_CLASS_ID = {v1.ENGINE_FACE: 0, v1.ENGINE_YOLO: translation.UNKNOWN_CLASS_ID}


class BackendProtocol(enum.Enum):
    """Which protocol the ingress speaks to a backend."""

    AUTO = 'auto'          # v1, and the original protocol once v1 is UNIMPLEMENTED there
    ORIGINAL = 'original'  # --legacy-backends


# A started call: waiting on it returns the v1 answer or raises grpc.RpcError.
PendingAnswer = Callable[[], v1.DetectResponse]


class OriginalBackendStub:
    """Calls an original backend with a v1 request; returns its answer as a v1 response."""

    def __init__(self, channel: grpc.Channel, engine: int, max_pixels: int):
        self._engine = engine
        self._max_pixels = max_pixels
        if engine == v1.ENGINE_FACE:
            self._method = legacy_pb2_grpc.FaceDetectionStub(channel).FaceDetect
            self._request_type = legacy_pb2.FaceDetectionRequest
        else:
            self._method = legacy_pb2_grpc.YoloDetectionStub(channel).YoloDetect
            self._request_type = legacy_pb2.YoloDetectionRequest

    def _original_request(self, request: v1.DetectRequest):
        # No limit asked: the class and score filters must run before the cut, here.
        return self._request_type(frame=legacy_pb2.VideoFrame(
            number=0, timestamp=request.client_timestamp_ns, img=request.jpeg))

    def start(self, request: v1.DetectRequest, timeout: float) -> PendingAnswer:
        """Send the call; return the function that waits for its v1 answer."""
        future = self._method.future(self._original_request(request), timeout=timeout)
        return lambda: self._to_v1(request, future.result())

    def detect(self, request: v1.DetectRequest, timeout: float) -> v1.DetectResponse:
        """Call and wait (a blocking call costs less than a future's completion)."""
        return self._to_v1(request,
                           self._method(self._original_request(request), timeout=timeout))

    def _to_v1(self, request: v1.DetectRequest, answer) -> v1.DetectResponse:
        width, height = read_jpeg_size(request.jpeg, self._max_pixels)
        found = answer.faces if self._engine == v1.ENGINE_FACE else answer.yolos
        detections = [translation.detection_from_legacy_backend(
            message, _ORIGINAL_CLASS_ID[self._engine]) for message in found]
        selected = select_detections(detections, options_from_v1(request, (self._engine,)))
        return v1.DetectResponse(
            request_id=request.request_id, client_timestamp_ns=request.client_timestamp_ns,
            image_width=width, image_height=height,
            detections=[translation.detection_to_v1(d, self._engine, width, height)
                        for d in selected],
            backends=[v1.BackendStatus(engine=self._engine, code=0, model=v1.ModelInfo(
                name='original', runtime='original-protocol'))])


class BackendClient:
    """One backend of the ingress: its engine, address, and the protocol it is spoken to."""

    def __init__(self, engine: int, address: str, channel: grpc.Channel, max_pixels: int,
                 protocol: BackendProtocol = BackendProtocol.AUTO):
        self.engine = engine
        self.address = address
        self._v1 = v1_grpc.DetectorStub(channel).Detect
        self._original = OriginalBackendStub(channel, engine, max_pixels)
        self._speaks_original = protocol is BackendProtocol.ORIGINAL
        self._may_switch = protocol is BackendProtocol.AUTO
        self._switch_lock = threading.Lock()

    @property
    def speaks_original(self) -> bool:
        """Whether calls go through the original backend protocol."""
        return self._speaks_original

    def start(self, request: v1.DetectRequest, timeout: float) -> PendingAnswer:
        """Send the call; return the function that waits for its answer (or raises)."""
        if self._speaks_original:
            return self._original.start(request, timeout)
        deadline = time.monotonic() + timeout
        future = self._v1.future(request, timeout=timeout)

        def wait() -> v1.DetectResponse:
            try:
                return future.result()
            except grpc.RpcError as error:
                return self._retry_original(error, request, deadline)
        return wait

    def detect(self, request: v1.DetectRequest, timeout: float) -> v1.DetectResponse:
        """Call and wait; raises grpc.RpcError when the backend fails."""
        if self._speaks_original:
            return self._original.detect(request, timeout)
        deadline = time.monotonic() + timeout
        try:
            return self._v1(request, timeout=timeout)
        except grpc.RpcError as error:
            return self._retry_original(error, request, deadline)

    def _retry_original(self, error: grpc.RpcError, request: v1.DetectRequest,
                        deadline: float) -> v1.DetectResponse:
        """Switch to the original protocol if v1 is UNIMPLEMENTED there; else re-raise."""
        if not self._may_switch or error.code() != grpc.StatusCode.UNIMPLEMENTED:
            raise error
        with self._switch_lock:
            if not self._speaks_original:
                self._speaks_original = True
                log.info('backend speaks the original protocol only', extra={
                    'address': self.address, 'engine': v1.Engine.Name(self.engine)})
        return self._original.detect(request, max(deadline - time.monotonic(), 0.0))
