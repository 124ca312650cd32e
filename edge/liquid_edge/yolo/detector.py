"""
YOLO detector: image in, `Detection` list out, on OpenCV DNN, ONNX Runtime or OpenVINO.

`load_detector` picks the runtime for the model file and backend, checks the model against
its class names with one warm-up inference, and returns a `YoloDetector`. Each detector owns
its network: give every worker thread its own detector (a lock serialises calls that share
one anyway, so a shared detector is slow but never wrong).
"""
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
import threading

import cv2
from liquid_edge.detection import Detection, ModelInfo
from liquid_edge.yolo.decoding import DECODERS, detect_layout, non_max_suppression
from liquid_edge.yolo.decoding import output_class_count, OutputLayout
from liquid_edge.yolo.geometry import boxes_to_image, GEOMETRY_BY_RESIZE_MODE, InputGeometry
from liquid_edge.yolo.geometry import LETTERBOX_GREY, ResizeMode
from liquid_edge.yolo.model_files import file_version, read_class_names
from liquid_edge.yolo.onnx_model import METADATA_OUTPUT_LAYOUT, METADATA_RESIZE_MODE
from liquid_edge.yolo.onnx_model import read_onnx_model_facts
from liquid_edge.yolo.runtimes import DEVICES, InferenceRuntime, OnnxRuntimeSession
from liquid_edge.yolo.runtimes import OpenCvDnnRuntime, OpenVinoRuntime
import numpy as np

BACKEND_OPENCV = 'opencv'
BACKEND_ONNXRUNTIME = 'onnxruntime'
BACKEND_OPENVINO = 'openvino'
BACKENDS = (BACKEND_OPENCV, BACKEND_ONNXRUNTIME, BACKEND_OPENVINO)
# The runtimes that follow an ONNX model's dynamic batch dimension (OpenCV DNN fixes it).
_BATCHING_BACKENDS = (BACKEND_ONNXRUNTIME, BACKEND_OPENVINO)
# Every YOLOv3/v5/v8 network downsamples by 32, so the input must be a multiple of it.
INPUT_SIZE_MULTIPLE = 32
# The original's 0.7 suits full YOLOv3. YOLOv3-tiny scores lower: the test astronaut pasted at
# 130-190 px scores 0.50-0.86 (0.67 at 180 px), so 0.7 would drop real people. 0.5 is also
# the threshold of the packaged model's own example.
DEFAULT_CONF_THRESHOLD = 0.5
DEFAULT_NMS_THRESHOLD = 0.45
# The packaged cfg's own size. Smaller inputs are cheaper (ONNX Runtime at 320 costs about 60 %
# of 416; OpenCV DNN gains little) but lose the sim's people at 2.7-3.4 m: the astronaut
# billboard in 40 frames of the default sim world is found in 38 at 416, 22 at 320, 11 at 288.
DEFAULT_INPUT_SIZE = 416

_MODEL_KIND_BY_SUFFIX = {'.cfg': 'darknet', '.onnx': 'onnx'}
_RuntimeOpener = Callable[[Path, Path | None, str, int | None], InferenceRuntime]
_RUNTIME_OPENERS: dict[tuple[str, str], _RuntimeOpener] = {
    (BACKEND_OPENCV, 'darknet'): OpenCvDnnRuntime.from_darknet,
    (BACKEND_OPENCV, 'onnx'): lambda model, weights, device, threads: (
        OpenCvDnnRuntime.from_onnx(model, device, threads)),
    (BACKEND_ONNXRUNTIME, 'onnx'): lambda model, weights, device, threads: (
        OnnxRuntimeSession(model, device, threads)),
    (BACKEND_OPENVINO, 'onnx'): lambda model, weights, device, threads: (
        OpenVinoRuntime(model, device, threads)),
}


