"""``objectdetection``: the ingress, original ``ObjectDetection`` on 50051.

It calls the face and YOLO backends in parallel through the v1 API (or the original backend
protocol, see liquid_edge.backend_client), each with the caller's
remaining time minus a margin as deadline, and merges their answers. A backend that fails
or is late makes the answer partial (v1: ``partial`` and its ``BackendStatus``; original
protocol: the other backend's objects only); the call itself does not fail.

The robot a request is for goes to the backends as ``robot_id``, which shares their capacity
fairly: the v1 request's own, else the caller's address; ``user-<user_id>`` for the original
protocol (any ``user_id``: the original accepted only 0..5, a limit with no meaning here).

At most ``--max-dispatch`` frames are at the backends at once; the others wait in the ingress,
taken fairly between robots, newest first, late ones dropped (liquid_edge.detector_pool). The
two backends share their capacity fairly each on its own, so left to themselves under overload
they drop different frames: at 2.5x their capacity, 2 cores, 80 % of the frames came back
partial and 18 frames/s complete. Gated here, a frame goes to both or to neither.
"""
from collections.abc import Sequence
import itertools
import logging
import os
import time

import grpc

from liquid_edge import translation
from liquid_edge.aggregation import BackendOutcome, merge_outcomes, rejected_by_every_backend
from liquid_edge.backend_client import BackendClient, BackendProtocol
from liquid_edge.cli import service_parser, settings_from_args
from liquid_edge.detect_options import DetectOptions, ENGINE_NAMES, options_from_legacy
from liquid_edge.detect_options import options_from_v1
from liquid_edge.detector_pool import DetectorPool, PoolTimeout
from liquid_edge.identity import EdgeIdentity
from liquid_edge.jpeg import decode_jpeg, read_jpeg_size
from liquid_edge.rpc_errors import abort_on_domain_error, remaining_seconds
from liquid_edge.server import EdgeMetrics, EdgeServer, ServerSettings, ServiceBinding
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import FACE_DETECTION_PORT, OBJECT_DETECTION_PORT
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc, YOLO_DETECTION_PORT

OBJECT_METRICS_PORT = 9051
SERVED_ENGINES = (v1.ENGINE_FACE, v1.ENGINE_YOLO)
# The original robot's per-frame timeout, used when a caller sets no deadline.
DEFAULT_BACKEND_TIMEOUT_S = 1.0
# Taken off the caller's remaining time so the merged answer still reaches it in time:
# this fraction of it, and at least the minimum.
DEADLINE_MARGIN_FRACTION = 0.1
MIN_DEADLINE_MARGIN_S = 0.005
# Colours for the original protocol are sampled from a quarter-size decode.
_COLOUR_DECODE_REDUCTION = 4
_CODE_NAMES = {code.value[0]: code.name for code in grpc.StatusCode}
# The ingress's requests mostly wait on its backends, which share their capacity fairly
# between robots and drop what is late; its own limit only bounds its waiting threads, high
# enough not to refuse robots before the backends' fair queue sees them.
INGRESS_MAX_IN_FLIGHT = 64
# Frames at the backends at once: enough to keep a site's face and YOLO detectors busy (4
# closed-loop clients fill 2 cores), few enough that the backends never shed on their own.
DEFAULT_MAX_DISPATCH = 8
# Frames one robot may have waiting in the ingress (beyond, its oldest is dropped).
MAX_WAITING_PER_ROBOT = 16

log = logging.getLogger(__name__)


def backend_address(text: str, default_port: int) -> str:
    """Return ``host:port`` from ``host`` or ``host:port`` (the original env vars held hosts)."""
    text = text.strip()
    if not text:
        raise ValueError('backend address is empty')
    if text.startswith('['):
        return text if ']:' in text else f'{text}:{default_port}'
    if text.count(':') > 1:  # a bare IPv6 address
        return f'[{text}]:{default_port}'
    return text if ':' in text else f'{text}:{default_port}'


def backend_timeout(caller_remaining_s: float | None, default_s: float) -> float:
    """Return the backend deadline: the caller's remaining time less a margin, or the default.

    The margin (DEADLINE_MARGIN_FRACTION of it, at least MIN_DEADLINE_MARGIN_S) leaves time
    to merge and answer; a result <= 0 means there is no time left to call a backend.
    """
    if caller_remaining_s is None:
        return default_s
    margin = max(caller_remaining_s * DEADLINE_MARGIN_FRACTION, MIN_DEADLINE_MARGIN_S)
    return caller_remaining_s - margin


