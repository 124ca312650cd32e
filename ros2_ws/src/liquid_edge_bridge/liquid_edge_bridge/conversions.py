"""Detections and edge identity as ROS messages (vision_msgs, liquid_edge_interfaces)."""
from typing import Iterable, Optional, Tuple

from liquid_edge_bridge.detections import Detection
from liquid_edge_bridge.edge_config import GREY
from std_msgs.msg import ColorRGBA, Header
from vision_msgs.msg import Detection2D, Detection2DArray, ObjectHypothesisWithPose


def detections_to_msg(header: Header, detections: Iterable[Detection]) -> Detection2DArray:
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


def color_msg(rgb: Optional[Tuple[float, float, float]]) -> ColorRGBA:
    """Return an opaque ColorRGBA; None (no edge) gives grey."""
    red, green, blue = rgb if rgb is not None else GREY
    return ColorRGBA(r=red, g=green, b=blue, a=1.0)
