"""
Edge answers as plain data: what the v1 `DetectResponse` says, without protobuf types.

Pure: reads the response's fields by name, so it takes a `liquidedge.v1.DetectResponse`
and needs neither gRPC nor ROS.
"""
from dataclasses import dataclass
from typing import Tuple


@dataclass(frozen=True)
class Detection:
    """One detected object; box centre and size in pixels of the camera image."""

    class_name: str
    class_id: int
    score: float
    center_x: float
    center_y: float
    width: float
    height: float
    track_id: str = ''  # the v1 API carries no track id; kept for backends that do


@dataclass(frozen=True)
class EdgeAnswer:
    """What one edge answered to one request."""

    request_id: str
    detections: Tuple[Detection, ...]
    image_width: int
    image_height: int
    edge_site: str
    edge_color: str
    edge_total_ms: float
    partial: bool


def detection_from_proto(detection) -> Detection:
    """Convert one `liquidedge.v1.Detection` (top-left box) to a centred pixel box."""
    box = detection.box_px
    return Detection(
        class_name=detection.class_name, class_id=int(detection.class_id),
        score=min(1.0, max(0.0, float(detection.score))),
        center_x=box.x + box.width / 2.0, center_y=box.y + box.height / 2.0,
        width=float(box.width), height=float(box.height))


def answer_from_response(response) -> EdgeAnswer:
    """Convert a `liquidedge.v1.DetectResponse` to an `EdgeAnswer`."""
    return EdgeAnswer(
        request_id=response.request_id,
        detections=tuple(detection_from_proto(d) for d in response.detections),
        image_width=int(response.image_width), image_height=int(response.image_height),
        edge_site=response.edge.site, edge_color=response.edge.color,
        edge_total_ms=float(response.timings.total_ms), partial=bool(response.partial))
