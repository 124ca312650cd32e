"""The servicer of a single-engine backend (face or YOLO), for both APIs on one port.

Thin: decode and validate the JPEG, hand it to the detectors (a pool, or YOLO's batching
detector) on behalf of the robot asking, select the results the request asks for, translate
to the v1 or the original response. The robot is the v1 request's ``robot_id``, else the
caller's address; the reported inference time includes the wait for a detector.
"""
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
import logging
import time
from typing import Protocol

import grpc
from liquid_edge import translation
from liquid_edge.appearance import AppearanceDescriber, DESCRIBED_CLASSES
from liquid_edge.detect_options import ENGINE_NAMES, options_from_legacy_backend
from liquid_edge.detect_options import options_from_v1
from liquid_edge.detect_options import select_detections
from liquid_edge.detection import Detection, detection_in_full_image, ModelInfo
from liquid_edge.detector_pool import PoolTimeout
from liquid_edge.identity import EdgeIdentity
from liquid_edge.jpeg import decode_jpeg, read_jpeg_size
from liquid_edge.rpc_errors import abort_on_domain_error, remaining_seconds
from liquid_edge.server import EdgeMetrics, ServiceBinding
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
import numpy as np

log = logging.getLogger(__name__)


class ImageDetector(Protocol):
    """What a backend's detector offers (FaceDetector, the YOLO detectors)."""

    model_info: ModelInfo
    # The detector takes frames decoded at 1/input_reduction size (a cheaper decode).
    input_reduction: int


class Detectors(Protocol):
    """A backend's detectors, shared by its requests (DetectorPool, BatchingDetector)."""

    sample: ImageDetector

    def detect(self, image: np.ndarray, timeout: float | None,
               robot: Hashable) -> list[Detection]:
        """Return the objects in a BGR (or, if accepted, grayscale) image, within timeout."""


@dataclass(frozen=True)
class _Result:
    """Detections of one image (in its full-size pixels) and the time each stage took."""

    detections: list[Detection]
    width: int
    height: int
    image: np.ndarray  # as decoded for the detector: possibly reduced
    decode_s: float
    inference_s: float