class YoloDetector:
    """A loaded YOLO model with its decoding; `detect` maps an image to detections."""

    # It resizes every image to its input itself, so it takes full-size frames.
    input_reduction = 1

    def __init__(self, runtime: InferenceRuntime, layout: OutputLayout, resize_mode: ResizeMode,
                 class_names: list[str], model_info: ModelInfo, input_width: int,
                 input_height: int, conf_threshold: float, nms_threshold: float,
                 batches: bool = False):
        """Wrap a runtime whose outputs have ``layout``; use `load_detector` to build one.

        ``batches``: the runtime runs several images at once (`infer` of [B, 3, H, W]).
        """
        self._runtime = runtime
        self._decode = DECODERS[layout]
        self._make_geometry = GEOMETRY_BY_RESIZE_MODE[resize_mode]
        self._input_width = input_width
        self._input_height = input_height
        self._conf_threshold = conf_threshold
        self._nms_threshold = nms_threshold
        self._lock = threading.Lock()
        self.layout = layout
        self.resize_mode = resize_mode
        self.class_names = class_names
        self.model_info = model_info
        self.batches = batches

    def detect(self, bgr_image: np.ndarray) -> list[Detection]:
        """
        Detect objects in a BGR uint8 image; boxes in its pixels, best score first.

        Raises ValueError for anything but a non-empty H×W×3 uint8 array.
        """
        prepared = self.prepare(bgr_image)
        return self.decode(self.infer(prepared.blob), prepared)

    def prepare(self, bgr_image: np.ndarray) -> 'PreparedImage':
        """Return the image's network input (a [1, 3, H, W] blob) and how it was resized.

        Thread-safe; raises ValueError for anything but a non-empty H×W×3 uint8 array.
        """
        _check_image(bgr_image)
        image_height, image_width = bgr_image.shape[:2]
        geometry = self._make_geometry(image_width, image_height,
                                       self._input_width, self._input_height)
        return PreparedImage(make_input_blob(bgr_image, geometry), geometry, image_width,
                             image_height)

    def infer(self, blobs: np.ndarray) -> list[np.ndarray]:
        """Run the network on [B, 3, H, W] blobs (B > 1 only for a dynamic-batch model)."""
        with self._lock:
            return self._runtime.infer(blobs)

    def decode(self, outputs: list[np.ndarray], prepared: 'PreparedImage') -> list[Detection]:
        """Return the detections of one image's outputs (batch of one). Thread-safe."""
        candidates = self._decode(outputs, self._input_width, self._input_height,
                                  self._conf_threshold)
        boxes = boxes_to_image(candidates.boxes, prepared.geometry, prepared.width,
                               prepared.height)
        visible = (boxes[:, 2] > 0) & (boxes[:, 3] > 0)
        boxes, candidates = boxes[visible], candidates.select(visible)
        kept = non_max_suppression(boxes, candidates.scores, candidates.class_ids,
                                   self._nms_threshold)
        return [Detection(class_id=int(candidates.class_ids[index]),
                          class_name=self.class_names[candidates.class_ids[index]],
                          score=float(candidates.scores[index]),
                          x=float(boxes[index, 0]), y=float(boxes[index, 1]),
                          width=float(boxes[index, 2]), height=float(boxes[index, 3]))
                for index in kept]


@dataclass(frozen=True)
class PreparedImage:
    """An image made into the network's input: its blob, resize geometry and size."""

    blob: np.ndarray
    geometry: InputGeometry
    width: int
    height: int


def load_detector(model: str | Path, weights: str | Path | None = None,
                  names: str | Path | None = None, backend: str = BACKEND_OPENCV,
                  device: str = 'cpu', conf_threshold: float = DEFAULT_CONF_THRESHOLD,
                  nms_threshold: float = DEFAULT_NMS_THRESHOLD,
                  input_size: int = DEFAULT_INPUT_SIZE, layout: str | None = None,
                  threads: int | None = None) -> YoloDetector:
    """
    Load a YOLO model and check it with one warm-up inference.

    ``model`` is a Darknet ``.cfg`` (``weights`` then names the ``.weights`` file; OpenCV
    backend only) or an ``.onnx`` file (YOLOv5 or YOLOv8 output layout, detected from the
    output shape unless ``layout`` or the converter's metadata says). ``names`` lists one
    class per line. ``device='cuda'`` uses CUDA where the runtime has it, else the CPU with
    one warning; ``model_info.device`` tells which. ``threads`` caps the CPU threads of one
    inference (ONNX Runtime intra-op threads, OpenVINO inference threads; for OpenCV DNN it is
    cv2.setNumThreads, which is process-wide); None keeps the runtime's default. Raises
    ValueError for a bad argument or a model that does not match its names,
    FileNotFoundError for a missing file.
    """
    kind = _MODEL_KIND_BY_SUFFIX.get(Path(model).suffix.lower())
    _check_arguments(kind, model, weights, names, backend, device, conf_threshold,
                     nms_threshold, input_size, layout, threads)
    model, names = Path(model), Path(names)
    weights = Path(weights) if weights is not None else None
    for path in (model, weights, names):
        if path is not None and not path.is_file():
            raise FileNotFoundError(f'YOLO model file {path} does not exist')
    class_names = read_class_names(names)

    resize_mode = ResizeMode.STRETCH
    batches = False
    chosen_layout = OutputLayout(layout) if layout is not None else None
    if kind == 'darknet':
        chosen_layout = chosen_layout or OutputLayout.DARKNET
    else:
        facts = read_onnx_model_facts(model)
        fixed_size = (facts.input_width, facts.input_height)
        if any(side is not None and side != input_size for side in fixed_size):
            raise ValueError(f'{model} takes a fixed {fixed_size[0]}x{fixed_size[1]} input; '
                             f'set input_size to match (got {input_size})')
        resize_mode = ResizeMode(facts.metadata.get(METADATA_RESIZE_MODE,
                                                    ResizeMode.LETTERBOX.value))
        batches = backend in _BATCHING_BACKENDS and facts.input_batch is None
        if chosen_layout is None and METADATA_OUTPUT_LAYOUT in facts.metadata:
            chosen_layout = OutputLayout(facts.metadata[METADATA_OUTPUT_LAYOUT])

    try:
        runtime = _RUNTIME_OPENERS[(backend, kind)](model, weights, device, threads)
        warm_up_outputs = runtime.infer(
            np.zeros((1, 3, input_size, input_size), dtype=np.float32))
    except cv2.error as error:
        raise ValueError(f'OpenCV DNN cannot run {model}: {error}') from error
    if chosen_layout is None:
        chosen_layout = detect_layout(warm_up_outputs[0].shape, len(class_names))
    model_classes = output_class_count(warm_up_outputs, chosen_layout)
    if model_classes != len(class_names):
        raise ValueError(f'{model} predicts {model_classes} classes but {names} lists '
                         f'{len(class_names)}')

    model_info = ModelInfo(name=model.stem, version=file_version(weights or model),
                           runtime=runtime.runtime, device=runtime.device)
    return YoloDetector(runtime, chosen_layout, resize_mode, class_names, model_info,
                        input_size, input_size, conf_threshold, nms_threshold, batches)


