"""``yolodetection``: the YOLO backend, original ``YoloDetection`` on 50055.

Concurrency: a pool of ``--workers`` detectors, each request borrowing one, so every request
gets exactly the answer it would get alone while all cores work (see the benchmark).
"""
from collections.abc import Callable
import logging
from pathlib import Path
import tempfile

import cv2

from liquid_edge.cli import add_worker_arguments, positive_int, service_parser
from liquid_edge.cli import settings_from_args
from liquid_edge.detector_pool import DetectorPool
from liquid_edge.detector_service import detector_bindings, DetectorServicer
from liquid_edge.identity import EdgeIdentity
from liquid_edge.server import EdgeMetrics, EdgeServer, ServerSettings
from liquid_edge.yolo import BACKENDS, default_model_files, DEVICES, load_detector
from liquid_edge.yolo import YoloDetector
from liquid_edge.yolo.detector import BACKEND_ONNXRUNTIME
from liquid_edge.yolo.detector import DEFAULT_CONF_THRESHOLD, DEFAULT_INPUT_SIZE
from liquid_edge.yolo.detector import DEFAULT_NMS_THRESHOLD
from liquid_edge.yolo.onnx_cache import CACHE_ENVIRONMENT_VARIABLE, darknet_as_onnx
from liquid_edge.yolo.onnx_cache import default_cache_dir
from liquid_edge.yolo.runtimes import DEVICE_CPU
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import YOLO_DETECTION_PORT

YOLO_METRICS_PORT = 9055
RUNTIMES_LOGGER = 'liquid_edge.yolo.runtimes'
log = logging.getLogger(__name__)


def build_yolo_server(settings: ServerSettings, identity: EdgeIdentity, *, max_pixels: int,
                      load: Callable[[], YoloDetector], workers: int = 1) -> EdgeServer:
    """Return a (not yet started) YOLO server with ``workers`` detectors built by ``load``."""
    metrics = EdgeMetrics()
    loaded = 0

    def load_once_noisy() -> YoloDetector:
        # Every detector of the pool loads the same model: only the first one's warnings
        # (e.g. CUDA asked for but absent) are worth a log line.
        nonlocal loaded
        runtimes_log = logging.getLogger(RUNTIMES_LOGGER)
        level = runtimes_log.level
        if loaded:
            runtimes_log.setLevel(logging.ERROR)
        try:
            return load()
        finally:
            runtimes_log.setLevel(level)
            loaded += 1

    pool = DetectorPool(load_once_noisy, workers)
    log.info('model loaded', extra={'model': pool.sample.model_info.name,
                                    'version': pool.sample.model_info.version,
                                    'runtime': pool.sample.model_info.runtime,
                                    'device': pool.sample.model_info.device,
                                    'workers': workers})
    servicer = DetectorServicer(v1.ENGINE_YOLO, pool, identity, metrics, max_pixels)
    return EdgeServer('yolodetection', settings, metrics,
                      detector_bindings(servicer, v1.ENGINE_YOLO))


def model_for_backend(backend: str, model: Path, weights: Path | None, input_size: int,
                      cache_dir: Path) -> tuple[Path, Path | None]:
    """Return (model, weights) as ``backend`` runs them.

    ONNX Runtime runs a Darknet model as its ONNX conversion, made once and then read from
    ``cache_dir`` (see liquid_edge.yolo.onnx_cache); anything else is returned unchanged.
    """
    if backend != BACKEND_ONNXRUNTIME or model.suffix.lower() != '.cfg' or weights is None:
        return model, weights
    return darknet_as_onnx(model, weights, input_size, cache_dir), None


def packaged_model(backend: str, input_size: int,
                   cache_dir: Path) -> tuple[Path, Path | None, Path]:
    """Return (model, weights, names) of the packaged YOLOv3-tiny for ``backend``.

    OpenCV DNN reads the Darknet files; ONNX Runtime their cached ONNX conversion (made in
    ``cache_dir`` at the first start, about a second, no download).
    """
    files = default_model_files()
    model, weights = model_for_backend(backend, files.cfg, files.weights, input_size,
                                       cache_dir)
    return model, weights, files.names


