# Copyright 2026 LIQUID EDGE founders
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""
Edge answers as plain data: what the v1 `DetectResponse` says, without protobuf types.

Pure: reads the response's fields by name, so it takes a `liquidedge.v1.DetectResponse`
and needs neither gRPC nor ROS.
"""
from dataclasses import dataclass, replace
import enum
from typing import Optional, Tuple


@dataclass(frozen=True)
class CenteredDetection:
    """One detected object; box centre and size in pixels of the camera image."""

    class_name: str
    class_id: int
    score: float
    center_x: float
    center_y: float
    width: float
    height: float
    track_id: str = ''  # the v1 API carries no track id; kept for backends that do
    appearance: Tuple[float, ...] = ()  # L2-normalised descriptor; empty when none


@dataclass(frozen=True)
class EdgeAnswer:
    """What one edge answered to one request."""

    request_id: str
    detections: Tuple[CenteredDetection, ...]
    image_width: int
    image_height: int
    edge_site: str
    edge_color: str
    edge_total_ms: float
    partial: bool
    # The appearance descriptor's (name, version) the edge used; ('', '') when none.
    descriptor: Tuple[str, str] = ('', '')


class Outcome(enum.Enum):
    """How a Detect call ended."""

    OK = 'ok'
    DEADLINE = 'deadline'
    ERROR = 'error'


@dataclass(frozen=True)
class DetectResult:
    """One finished Detect call."""

    edge: str
    request_id: str
    outcome: Outcome
    answer: Optional[EdgeAnswer] = None
    error: str = ''
    response_bytes: int = 0  # the serialized answer's size, for the link estimate


def detection_from_proto(detection) -> CenteredDetection:
    """Convert one `liquidedge.v1.Detection` (top-left box) to a centred pixel box."""
    box = detection.box_px
    return CenteredDetection(
        class_name=detection.class_name, class_id=int(detection.class_id),
        score=min(1.0, max(0.0, float(detection.score))),
        center_x=box.x + box.width / 2.0, center_y=box.y + box.height / 2.0,
        width=float(box.width), height=float(box.height),
        appearance=tuple(detection.appearance))


def answer_from_response(response) -> EdgeAnswer:
    """
    Convert a `liquidedge.v1.DetectResponse` to an `EdgeAnswer`.

    The descriptor is the first backend's that names one; descriptors of a backend that
    names another kind are dropped, so one answer never mixes two kinds.
    """
    models = {s.engine: (s.appearance_model.name, s.appearance_model.version)
              for s in response.backends if s.appearance_model.name}
    descriptor = next(iter(models.values()), ('', ''))
    detections = tuple(
        detection_from_proto(d) if models.get(d.engine) == descriptor
        else replace(detection_from_proto(d), appearance=())
        for d in response.detections)
    return EdgeAnswer(
        request_id=response.request_id,
        detections=detections,
        image_width=int(response.image_width), image_height=int(response.image_height),
        edge_site=response.edge.site, edge_color=response.edge.color,
        edge_total_ms=float(response.timings.total_ms), partial=bool(response.partial),
        descriptor=descriptor)
