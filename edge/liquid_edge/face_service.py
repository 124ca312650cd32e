"""``facedetection``: the face backend (OpenCV Haar), original ``FaceDetection`` on 50053."""

import cv2

from liquid_edge.cli import add_worker_arguments, service_parser, settings_from_args
from liquid_edge.cli import usable_cores
from liquid_edge.detector_pool import DetectorPool
from liquid_edge.detector_service import detector_bindings, DetectorServicer
from liquid_edge.face import FaceDetector, HaarParameters, SERVICE_INPUT_REDUCTION
from liquid_edge.identity import EdgeIdentity
from liquid_edge.jpeg import DECODE_REDUCTIONS
from liquid_edge.server import EdgeMetrics, EdgeServer, ServerSettings
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import FACE_DETECTION_PORT

FACE_METRICS_PORT = 9053


def build_face_server(settings: ServerSettings, identity: EdgeIdentity, *, max_pixels: int,
                      parameters: HaarParameters = HaarParameters(),
                      workers: int = 1,
                      input_reduction: int = SERVICE_INPUT_REDUCTION) -> EdgeServer:
    """Return a (not yet started) face server with ``workers`` Haar detectors.

    They detect on frames decoded at 1/``input_reduction`` size (1, 2, 4 or 8).
    """
    metrics = EdgeMetrics()
    pool = DetectorPool(lambda: FaceDetector(parameters, input_reduction=input_reduction),
                        workers)
    servicer = DetectorServicer(v1.ENGINE_FACE, pool, identity, metrics, max_pixels,
                                accepts_grayscale=True)
    return EdgeServer('facedetection', settings, metrics,
                      detector_bindings(servicer, v1.ENGINE_FACE))


def main(argv: list[str] | None = None) -> None:
    """Run the face detection service until SIGTERM."""
    parser = service_parser('LIQUID EDGE face detection (OpenCV Haar cascade).',
                            FACE_DETECTION_PORT, FACE_METRICS_PORT)
    haar = parser.add_argument_group('face detector')
    haar.add_argument('--scale-factor', type=float, default=1.3,
                      help='Haar image pyramid step (> 1)')
    haar.add_argument('--min-neighbors', type=int, default=3,
                      help='neighbouring detections needed to keep a face')
    haar.add_argument('--min-size', type=int, default=30, help='smallest face, pixels')
    haar.add_argument('--input-reduction', type=int, choices=DECODE_REDUCTIONS,
                      default=SERVICE_INPUT_REDUCTION,
                      help='detect on the frame decoded at 1/N size: much cheaper, but faces '
                           'under 24 x N pixels are missed (1 = full size)')
    add_worker_arguments(parser, 'Haar detectors')
    args = parser.parse_args(argv)
    settings, identity = settings_from_args(parser, args)
    cv2.setNumThreads(args.opencv_threads or 1)
    try:
        parameters = HaarParameters(args.scale_factor, args.min_neighbors, args.min_size)
    except ValueError as error:
        parser.error(str(error))
    build_face_server(settings, identity, max_pixels=args.max_pixels, parameters=parameters,
                      workers=args.workers or usable_cores(),
                      input_reduction=args.input_reduction).serve_until_signalled()
