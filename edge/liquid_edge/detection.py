"""Detection types shared by every detector and service on the edge (no gRPC, no OpenCV)."""
from dataclasses import dataclass


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


@dataclass(frozen=True)
class ModelInfo:
    """What produced a detection: model name and version, runtime and device."""

    name: str
    version: str
    runtime: str
    device: str
