"""Photos, geometry and server settings shared by the edge tests (no fixtures here)."""
from dataclasses import dataclass

import cv2
from liquid_edge.identity import local_identity
from liquid_edge.server import ServerSettings
from liquid_edge.yolo import default_model_files, load_detector
import numpy as np
import skimage.data

SITE = 'edge-test'
COLOR = '#12ab34'
MAX_PIXELS = 4096 * 4096
# Where the resized astronaut is pasted on the grey canvas: x, y, width, height.
PASTED_BOX = (220, 80, 200, 200)


@dataclass(frozen=True)
class Photo:
    """A test photo as a BGR array and as the JPEG a client would send."""

    bgr: np.ndarray
    jpeg: bytes


def encode(bgr: np.ndarray, quality: int = 95) -> bytes:
    """Return ``bgr`` as JPEG bytes."""
    ok, data = cv2.imencode('.jpg', bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return data.tobytes()


def person_canvas(*corners: tuple[int, int]) -> np.ndarray:
    """Return a 640x480 grey canvas with the astronaut, resized to 200 px, pasted.

    Pasted at each (left, top) of ``corners``; once at PASTED_BOX when none is given.
    """
    astronaut = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    canvas = np.full((480, 640, 3), 128, dtype=np.uint8)
    size = PASTED_BOX[2]
    small = cv2.resize(astronaut, (size, size), interpolation=cv2.INTER_AREA)
    for left, top in corners or [PASTED_BOX[:2]]:
        canvas[top:top + size, left:left + size] = small
    return canvas


def iou(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> float:
    """Intersection over union of two (x, y, width, height) boxes."""
    ix = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = ix * iy
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def settings(**overrides) -> ServerSettings:
    """Loopback server settings, any free port, no metrics endpoint unless overridden."""
    return ServerSettings(**{'host': '127.0.0.1', 'port': 0, 'drain_seconds': 0.0,
                             **overrides})


def identity():
    """Return the identity every test server reports."""
    return local_identity(SITE, COLOR)


def load_tiny_yolo():
    """Load the packaged YOLOv3-tiny on OpenCV DNN."""
    files = default_model_files()
    return load_detector(model=files.cfg, weights=files.weights, names=files.names,
                         backend='opencv')