class DetectorServicer:
    """Serves one engine through ``liquidedge.v1.Detector`` and its original service."""

    def __init__(self, engine: int, detectors: Detectors, identity: EdgeIdentity,
                 metrics: EdgeMetrics, max_pixels: int, *, accepts_grayscale: bool = False,
                 describer: AppearanceDescriber | None = None):
        self._engine = engine
        self._engine_name = ENGINE_NAMES[engine]
        self._detectors = detectors
        self._identity = identity
        self._metrics = metrics
        self._max_pixels = max_pixels
        self._accepts_grayscale = accepts_grayscale
        self._reduction = detectors.sample.input_reduction
        self._model = translation.model_info_to_v1(detectors.sample.model_info)
        self._edge = translation.identity_to_v1(identity)
        # Appearance needs colour: a backend that decodes grayscale gives no descriptor.
        self._describer = None if accepts_grayscale else describer
        self._appearance_model = (translation.model_info_to_v1(describer.model_info)
                                  if self._describer is not None else None)

    def _run(self, jpeg: bytes, context: grpc.ServicerContext, robot: str, *,
             grayscale: bool) -> _Result:
        start = time.perf_counter()
        width, height = read_jpeg_size(jpeg, self._max_pixels)
        image = decode_jpeg(jpeg, self._max_pixels, grayscale=grayscale,
                            reduction=self._reduction)
        decoded = time.perf_counter()
        try:
            found = self._detectors.detect(image, remaining_seconds(context), robot)
        except PoolTimeout:
            self._metrics.robot_requests.labels(robot, 'shed').inc()
            raise
        except Exception:
            self._metrics.robot_requests.labels(robot, 'failed').inc()
            raise
        inference_s = time.perf_counter() - decoded
        self._metrics.inference.labels(self._engine_name).observe(inference_s)
        self._metrics.robot_requests.labels(robot, 'served').inc()
        self._metrics.robot_latency.labels(robot).observe(time.perf_counter() - start)
        detections = [detection_in_full_image(d, self._reduction, width, height) for d in found]
        return _Result(detections, width, height, image, decoded - start, inference_s)

    def Detect(self, request: v1.DetectRequest,  # noqa: N802 (gRPC method name)
               context: grpc.ServicerContext) -> v1.DetectResponse:
        """Detect with the v1 API: every stage timed, model and edge identity reported."""
        start = time.perf_counter()
        try:
            options = options_from_v1(request, (self._engine,))
            result = self._run(request.jpeg, context, request.robot_id or context.peer(),
                               grayscale=self._accepts_grayscale)
        except Exception as error:  # noqa: B902 (domain errors become statuses)
            abort_on_domain_error(context, error)
        selected = select_detections(result.detections, options)
        detections = [translation.detection_to_v1(d, self._engine, result.width, result.height)
                      for d in selected]
        if self._describer is not None:
            described = [i for i, d in enumerate(selected) if d.class_name in DESCRIBED_CLASSES]
            vectors = self._describer.describe(result.image, [selected[i] for i in described],
                                               scale=result.image.shape[1] / result.width)
            for index, vector in zip(described, vectors):
                detections[index].appearance.extend(vector.tolist())
        timings = v1.StageTimings(decode_ms=result.decode_s * 1000,
                                  inference_ms=result.inference_s * 1000,
                                  total_ms=(time.perf_counter() - start) * 1000)
        return v1.DetectResponse(
            request_id=request.request_id, client_timestamp_ns=request.client_timestamp_ns,
            image_width=result.width, image_height=result.height, detections=detections,
            backends=[v1.BackendStatus(engine=self._engine, code=0, model=self._model,
                                       timings=timings,
                                       appearance_model=self._appearance_model)],
            timings=timings, edge=self._edge, partial=False)

    def detect_legacy(self, request: legacy_pb2.FaceDetectionRequest
                      | legacy_pb2.YoloDetectionRequest, context: grpc.ServicerContext
                      ) -> legacy_pb2.FaceDetectionResponse | legacy_pb2.YoloDetectionResponse:
        """Detect with the original backend protocol (FaceDetect / YoloDetect)."""
        try:
            options = options_from_legacy_backend(request.max_results, self._engine)
            result = self._run(request.frame.img, context, context.peer(), grayscale=False)
        except Exception as error:  # noqa: B902 (domain errors become statuses)
            abort_on_domain_error(context, error)
        log.debug('legacy request', extra={'number': request.frame.number})
        selected = select_detections(result.detections, options)
        scale = result.image.shape[1] / result.width
        number, timestamp = request.frame.number, request.frame.timestamp
        if self._engine == v1.ENGINE_FACE:
            return legacy_pb2.FaceDetectionResponse(
                number=number, timestamp=timestamp,
                faces=translation.legacy_faces(selected, result.image, scale))
        return legacy_pb2.YoloDetectionResponse(
            number=number, timestamp=timestamp,
            yolos=translation.legacy_yolos(selected, result.image, scale))


class _FaceDetectionServicer(legacy_pb2_grpc.FaceDetectionServicer):
    def __init__(self, servicer: DetectorServicer):
        self.FaceDetect = servicer.detect_legacy


class _YoloDetectionServicer(legacy_pb2_grpc.YoloDetectionServicer):
    def __init__(self, servicer: DetectorServicer):
        self.YoloDetect = servicer.detect_legacy


def detector_bindings(servicer: DetectorServicer, engine: int) -> Sequence[ServiceBinding]:
    """Return the services a backend of ``engine`` serves: v1 Detector and its original one."""
    if engine == v1.ENGINE_FACE:
        legacy_name = 'FaceDetection'
        legacy = _FaceDetectionServicer(servicer)
        add_legacy = legacy_pb2_grpc.add_FaceDetectionServicer_to_server
    else:
        legacy_name = 'YoloDetection'
        legacy = _YoloDetectionServicer(servicer)
        add_legacy = legacy_pb2_grpc.add_YoloDetectionServicer_to_server
    return [
        ServiceBinding(v1.DESCRIPTOR.services_by_name['Detector'].full_name,
                       lambda server: v1_grpc.add_DetectorServicer_to_server(servicer, server)),
        ServiceBinding(legacy_pb2.DESCRIPTOR.services_by_name[legacy_name].full_name,
                       lambda server: add_legacy(legacy, server)),
    ]
