"""Frontal face detection with OpenCV's Haar cascade, parameters as in the original service."""
from dataclasses import dataclass
import hashlib
from pathlib import Path

import cv2
import numpy as np

from liquid_edge.detection import Detection, ModelInfo

CASCADE_NAME = 'haarcascade_frontalface_default'
FACE_CLASS_NAME = 'face'


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
    """Haar cascade face detector. Not thread-safe: one detect() at a time per instance."""

    def __init__(self, parameters: HaarParameters = HaarParameters(),
                 cascade: Path | None = None):
        path = cascade or cascade_path()
        self._classifier = cv2.CascadeClassifier(str(path))
        if self._classifier.empty():
            raise ValueError(f'cannot load Haar cascade {path}')
        self._parameters = parameters
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        self.model_info = ModelInfo(name=path.stem, version=digest, runtime='opencv-haar',
                                    device='cpu')

    def detect(self, image: np.ndarray) -> list[Detection]:
        """Return the faces in a grayscale or BGR image, score 1 (Haar gives no confidence)."""
        gray = image if image.ndim == 2 else cv2.cvtColor(image, cv2.COLOR_BGR2GRAY)
        size = self._parameters.min_size
        boxes = self._classifier.detectMultiScale(
            gray, scaleFactor=self._parameters.scale_factor,
            minNeighbors=self._parameters.min_neighbors, minSize=(size, size))
        return [Detection(class_id=0, class_name=FACE_CLASS_NAME, score=1.0, x=float(x),
                          y=float(y), width=float(w), height=float(h))
                for x, y, w, h in boxes]
