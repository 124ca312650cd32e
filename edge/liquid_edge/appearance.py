"""Appearance descriptors of detected people and faces, for re-identification on the robot.

The edge has the decoded frame; the robot does not. So each ``person`` and ``face``
detection leaves the edge with a fixed-length, L2-normalised vector, and the response names
the descriptor (``ModelInfo``) so the robot never compares two kinds.

- ``HsHistogramDescriber`` (default): hue-saturation histograms of the upper and the lower
  half of the box's central columns. Hue and saturation change little with brightness, and
  dark pixels (no reliable hue) are left out, so the vector tolerates light; the square root
  of the normalised histograms (Hellinger) makes the dot product of two vectors their
  Bhattacharyya coefficient. Tens of microseconds per box (``make bench``).
- ``OnnxReidDescriber`` (``--reid-model``): a learned re-identification network (OSNet-class,
  input N x 3 x H x W RGB, ImageNet-normalised, output N x D) through ONNX Runtime, one
  batch per frame.
"""
from collections.abc import Sequence
import hashlib
from pathlib import Path
from typing import Protocol

import cv2
from liquid_edge.detection import Detection, ModelInfo
import numpy as np

# Classes that get a descriptor: the ones a robot follows.
DESCRIBED_CLASSES = frozenset({'person', 'face'})

HUE_BINS = 8
SATURATION_BINS = 4
# Only the central share of the box's width: the edges of a person box are mostly background.
CENTRAL_WIDTH = 0.6
# Pixels darker than this (V, 0..255) have no reliable hue and are not counted.
MIN_VALUE = 40
# ImageNet mean and standard deviation (RGB), the usual input normalisation of re-id networks.
IMAGENET_MEAN = np.array([0.485, 0.456, 0.406], np.float32)
IMAGENET_STD = np.array([0.229, 0.224, 0.225], np.float32)


class AppearanceDescriber(Protocol):
    """Turns the boxes of one frame into appearance vectors."""

    model_info: ModelInfo

    def describe(self, image_bgr: np.ndarray, boxes: Sequence[Detection],
                 scale: float = 1.0) -> list[np.ndarray]:
        """Return one L2-normalised vector per box (boxes in pixels of the full image).

        ``image_bgr`` may be a reduced decode: ``scale`` = its width / the full width.
        """


def crop(image: np.ndarray, box: Detection, scale: float,
         central_width: float = 1.0) -> np.ndarray:
    """Return the box's pixels (its central ``central_width`` of columns), at least 1x1."""
    height, width = image.shape[:2]
    centre_x = (box.x + box.width / 2) * scale
    half_w = max(box.width * scale * central_width / 2, 0.5)
    x0 = int(np.clip(np.floor(centre_x - half_w), 0, width - 1))
    x1 = int(np.clip(np.ceil(centre_x + half_w), x0 + 1, width))
    y0 = int(np.clip(np.floor(box.y * scale), 0, height - 1))
    y1 = int(np.clip(np.ceil((box.y + box.height) * scale), y0 + 1, height))
    return image[y0:y1, x0:x1]


def l2_normalised(vector: np.ndarray) -> np.ndarray:
    """Return the vector scaled to unit length (all zeros stays all zeros)."""
    norm = float(np.linalg.norm(vector))
    return (vector / norm if norm > 0.0 else vector).astype(np.float32)


class HsHistogramDescriber:
    """Upper- and lower-body hue-saturation histograms: 2 x HUE_BINS x SATURATION_BINS floats."""

    model_info = ModelInfo(name='hs-histogram',
                           version=f'1-2x{HUE_BINS}x{SATURATION_BINS}',
                           runtime='opencv', device='cpu')
    size = 2 * HUE_BINS * SATURATION_BINS

    def describe(self, image_bgr: np.ndarray, boxes: Sequence[Detection],
                 scale: float = 1.0) -> list[np.ndarray]:
        """Return the histogram vector of each box; see the module docstring."""
        if image_bgr.ndim != 3:
            raise ValueError('the colour histogram needs a colour (BGR) image')
        return [self._one(crop(image_bgr, box, scale, CENTRAL_WIDTH)) for box in boxes]

    def _one(self, pixels: np.ndarray) -> np.ndarray:
        hsv = cv2.cvtColor(pixels, cv2.COLOR_BGR2HSV)
        middle = max(hsv.shape[0] // 2, 1)
        parts = []
        for part in (hsv[:middle], hsv[middle:] if hsv.shape[0] > 1 else hsv):
            lit = (part[:, :, 2] >= MIN_VALUE).astype(np.uint8)
            histogram = cv2.calcHist([part], [0, 1], lit, [HUE_BINS, SATURATION_BINS],
                                     [0, 180, 0, 256]).ravel()
            total = histogram.sum()
            parts.append(np.sqrt(histogram / total) if total > 0 else histogram)
        return l2_normalised(np.concatenate(parts))


class OnnxReidDescriber:
    """A re-identification network in ONNX, run on each frame's crops as one batch."""

    def __init__(self, model: Path, threads: int = 1):
        """Load the model; its input must be N x 3 x H x W with fixed H and W."""
        import onnxruntime  # only this describer needs it
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads
        try:
            self._session = onnxruntime.InferenceSession(
                str(model), options, providers=['CPUExecutionProvider'])
        except Exception as error:  # noqa: B902 (onnxruntime raises its own base types)
            raise ValueError(f'cannot load the re-id model {model}: {error}') from error
        inputs = self._session.get_inputs()
        shape = inputs[0].shape
        if len(inputs) != 1 or len(shape) != 4 or shape[1] != 3 \
                or not all(isinstance(side, int) for side in shape[2:]):
            raise ValueError(f're-id model {model}: want one input N x 3 x H x W with fixed '
                             f'H and W, got {[(i.name, i.shape) for i in inputs]}')
        self._input = inputs[0].name
        self.input_size = (shape[3], shape[2])   # width, height
        digest = hashlib.sha256(model.read_bytes()).hexdigest()[:12]
        self.model_info = ModelInfo(name=model.stem, version=digest, runtime='onnxruntime',
                                    device='cpu')

    def batch(self, image_bgr: np.ndarray, boxes: Sequence[Detection],
              scale: float = 1.0) -> np.ndarray:
        """Return the network input of the boxes: crop, resize, RGB, ImageNet-normalise."""
        width, height = self.input_size
        crops = [cv2.resize(crop(image_bgr, box, scale), (width, height),
                            interpolation=cv2.INTER_LINEAR) for box in boxes]
        rgb = np.stack(crops)[:, :, :, ::-1].astype(np.float32) / 255.0
        return ((rgb - IMAGENET_MEAN) / IMAGENET_STD).transpose(0, 3, 1, 2).copy()

    def describe(self, image_bgr: np.ndarray, boxes: Sequence[Detection],
                 scale: float = 1.0) -> list[np.ndarray]:
        """Return the network's embedding of each box, L2-normalised; one run per frame."""
        if not boxes:
            return []
        if image_bgr.ndim != 3:
            raise ValueError('the re-id model needs a colour (BGR) image')
        output = self._session.run(None, {self._input: self.batch(image_bgr, boxes, scale)})[0]
        return [l2_normalised(row.ravel()) for row in np.asarray(output, np.float32)]
