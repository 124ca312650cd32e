"""Frontal face detection with OpenCV's Haar cascade, parameters as in the original service."""
from dataclasses import dataclass
import hashlib
from pathlib import Path

import cv2
from liquid_edge.detection import Detection, FACE_CLASS_NAME, ModelInfo
import numpy as np

CASCADE_NAME = 'haarcascade_frontalface_default'
# The face service detects on the JPEG decoded at half size: decode and cascade cost about a
# third of full size (about 20 -> 7 ms on the benchmark frame) and the astronaut's face is
# found at the same place. The price: the cascade's 24 px window becomes 48 px of the full
# image, so smaller faces (beyond about 2 m from a 640x480, 62 degree camera, instead of 3 m
# with the 30 px minimum at full size) are missed.
SERVICE_INPUT_REDUCTION = 2


@dataclass(frozen=True)
class HaarParameters:
    """detectMultiScale parameters; the defaults are the original service's."""

    scale_factor: float = 1.3
    min_neighbors: int = 3
    min_size: int = 30

    def __post_init__(self):
        if self.scale_factor <= 1.0:
            raise ValueError(f'scale factor must be > 1, got {self.scale_factor}')
        if self.min_neighbors < 0:
            raise ValueError(f'min neighbours must be >= 0, got {self.min_neighbors}')
        if self.min_size < 1:
            raise ValueError(f'min size must be >= 1 pixel, got {self.min_size}')


def cascade_path(name: str = CASCADE_NAME) -> Path:
    """Return the path of an OpenCV-packaged Haar cascade (``cv2.data.haarcascades``)."""
    path = Path(cv2.data.haarcascades) / f'{name}.xml'
    if not path.is_file():
        raise FileNotFoundError(f'OpenCV has no Haar cascade {path}')
    return path


class FaceDetector:
    """Haar cascade face detector. Not thread-safe: one detect() at a time per instance.

    ``input_reduction`` says the images it is given are the frames reduced to 1/that size:
    the minimum face size (in frame pixels) shrinks with them; boxes stay in the pixels of
    the image given (see detection_in_full_image to map them back).
    """

    def __init__(self, parameters: HaarParameters = HaarParameters(),
                 cascade: Path | None = None, *, input_reduction: int = 1):
        if input_reduction < 1:
            raise ValueError(f'input reduction must be >= 1, got {input_reduction}')
        path = cascade or cascade_path()
        self._classifier = cv2.CascadeClassifier(str(path))
        if self._classifier.empty():
            raise ValueError(f'cannot load Haar cascade {path}')
        self._parameters = parameters
        self._min_size = max(1, round(parameters.min_size / input_reduction))
        self.input_reduction = input_reduction
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self.model_info = ModelInfo(name=path.stem, version=digest, runtime='opencv-haar',
                                    device='cpu')

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Return the faces in a grayscale or BGR image, score 1 (Haar gives no confidence)."""
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        size = self._min_size
        boxes = self._classifier.detectMultiScale(
            gray, scaleFactor=self._parameters.scale_factor,
            minNeighbors=self._parameters.min_neighbors, minSize=(size, size))
        return [Detection(class_id=0, class_name=FACE_CLASS_NAME, score=1.0, x=float(x),
                          y=float(y), width=float(w), height=float(h))
                for x, y, w, h in boxes]
