"""Translation between detections, the v1 messages and the original protocol's messages.

Pure (numpy and protobuf messages only). The original ``DetectedObject`` carries a box in
integer pixels and r, g, b = the mean colour at the box centre, which the original robot's
tracker uses to tell same-class objects apart.
"""
from collections.abc import Iterable

from liquid_edge.detection import Detection, FACE_CLASS_NAME, ModelInfo
from liquid_edge.identity import EdgeIdentity
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import legacy_pb2
import numpy as np

_LEGACY_ENGINE = {v1.ENGINE_FACE: legacy_pb2.DetectedObject.FACE,
                  v1.ENGINE_YOLO: legacy_pb2.DetectedObject.YOLO}

# The class id of a detection whose model class list is not known here (an original backend).
UNKNOWN_CLASS_ID = -1
# The colour is averaged over the central part of the box, this fraction of its width/height.
CENTRE_PATCH_FRACTION = 0.25


def detection_to_v1(detection: Detection, engine: int,
                    image_width: int, image_height: int) -> v1.Detection:
    """Return the v1 message of a detection, box in pixels and normalised by the image size."""
    return v1.Detection(
        engine=engine, class_id=detection.class_id, class_name=detection.class_name,
        score=detection.score,
        box_px=v1.Box(x=detection.x, y=detection.y,
                      width=detection.width, height=detection.height),
        box_norm=v1.Box(x=detection.x / image_width, y=detection.y / image_height,
                        width=detection.width / image_width,
                        height=detection.height / image_height))


def detection_from_v1(message: v1.Detection) -> Detection:
    """Return the detection a v1 message carries (box in pixels)."""
    box = message.box_px
    return Detection(class_id=message.class_id, class_name=message.class_name,
                     score=message.score, x=box.x, y=box.y, width=box.width, height=box.height)


def model_info_to_v1(info: ModelInfo) -> v1.ModelInfo:
    """Return the v1 message of a model description."""
    return v1.ModelInfo(name=info.name, version=info.version, runtime=info.runtime,
                        device=info.device)


def identity_to_v1(identity: EdgeIdentity) -> v1.EdgeIdentity:
    """Return the v1 message of this edge's identity."""
    return v1.EdgeIdentity(site=identity.site, host=identity.host, color=identity.color)


def mean_colour_at_centre(image_bgr: np.ndarray, detection: Detection,
                          scale: float = 1.0) -> tuple[int, int, int]:
    """Return (r, g, b), the mean colour of the central patch of the detection's box.

    ``image_bgr`` may be a reduced decode of the image: ``scale`` = its size / the original
    size. The patch is CENTRE_PATCH_FRACTION of the box, at least one pixel, clipped to the
    image.
    """
    height, width = image_bgr.shape[:2]
    centre_x = (detection.x + detection.width / 2) * scale
    centre_y = (detection.y + detection.height / 2) * scale
    half_w = max(detection.width * scale * CENTRE_PATCH_FRACTION / 2, 0.5)
    half_h = max(detection.height * scale * CENTRE_PATCH_FRACTION / 2, 0.5)
    x0 = int(np.clip(np.floor(centre_x - half_w), 0, width - 1))
    y0 = int(np.clip(np.floor(centre_y - half_h), 0, height - 1))
    x1 = int(np.clip(np.ceil(centre_x + half_w), x0 + 1, width))
    y1 = int(np.clip(np.ceil(centre_y + half_h), y0 + 1, height))
    blue, green, red = image_bgr[y0:y1, x0:x1].reshape(-1, 3).mean(axis=0)
    return int(round(red)), int(round(green)), int(round(blue))


def _legacy_fields(detection: Detection, image_bgr: np.ndarray, scale: float) -> dict:
    """Return the fields every original-protocol detection carries: score, box, r, g, b."""
    red, green, blue = mean_colour_at_centre(image_bgr, detection, scale)
    return {'confidence': detection.score, 'x': round(detection.x), 'y': round(detection.y),
            'w': round(detection.width), 'h': round(detection.height),
            'r': red, 'g': green, 'b': blue}


def legacy_objects(detections: Iterable[tuple[int, Detection]], image_bgr: np.ndarray,
                   scale: float = 1.0) -> list[legacy_pb2.DetectedObject]:
    """Return original-protocol objects of (engine, detection) pairs, in the given order.

    Boxes are rounded to whole pixels; colours are sampled from ``image_bgr`` (see
    mean_colour_at_centre for ``scale``).
    """
    return [legacy_pb2.DetectedObject(name=detection.class_name, eng=_LEGACY_ENGINE[engine],
                                      **_legacy_fields(detection, image_bgr, scale))
            for engine, detection in detections]


def legacy_faces(detections: Iterable[Detection], image_bgr: np.ndarray,
                 scale: float = 1.0) -> list[legacy_pb2.DetectedFace]:
    """Return the original face backend's ``DetectedFace`` messages, in the given order."""
    return [legacy_pb2.DetectedFace(**_legacy_fields(detection, image_bgr, scale))
            for detection in detections]


def legacy_yolos(detections: Iterable[Detection], image_bgr: np.ndarray,
                 scale: float = 1.0) -> list[legacy_pb2.DetectedYolo]:
    """Return the original YOLO backend's ``DetectedYolo`` messages, in the given order."""
    return [legacy_pb2.DetectedYolo(name=detection.class_name,
                                    **_legacy_fields(detection, image_bgr, scale))
            for detection in detections]


def detection_from_legacy_backend(message: legacy_pb2.DetectedFace | legacy_pb2.DetectedYolo,
                                  class_id: int) -> Detection:
    """Return the detection an original backend's ``DetectedFace``/``DetectedYolo`` carries.

    A face has no name: its class is ``face``. The original messages carry no class id, so
    the caller gives it (UNKNOWN_CLASS_ID when it cannot know it).
    """
    return Detection(class_id=class_id, class_name=getattr(message, 'name', FACE_CLASS_NAME),
                     score=message.confidence, x=float(message.x), y=float(message.y),
                     width=float(message.w), height=float(message.h))


def legacy_response(number: int, timestamp: int, objects: list[legacy_pb2.DetectedObject],
                    identity: EdgeIdentity) -> legacy_pb2.ObjectDetectionResponse:
    """Return the original response: frame number and timestamp echoed, the edge's identity."""
    return legacy_pb2.ObjectDetectionResponse(number=number, timestamp=timestamp,
                                              objects=objects, ipv4=identity.ipv4_fixed32,
                                              name=identity.site)