def _check_arguments(kind, model, weights, names, backend, device, conf_threshold,
                     nms_threshold, input_size, layout, threads) -> None:
    if kind is None:
        raise ValueError(f'YOLO model must be a Darknet .cfg or an .onnx file, got {model}')
    if backend not in BACKENDS:
        raise ValueError(f'backend must be one of {BACKENDS}, got {backend!r}')
    if (backend, kind) not in _RUNTIME_OPENERS:
        raise ValueError(f'backend {backend} cannot run a Darknet cfg; convert it with '
                         f'liquid-edge-darknet2onnx or use backend {BACKEND_OPENCV}')
    if kind == 'darknet' and weights is None:
        raise ValueError(f'Darknet model {model} needs its .weights file (weights=...)')
    if kind == 'onnx' and weights is not None:
        raise ValueError(f'ONNX model {model} carries its weights; do not give weights')
    if names is None:
        raise ValueError('names (the class names file, one per line) is required')
    if device not in DEVICES:
        raise ValueError(f'device must be one of {DEVICES}, got {device!r}')
    for threshold_name, threshold in (('conf_threshold', conf_threshold),
                                      ('nms_threshold', nms_threshold)):
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f'{threshold_name} must be in [0, 1], got {threshold}')
    if input_size <= 0 or input_size % INPUT_SIZE_MULTIPLE:
        raise ValueError(f'input_size must be a positive multiple of {INPUT_SIZE_MULTIPLE}, '
                         f'got {input_size}')
    if threads is not None and threads < 1:
        raise ValueError(f'threads must be at least 1 (or None for the default), got {threads}')
    valid_layouts = [option.value for option in OutputLayout]
    if layout is not None and layout not in valid_layouts:
        raise ValueError(f'layout must be one of {valid_layouts}, got {layout!r}')


def _check_image(image: np.ndarray) -> None:
    if not isinstance(image, np.ndarray):
        raise ValueError(f'image must be a numpy array, got {type(image).__name__}')
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3 or image.size == 0:
        raise ValueError(f'image must be a non-empty HxWx3 uint8 BGR array, got '
                         f'{image.dtype} of shape {image.shape}')


def make_input_blob(bgr_image: np.ndarray, geometry: InputGeometry) -> np.ndarray:
    """Resize (and pad) as ``geometry`` says; return the RGB, 0..1, NCHW float32 blob."""
    input_size = (geometry.input_width, geometry.input_height)
    if (geometry.resized_width, geometry.resized_height) == input_size:
        # One OpenCV call resizes, swaps BGR→RGB, scales and transposes: no extra copies.
        return cv2.dnn.blobFromImage(bgr_image, 1.0 / 255.0, input_size, swapRB=True,
                                     crop=False)
    resized = cv2.resize(bgr_image, (geometry.resized_width, geometry.resized_height),
                         interpolation=cv2.INTER_LINEAR)
    padded = cv2.copyMakeBorder(
        resized, geometry.pad_top,
        geometry.input_height - geometry.resized_height - geometry.pad_top,
        geometry.pad_left, geometry.input_width - geometry.resized_width - geometry.pad_left,
        cv2.BORDER_CONSTANT, value=(LETTERBOX_GREY,) * 3)
    return cv2.dnn.blobFromImage(padded, 1.0 / 255.0, swapRB=True, crop=False)
