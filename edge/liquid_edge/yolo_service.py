"""``yolodetection``: the YOLO backend, original ``YoloDetection`` on 50055.

Runtime: OpenVINO on the CPU (bfloat16 where the CPU has bf16 matrix units), ONNX Runtime on a
GPU, by default; a Darknet model runs as its cached ONNX conversion.

Concurrency: ``--workers`` detectors, each run by its own thread on the frames waiting
(liquid_edge.yolo.batching), robots served in turn, newest frame first. On a GPU each run is a
batch of up to ``--max-batch`` frames; on the CPU one frame per run on each of one detector
per core measured best (see DEFAULT_MAX_BATCH), plus, with OpenVINO or ONNX Runtime, one
detector with a thread per core for a frame alone in the service (``--lone-frame-threads``).
"""
from collections.abc import Callable
import logging
from pathlib import Path
import tempfile

import cv2

from liquid_edge.appearance import AppearanceDescriber, HsHistogramDescriber, OnnxReidDescriber
from liquid_edge.cli import add_worker_arguments, positive_int, service_parser
from liquid_edge.cli import settings_from_args, usable_cores
from liquid_edge.detector_service import detector_bindings, DetectorServicer
from liquid_edge.identity import EdgeIdentity
from liquid_edge.server import EdgeMetrics, EdgeServer, ServerSettings
from liquid_edge.yolo import BACKENDS, default_model_files, DEVICES, load_detector
from liquid_edge.yolo import YoloDetector
from liquid_edge.yolo.batching import BatchingDetector
from liquid_edge.yolo.detector import BACKEND_ONNXRUNTIME, BACKEND_OPENVINO
from liquid_edge.yolo.detector import DEFAULT_CONF_THRESHOLD, DEFAULT_INPUT_SIZE
from liquid_edge.yolo.detector import DEFAULT_NMS_THRESHOLD
from liquid_edge.yolo.onnx_cache import CACHE_ENVIRONMENT_VARIABLE, darknet_as_onnx
from liquid_edge.yolo.onnx_cache import default_cache_dir
from liquid_edge.yolo.runtimes import DEVICE_CPU, DEVICE_CUDA
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import YOLO_DETECTION_PORT

YOLO_METRICS_PORT = 9055
RUNTIMES_LOGGER = 'liquid_edge.yolo.runtimes'
# The runtimes that read ONNX only (a Darknet model runs as its conversion), and whose threads
# belong to each detector (OpenCV DNN's are process-wide).
ONNX_BACKENDS = (BACKEND_ONNXRUNTIME, BACKEND_OPENVINO)
# On the CPU, OpenVINO: in bf16 on this project's AMX Xeon, YOLOv3-tiny at 416 px takes 8 ms on
# one thread, ONNX Runtime's float32 38 ms (OpenVINO's own float32 as much). On a GPU, ONNX
# Runtime's CUDA and TensorRT providers (OpenVINO runs no CUDA).
DEFAULT_BACKEND_BY_DEVICE = {DEVICE_CPU: BACKEND_OPENVINO, DEVICE_CUDA: BACKEND_ONNXRUNTIME}
# Batches of up to this many frames on a GPU, for a model that takes them (ONNX Runtime).
# On the CPU the default is one frame per run on one single-threaded detector per core: on
# 2 cores, interleaved, that gave 36 and 41 frames/s at 4 and 8 clients against 24 and 28
# with batches of 4 (a batch saves little per frame on a CPU, and closed-loop clients wait
# together for it, leaving the cores idle in between) and 28 and 32 with one 2-thread
# detector, at the same 1-client latency.
DEFAULT_MAX_BATCH = 8
# How long a runner waits for more frames when frames are arriving or it is busy.
DEFAULT_BATCH_WINDOW_MS = 2.0
# Detection requests admitted per frame a server runs at once (workers x batch): room for
# the next batches and for every robot's newest frames, so that the fair queue, not the
# admission limit, shares the capacity; never fewer than MIN_IN_FLIGHT.
IN_FLIGHT_PER_CAPACITY = 8
MIN_IN_FLIGHT = 32
# Frames one robot may have waiting: a quarter of the in-flight limit, at least this many
# (a robot's pipelined frames; an original ingress, which names no robot, calls with up to
# 10 at once); beyond, its oldest frame is dropped (RESOURCE_EXHAUSTED).
MIN_WAITING_PER_ROBOT = 16
log = logging.getLogger(__name__)


