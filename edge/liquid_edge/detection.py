"""Detection types shared by every detector and service on the edge (no gRPC, no OpenCV)."""
from dataclasses import dataclass, replace

# The class of every face detection (the face detector has this one class, id 0).
FACE_CLASS_NAME = 'face'


@dataclass(frozen=True)
class Detection:
    """One detected object, box in pixels of the image it was found in (top-left origin)."""

    class_id: int
    class_name: str
    score: float
    x: float
    y: float
    width: float
    height: float


def detection_in_full_image(detection: Detection, reduction: int, image_width: int,
                            image_height: int) -> Detection:
    """Map a detection found in the image reduced to 1/``reduction`` back to the full image.

    The box is scaled by ``reduction`` and clipped to the ``image_width`` x ``image_height``
    image: a reduced side is rounded up, so a box at its edge may reach past the full image.
    """
    x = min(detection.x * reduction, image_width)
    y = min(detection.y * reduction, image_height)
    right = min((detection.x + detection.width) * reduction, image_width)
    bottom = min((detection.y + detection.height) * reduction, image_height)
    return replace(detection, x=x, y=y, width=right - x, height=bottom - y)


@dataclass(frozen=True)
class ModelInfo:
    """What produced a detection: model name and version, runtime and device."""

    name: str
    version: str
    runtime: str
    device: str