def main(argv: list[str] | None = None) -> None:
    """Run the YOLO detection service until SIGTERM."""
    parser = service_parser('LIQUID EDGE YOLO object detection (OpenCV DNN or ONNX Runtime).',
                            YOLO_DETECTION_PORT, YOLO_METRICS_PORT)
    model = parser.add_argument_group(
        'YOLO model (default: the packaged YOLOv3-tiny)')
    model.add_argument('--model', help='Darknet .cfg or .onnx (YOLOv5/YOLOv8 layout) file')
    model.add_argument('--weights', help='Darknet .weights file (with a .cfg model)')
    model.add_argument('--names', help='class names file, one per line')
    model.add_argument('--backend', choices=BACKENDS, default=BACKEND_ONNXRUNTIME,
                       help='inference runtime; onnxruntime runs a Darknet model as its ONNX '
                            'conversion, cached in --model-cache')
    model.add_argument('--model-cache', type=Path, default=default_cache_dir(),
                       help=f'directory of the cached ONNX conversions of Darknet models (env '
                            f'{CACHE_ENVIRONMENT_VARIABLE})')
    model.add_argument('--device', choices=DEVICES, default='cpu',
                       help='cuda falls back to the CPU with one log line when absent')
    model.add_argument('--conf-threshold', type=float, default=DEFAULT_CONF_THRESHOLD,
                       help='minimum class confidence')
    model.add_argument('--nms-threshold', type=float, default=DEFAULT_NMS_THRESHOLD,
                       help='IoU above which overlapping boxes of a class are merged')
    model.add_argument('--input-size', type=positive_int, default=DEFAULT_INPUT_SIZE,
                       help='network input side, pixels (multiple of 32)')
    model.add_argument('--int8-calibration', type=Path, metavar='DIR',
                       help='quantise the model to int8 at start, calibrated on the JPEG/PNG '
                            'photos in DIR (onnxruntime on the CPU only): about twice as fast '
                            'on CPUs with VNNI, detections move slightly (default: float)')
    add_worker_arguments(parser, 'YOLO detectors')
    args = parser.parse_args(argv)
    settings, identity = settings_from_args(parser, args)
    if args.model is not None and args.names is None:
        parser.error('--names is required with --model')
    if args.int8_calibration is not None and (args.backend, args.device) != (
            BACKEND_ONNXRUNTIME, DEVICE_CPU):
        parser.error('--int8-calibration needs --backend onnxruntime and --device cpu')
    cv2.setNumThreads(args.opencv_threads)
    with tempfile.TemporaryDirectory(prefix='yolodetection-') as workdir:
        try:
            if args.model is None:
                model_path, weights, names = packaged_model(args.backend, args.input_size,
                                                            args.model_cache)
            else:
                model_path, weights = model_for_backend(
                    args.backend, Path(args.model),
                    None if args.weights is None else Path(args.weights), args.input_size,
                    args.model_cache)
                names = args.names
        except (ValueError, OSError) as error:
            parser.error(f'cannot prepare the model: {error}')
        if args.int8_calibration is not None:
            # Needs the onnx package, which an OpenCV-only image does not carry.
            from liquid_edge.yolo.quantization import quantize_int8, read_calibration_images
            try:
                model_path = quantize_int8(
                    Path(model_path), Path(workdir) / f'{Path(model_path).stem}-int8.onnx',
                    read_calibration_images(args.int8_calibration), args.input_size)
            except (ValueError, OSError) as error:
                parser.error(f'int8 quantisation failed: {error}')
            log.info('quantised the model to int8', extra={'model': str(model_path)})

        def load() -> YoloDetector:
            return load_detector(model=model_path, weights=weights, names=names,
                                 backend=args.backend, device=args.device,
                                 conf_threshold=args.conf_threshold,
                                 nms_threshold=args.nms_threshold, input_size=args.input_size,
                                 threads=args.opencv_threads)

        try:
            server = build_yolo_server(settings, identity, max_pixels=args.max_pixels,
                                       load=load, workers=args.workers)
        except (ValueError, FileNotFoundError) as error:
            parser.error(str(error))
        server.serve_until_signalled()