class IngressServicer:
    """Serves ``liquidedge.v1.Detector`` and ``ObjectDetection`` over the two backends."""

    def __init__(self, backends: Sequence[BackendClient], identity: EdgeIdentity,
                 metrics: EdgeMetrics, max_pixels: int, *,
                 default_timeout_s: float = DEFAULT_BACKEND_TIMEOUT_S,
                 max_dispatch: int = DEFAULT_MAX_DISPATCH):
        self._backends = {b.engine: b for b in backends}
        # Dispatch slots, numbered, lent like detectors.
        self._dispatch = DetectorPool(itertools.count().__next__, max_dispatch,
                                      MAX_WAITING_PER_ROBOT)
        self._identity = identity
        self._edge = translation.identity_to_v1(identity)
        self._metrics = metrics
        self._max_pixels = max_pixels
        self._default_timeout_s = default_timeout_s

    def _call_backends(self, jpeg: bytes, options: DetectOptions, request_id: str,
                       client_timestamp_ns: int, robot_id: str,
                       context: grpc.ServicerContext) -> list[BackendOutcome]:
        """Call the asked backends in parallel; return their outcomes in engine order.

        Every backend but the last is called asynchronously and the last one from this
        thread: a blocking gRPC call costs about 2 ms less than a future's completion.
        """
        if not options.engines:
            return []
        timeout = backend_timeout(remaining_seconds(context), self._default_timeout_s)
        if timeout <= 0:
            return [self._outcome(engine, None, 'no time left for the backend call')
                    for engine in options.engines]
        requests = {engine: v1.DetectRequest(
            request_id=request_id, client_timestamp_ns=client_timestamp_ns, jpeg=jpeg,
            engines=[engine], max_results=options.max_results, min_score=options.min_score,
            class_names=sorted(options.class_names), robot_id=robot_id)
            for engine in options.engines}
        *asynchronous, last = options.engines
        pending = {engine: self._backends[engine].start(requests[engine], timeout)
                   for engine in asynchronous}
        try:
            answered = {last: self._backends[last].detect(requests[last], timeout)}
        except grpc.RpcError as error:
            answered = {last: error}
        for engine, wait in pending.items():
            try:
                answered[engine] = wait()
            except grpc.RpcError as error:
                answered[engine] = error
        return [self._outcome(engine, answered[engine]) for engine in options.engines]

    def _outcome(self, engine: int, answer, reason: str = '') -> BackendOutcome:
        """Turn a backend's answer (a response, an RpcError, or None) into an outcome."""
        if isinstance(answer, v1.DetectResponse):
            outcome = BackendOutcome(engine, 0, response=answer)
        elif isinstance(answer, grpc.RpcError):
            outcome = BackendOutcome(engine, answer.code().value[0],
                                     f'{self._backends[engine].address}: {answer.details()}')
        else:
            outcome = BackendOutcome(engine, grpc.StatusCode.DEADLINE_EXCEEDED.value[0],
                                     reason)
        code_name = _CODE_NAMES.get(outcome.code, str(outcome.code))
        self._metrics.backend_calls.labels(ENGINE_NAMES[engine], code_name).inc()
        if outcome.code != 0:
            log.info('backend failed', extra={
                'engine': ENGINE_NAMES[engine], 'code': code_name, 'details': outcome.message})
        return outcome

    def _detect(self, jpeg: bytes, options: DetectOptions, request_id: str,
                client_timestamp_ns: int, robot_id: str, context: grpc.ServicerContext):
        width, height = read_jpeg_size(jpeg, self._max_pixels)
        wait_s = remaining_seconds(context)
        try:
            with self._dispatch.lease(self._default_timeout_s if wait_s is None else wait_s,
                                      robot_id):
                outcomes = self._call_backends(jpeg, options, request_id,
                                               client_timestamp_ns, robot_id, context)
        except PoolTimeout:
            self._metrics.robot_requests.labels(robot_id, 'shed').inc()
            raise
        rejection = rejected_by_every_backend(outcomes)
        if rejection is not None:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, rejection)
        return width, height, merge_outcomes(outcomes, options.max_results)

    def Detect(self, request: v1.DetectRequest,  # noqa: N802 (gRPC method name)
               context: grpc.ServicerContext) -> v1.DetectResponse:
        """Detect with every asked engine; partial (with each backend's status) on failure."""
        start = time.perf_counter()
        try:
            options = options_from_v1(request, SERVED_ENGINES)
            width, height, merged = self._detect(
                request.jpeg, options, request.request_id, request.client_timestamp_ns,
                request.robot_id or context.peer(), context)
        except Exception as error:  # noqa: B902 (domain errors become statuses)
            abort_on_domain_error(context, error)
        return v1.DetectResponse(
            request_id=request.request_id, client_timestamp_ns=request.client_timestamp_ns,
            image_width=width, image_height=height, detections=merged.detections,
            backends=merged.backends,
            timings=v1.StageTimings(total_ms=(time.perf_counter() - start) * 1000),
            edge=self._edge, partial=merged.partial)

    def ObjectDetect(self, request: legacy_pb2.ObjectDetectionRequest,  # noqa: N802
                     context: grpc.ServicerContext) -> legacy_pb2.ObjectDetectionResponse:
        """Detect with the original protocol: faces first, then YOLO objects."""
        try:
            options = options_from_legacy(request.wantface, request.wantyolo,
                                          request.max_results, SERVED_ENGINES)
            width, _, merged = self._detect(
                request.frame.img, options, f'legacy-{request.frame.number}',
                request.frame.timestamp, f'user-{request.user_id}', context)
            # Colours only for objects found, from a reduced decode (a fraction of a ms).
            colour_image = (decode_jpeg(request.frame.img, self._max_pixels,
                                        reduction=_COLOUR_DECODE_REDUCTION)
                            if merged.detections else None)
        except Exception as error:  # noqa: B902 (domain errors become statuses)
            abort_on_domain_error(context, error)
        log.debug('legacy request', extra={
            'user_id': request.user_id, 'number': request.frame.number,
            'partial': merged.partial})
        objects = []
        if colour_image is not None:
            objects = translation.legacy_objects(
                ((d.engine, translation.detection_from_v1(d)) for d in merged.detections),
                colour_image, scale=colour_image.shape[1] / width)
        return translation.legacy_response(request.frame.number, request.frame.timestamp,
                                           objects, self._identity)


