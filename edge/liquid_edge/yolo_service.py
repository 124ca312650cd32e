"""``yolodetection``: the YOLO backend, original ``YoloDetection`` on 50055.

Concurrency: a pool of ``--workers`` detectors, each request borrowing one, so every request
gets exactly the answer it would get alone while all cores work (see the benchmark).
"""
from collections.abc import Callable
import logging
from pathlib import Path
import tempfile

import cv2

from liquid_edge.appearance import AppearanceDescriber, HsHistogramDescriber, OnnxReidDescriber
from liquid_edge.cli import add_worker_arguments, positive_int, service_parser
from liquid_edge.cli import settings_from_args
from liquid_edge.detector_pool import DetectorPool
from liquid_edge.detector_service import detector_bindings, DetectorServicer
from liquid_edge.identity import EdgeIdentity
from liquid_edge.server import EdgeMetrics, EdgeServer, ServerSettings
from liquid_edge.yolo import BACKENDS, default_model_files, DEVICES, load_detector
from liquid_edge.yolo import YoloDetector
from liquid_edge.yolo.detector import BACKEND_ONNXRUNTIME, BACKEND_OPENCV
from liquid_edge.yolo.detector import DEFAULT_CONF_THRESHOLD, DEFAULT_INPUT_SIZE
from liquid_edge.yolo.detector import DEFAULT_NMS_THRESHOLD
from liquid_edge.yolo.runtimes import DEVICE_CPU
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import YOLO_DETECTION_PORT

YOLO_METRICS_PORT = 9055
RUNTIMES_LOGGER = 'liquid_edge.yolo.runtimes'
log = logging.getLogger(__name__)


def build_yolo_server(settings: ServerSettings, identity: EdgeIdentity, *, max_pixels: int,
                      load: Callable[[], YoloDetector], workers: int = 1,
                      describer: AppearanceDescriber | None = None) -> EdgeServer:
    """Return a (not yet started) YOLO server with ``workers`` detectors built by ``load``.

    Its person detections carry ``describer``'s appearance vectors (default: colour
    histograms).
    """
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
    servicer = DetectorServicer(v1.ENGINE_YOLO, pool, identity, metrics, max_pixels,
                                describer=describer or HsHistogramDescriber())
    return EdgeServer('yolodetection', settings, metrics,
                      detector_bindings(servicer, v1.ENGINE_YOLO))


def packaged_model(backend: str, input_size: int,
                   workdir: Path) -> tuple[Path, Path | None, Path]:
    """Return (model, weights, names) of the packaged YOLOv3-tiny for ``backend``.

    OpenCV DNN reads the Darknet files; for ONNX Runtime they are converted to an ONNX
    file in ``workdir`` (about a second, no download).
    """
    files = default_model_files()
    if backend == 'opencv':
        return files.cfg, files.weights, files.names
    # The conversion needs the onnx package, which an OpenCV-only image does not carry.
    import onnx
    from liquid_edge.yolo.darknet_onnx import convert_darknet_to_onnx
    converted = workdir / f'{files.cfg.stem}.onnx'
    onnx.save(convert_darknet_to_onnx(files.cfg, files.weights, input_size), converted)
    log.info('converted the packaged model to ONNX', extra={'model': str(converted)})
    return converted, None, files.names


def main(argv: list[str] | None = None) -> None:
    """Run the YOLO detection service until SIGTERM."""
    parser = service_parser('LIQUID EDGE YOLO object detection (OpenCV DNN or ONNX Runtime).',
                            YOLO_DETECTION_PORT, YOLO_METRICS_PORT)
    model = parser.add_argument_group(
        'YOLO model (default: the packaged YOLOv3-tiny, converted to ONNX for onnxruntime)')
    model.add_argument('--model', help='Darknet .cfg or .onnx (YOLOv5/YOLOv8 layout) file')
    model.add_argument('--weights', help='Darknet .weights file (with a .cfg model)')
    model.add_argument('--names', help='class names file, one per line')
    model.add_argument('--backend', choices=BACKENDS, default=BACKEND_OPENCV,
                       help='inference runtime')
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
    model.add_argument('--reid-model', type=Path, metavar='X.onnx',
                       help='appearance of each person from this ONNX re-identification '
                            'network (input N x 3 x H x W, RGB, ImageNet-normalised), batched '
                            'per frame (default: colour histograms)')
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
        if args.model is None:
            model_path, weights, names = packaged_model(args.backend, args.input_size,
                                                        Path(workdir))
        else:
            model_path, weights, names = args.model, args.weights, args.names
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
            describer = (OnnxReidDescriber(args.reid_model, args.opencv_threads)
                         if args.reid_model is not None else None)
            server = build_yolo_server(settings, identity, max_pixels=args.max_pixels,
                                       load=load, workers=args.workers, describer=describer)
        except (ValueError, FileNotFoundError) as error:
            parser.error(str(error))
        server.serve_until_signalled()
