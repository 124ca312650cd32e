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

"""Detections and edge identity as ROS messages (vision_msgs, liquid_edge_interfaces)."""
from typing import Iterable, Optional, Sequence, Tuple

from liquid_edge_bridge.detections import CenteredDetection
from liquid_edge_bridge.edge_config import GREY
from liquid_edge_interfaces.msg import DescribedDetections
from std_msgs.msg import ColorRGBA, Header
from vision_msgs.msg import Detection2D, Detection2DArray, ObjectHypothesisWithPose


def detections_to_msg(header: Header,
                      detections: Iterable[CenteredDetection]) -> Detection2DArray:
    """Build the Detection2DArray of one image; `header` is the source image's header."""
    array = Detection2DArray(header=header)
    for detection in detections:
        item = Detection2D(header=header, id=detection.track_id)
        hypothesis = ObjectHypothesisWithPose()
        # vision_msgs 4 made class_id a string: the class name goes there (architecture.md).
        hypothesis.hypothesis.class_id = detection.class_name
        # float(): the generated C conversion asserts on ints (it aborts the process).
        hypothesis.hypothesis.score = float(detection.score)
        item.results.append(hypothesis)
        item.bbox.center.position.x = float(detection.center_x)
        item.bbox.center.position.y = float(detection.center_y)
        item.bbox.size_x = float(detection.width)
        item.bbox.size_y = float(detection.height)
        array.detections.append(item)
    return array


def detections_from_msg(array: Detection2DArray) -> Tuple[CenteredDetection, ...]:
    """
    Return the boxes of a Detection2DArray, as `detections_to_msg` wrote them.

    The numeric class id is not in the message (its class_id is the name): -1.
    """
    boxes = []
    for item in array.detections:
        best = item.results[0].hypothesis if item.results else None
        boxes.append(CenteredDetection(
            class_name=best.class_id if best else '', class_id=-1,
            score=best.score if best else 0.0,
            center_x=item.bbox.center.position.x, center_y=item.bbox.center.position.y,
            width=item.bbox.size_x, height=item.bbox.size_y, track_id=item.id))
    return tuple(boxes)


def described_detections_to_msg(header: Header, detections: Sequence[CenteredDetection],
                                descriptor: Tuple[str, str]) -> DescribedDetections:
    """
    Build the DescribedDetections of one image: the Detection2DArray plus one row each.

    Rows are the detections' descriptors, zeros for one without; `descriptor` is the kind's
    (name, version), ('', '') when no detection has one.
    """
    size = max((len(d.appearance) for d in detections), default=0)
    for detection in detections:
        if detection.appearance and len(detection.appearance) != size:
            raise ValueError(f'descriptors of one answer differ in length: {size} and '
                             f'{len(detection.appearance)}')
    rows = [list(d.appearance) if d.appearance else [0.0] * size for d in detections]
    return DescribedDetections(
        detections=detections_to_msg(header, detections),
        descriptor_name=descriptor[0] if size else '',
        descriptor_version=descriptor[1] if size else '',
        descriptor_size=size,
        descriptors=[value for row in rows for value in row])


def color_msg(rgb: Optional[Tuple[float, float, float]]) -> ColorRGBA:
    """Return an opaque ColorRGBA; None (no edge) gives grey."""
    red, green, blue = rgb if rgb is not None else GREY
    return ColorRGBA(r=red, g=green, b=blue, a=1.0)