def build_ingress_server(settings: ServerSettings, identity: EdgeIdentity, *,
                         face_address: str, yolo_address: str, max_pixels: int,
                         default_timeout_s: float = DEFAULT_BACKEND_TIMEOUT_S,
                         backend_protocol: BackendProtocol = BackendProtocol.AUTO,
                         max_dispatch: int = DEFAULT_MAX_DISPATCH) -> EdgeServer:
    """Return a (not yet started) ingress server calling the two backends' addresses.

    ``backend_protocol`` says how they are spoken to (see liquid_edge.backend_client).
    """
    options = [('grpc.max_send_message_length', settings.max_message_bytes),
               ('grpc.max_receive_message_length', settings.max_message_bytes)]
    backends = [BackendClient(engine, address, grpc.insecure_channel(address, options=options),
                              max_pixels, backend_protocol)
                for engine, address in ((v1.ENGINE_FACE, face_address),
                                        (v1.ENGINE_YOLO, yolo_address))]
    metrics = EdgeMetrics()
    servicer = IngressServicer(backends, identity, metrics, max_pixels,
                               default_timeout_s=default_timeout_s, max_dispatch=max_dispatch)
    return EdgeServer('objectdetection', settings, metrics, [
        ServiceBinding(v1.DESCRIPTOR.services_by_name['Detector'].full_name,
                       lambda server: v1_grpc.add_DetectorServicer_to_server(servicer, server)),
        ServiceBinding(legacy_pb2.DESCRIPTOR.services_by_name['ObjectDetection'].full_name,
                       lambda server: legacy_pb2_grpc.add_ObjectDetectionServicer_to_server(
                           servicer, server)),
    ])


def main(argv: list[str] | None = None) -> None:
    """Run the ingress until SIGTERM."""
    parser = service_parser('LIQUID EDGE object detection ingress: face + YOLO in parallel.',
                            OBJECT_DETECTION_PORT, OBJECT_METRICS_PORT,
                            in_flight_help=f'default: {INGRESS_MAX_IN_FLIGHT}')
    backends = parser.add_argument_group('backends')
    backends.add_argument('--face-host',
                          default=os.environ.get('FACEDETECTION_HOST', 'localhost'),
                          help=f'face backend, host or host:port (env FACEDETECTION_HOST; '
                               f'default port {FACE_DETECTION_PORT})')
    backends.add_argument('--yolo-host',
                          default=os.environ.get('YOLODETECTION_HOST', 'localhost'),
                          help=f'YOLO backend, host or host:port (env YOLODETECTION_HOST; '
                               f'default port {YOLO_DETECTION_PORT})')
    backends.add_argument('--legacy-backends', action='store_true',
                          help='call the backends through the original FaceDetection and '
                               'YoloDetection protocol (default: v1, switching to the original '
                               'protocol for a backend that does not serve v1)')
    backends.add_argument('--backend-timeout', type=float, default=DEFAULT_BACKEND_TIMEOUT_S,
                          help='backend deadline, seconds, for callers that set none')
    backends.add_argument('--max-dispatch', type=int, default=DEFAULT_MAX_DISPATCH,
                          help='frames at the backends at once; more wait in the ingress, '
                               'shared fairly between robots (about 4 x the detectors behind '
                               f'it; default {DEFAULT_MAX_DISPATCH})')
    args = parser.parse_args(argv)
    if args.max_in_flight is None:
        args.max_in_flight = INGRESS_MAX_IN_FLIGHT
    settings, identity = settings_from_args(parser, args)
    if args.backend_timeout <= 0:
        parser.error(f'--backend-timeout must be > 0, got {args.backend_timeout}')
    if not 0 < args.max_dispatch < args.max_in_flight:
        parser.error(f'--max-dispatch must be between 1 and --max-in-flight - 1 '
                     f'({args.max_in_flight - 1}), got {args.max_dispatch}')
    try:
        face = backend_address(args.face_host, FACE_DETECTION_PORT)
        yolo = backend_address(args.yolo_host, YOLO_DETECTION_PORT)
    except ValueError as error:
        parser.error(str(error))
    build_ingress_server(settings, identity, face_address=face, yolo_address=yolo,
                         max_pixels=args.max_pixels, default_timeout_s=args.backend_timeout,
                         backend_protocol=(BackendProtocol.ORIGINAL if args.legacy_backends
                                           else BackendProtocol.AUTO),
                         max_dispatch=args.max_dispatch).serve_until_signalled()