def build_yolo_server(settings: ServerSettings, identity: EdgeIdentity, *, max_pixels: int,
                      load: Callable[[], YoloDetector], workers: int = 1,
                      max_batch: int | None = None,
                      batch_window_s: float = DEFAULT_BATCH_WINDOW_MS / 1000,
                      describer: AppearanceDescriber | None = None,
                      load_lone: Callable[[], YoloDetector] | None = None) -> EdgeServer:
    """Return a (not yet started) YOLO server with ``workers`` detectors built by ``load``.

    Its person detections carry ``describer``'s appearance vectors (default: colour
    histograms). ``load_lone`` builds the detector (more threads) that runs a frame alone in
    the service; None = none.

    ``max_batch`` None = DEFAULT_MAX_BATCH if the model takes batches on a GPU, else 1.
    """
    metrics = EdgeMetrics()
    runtimes_log = logging.getLogger(RUNTIMES_LOGGER)
    detectors = [load()]
    # Every detector loads the same model: only the first one's warnings (e.g. CUDA asked
    # for but absent) are worth a log line.
    level = runtimes_log.level
    runtimes_log.setLevel(logging.ERROR)
    try:
        detectors += [load() for _ in range(workers - 1)]
        lone = load_lone() if load_lone is not None else None
    finally:
        runtimes_log.setLevel(level)
    if max_batch is None:
        on_gpu = detectors[0].model_info.device == DEVICE_CUDA
        max_batch = DEFAULT_MAX_BATCH if detectors[0].batches and on_gpu else 1

    def observe(frames: int, _seconds: float, alone: bool) -> None:
        metrics.batch_frames.observe(frames)
        if alone:
            metrics.lone_runs.inc()
    batching = BatchingDetector(
        detectors, max_batch, batch_window_s,
        max(MIN_WAITING_PER_ROBOT, settings.max_in_flight // 4), on_batch=observe, lone=lone)
    info = detectors[0].model_info
    log.info('model loaded', extra={'model': info.name, 'version': info.version,
                                    'runtime': info.runtime, 'device': info.device,
                                    'workers': workers, 'max_batch': max_batch,
                                    'lone_frame_detector': lone is not None})
    servicer = DetectorServicer(v1.ENGINE_YOLO, batching, identity, metrics, max_pixels,
                                describer=describer or HsHistogramDescriber())
    return EdgeServer('yolodetection', settings, metrics,
                      detector_bindings(servicer, v1.ENGINE_YOLO))


def model_for_backend(backend: str, model: Path, weights: Path | None, input_size: int,
                      cache_dir: Path) -> tuple[Path, Path | None]:
    """Return (model, weights) as ``backend`` runs them.

    ONNX Runtime and OpenVINO run a Darknet model as its ONNX conversion, made once and then
    read from ``cache_dir`` (see liquid_edge.yolo.onnx_cache); anything else is returned
    unchanged.
    """
    if backend not in ONNX_BACKENDS or model.suffix.lower() != '.cfg' or weights is None:
        return model, weights
    return darknet_as_onnx(model, weights, input_size, cache_dir), None


def packaged_model(backend: str, input_size: int,
                   cache_dir: Path) -> tuple[Path, Path | None, Path]:
    """Return (model, weights, names) of the packaged YOLOv3-tiny for ``backend``.

    OpenCV DNN reads the Darknet files; ONNX Runtime and OpenVINO their cached ONNX conversion
    (made in ``cache_dir`` at the first start, about a second, no download).
    """
    files = default_model_files()
    model, weights = model_for_backend(backend, files.cfg, files.weights, input_size,
                                       cache_dir)
    return model, weights, files.names


def main(argv: list[str] | None = None) -> None:
    """Run the YOLO detection service until SIGTERM."""
    parser = service_parser(
        'LIQUID EDGE YOLO object detection (OpenVINO, ONNX Runtime or OpenCV DNN).',
        YOLO_DETECTION_PORT,
        YOLO_METRICS_PORT,
        in_flight_help=f'default: {IN_FLIGHT_PER_CAPACITY} x workers x max batch, at least '
                       f'{MIN_IN_FLIGHT}')
    model = parser.add_argument_group(
        'YOLO model (default: the packaged YOLOv3-tiny)')
    model.add_argument('--model', help='Darknet .cfg or .onnx (YOLOv5/YOLOv8 layout) file')
    model.add_argument('--weights', help='Darknet .weights file (with a .cfg model)')
    model.add_argument('--names', help='class names file, one per line')
    model.add_argument('--backend', choices=BACKENDS, default=None,
                       help='inference runtime (default: openvino with --device cpu, '
                            'onnxruntime with --device cuda); onnxruntime and openvino run a '
                            'Darknet model as its ONNX conversion, cached in --model-cache')
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
    model.add_argument('--reid-model', type=Path, metavar='X.onnx',
                       help='appearance of each person from this ONNX re-identification '
                            'network (input N x 3 x H x W, RGB, ImageNet-normalised), batched '
                            'per frame (default: colour histograms)')
    add_worker_arguments(parser, 'YOLO detectors, each running frames or batches of them',
                         workers_help='default: CPU cores; 1 with --device cuda',
                         threads_help='default: 1; CPU cores with --device cuda')
    batching = parser.add_argument_group('batching')
    batching.add_argument('--max-batch', type=positive_int, default=None,
                          help=f'most frames one detector runs at once (default: '
                               f'{DEFAULT_MAX_BATCH} on a GPU with onnxruntime and a dynamic '
                               f'batch dimension, else 1)')
    batching.add_argument('--batch-window-ms', type=float, default=DEFAULT_BATCH_WINDOW_MS,
                          help='how long a detector waits for more frames when frames are '
                               'arriving or it is busy; an idle detector runs a frame at once')
    batching.add_argument('--lone-frame-threads', type=int, default=None,
                          help='threads of one more OpenVINO or ONNX Runtime detector, which '
                               'runs a frame when nothing else is waiting or running, so an '
                               'idle service answers with every core (default: CPU cores on '
                               'the CPU, when a detector has fewer; 0 = none)')
    args = parser.parse_args(argv)
    cores = usable_cores()
    gpu = args.device == DEVICE_CUDA
    args.backend = args.backend or DEFAULT_BACKEND_BY_DEVICE[args.device]
    workers = args.workers or (1 if gpu else cores)
    threads = args.opencv_threads or (cores if gpu else 1)
    if args.batch_window_ms < 0:
        parser.error(f'--batch-window-ms must be >= 0, got {args.batch_window_ms}')
    lone_threads = args.lone_frame_threads
    if lone_threads is None:
        on_cpu = args.backend in ONNX_BACKENDS and args.device == DEVICE_CPU
        lone_threads = cores if on_cpu and threads < cores else 0
    if lone_threads < 0:
        parser.error(f'--lone-frame-threads must be >= 0, got {lone_threads}')
    if lone_threads and args.backend not in ONNX_BACKENDS:
        parser.error('--lone-frame-threads needs --backend openvino or onnxruntime (OpenCV '
                     'DNN threads are process-wide)')
    if args.max_in_flight is None:
        args.max_in_flight = max(MIN_IN_FLIGHT, IN_FLIGHT_PER_CAPACITY * workers * (
            args.max_batch or (DEFAULT_MAX_BATCH if gpu else 1)))
    settings, identity = settings_from_args(parser, args)
    if args.model is not None and args.names is None:
        parser.error('--names is required with --model')
    if args.int8_calibration is not None and (args.backend, args.device) != (
            BACKEND_ONNXRUNTIME, DEVICE_CPU):
        parser.error('--int8-calibration needs --backend onnxruntime and --device cpu')
    cv2.setNumThreads(threads)
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

        def load(intra_op_threads: int = threads) -> YoloDetector:
            return load_detector(model=model_path, weights=weights, names=names,
                                 backend=args.backend, device=args.device,
                                 conf_threshold=args.conf_threshold,
                                 nms_threshold=args.nms_threshold, input_size=args.input_size,
                                 threads=intra_op_threads)

        try:
            describer = (OnnxReidDescriber(args.reid_model, threads)
                         if args.reid_model is not None else None)
            server = build_yolo_server(settings, identity, max_pixels=args.max_pixels,
                                       load=load, workers=workers, max_batch=args.max_batch,
                                       batch_window_s=args.batch_window_ms / 1000,
                                       describer=describer,
                                       load_lone=(lambda: load(lone_threads)) if lone_threads
                                       else None)
        except (ValueError, FileNotFoundError) as error:
            parser.error(str(error))
        server.serve_until_signalled()
