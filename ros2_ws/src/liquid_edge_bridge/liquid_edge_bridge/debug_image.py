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
The annotated image for rqt: boxes, labels, the followed target, state, edge, latency, fps.

Pure (OpenCV and numpy, no ROS): decodes the camera JPEG, draws, encodes a JPEG. Only the
`debug_image` node calls it; the bridge's frame path never decodes a frame.
"""
from dataclasses import dataclass
from typing import Optional, Sequence, Tuple

import cv2
from liquid_edge_bridge.detections import CenteredDetection
from liquid_edge_bridge.edge_config import GREY
import numpy as np

_BOX = (255, 200, 0)      # BGR: cyan-blue boxes
_TARGET = (0, 0, 255)     # BGR: the followed target in red
_TEXT = (255, 255, 255)


@dataclass(frozen=True)
class Overlay:
    """Text and highlight drawn over the image."""

    state: str = ''
    edge_name: str = ''
    edge_rgb: Optional[Tuple[float, float, float]] = None
    latency_s: Optional[float] = None
    fps: float = 0.0
    target_class: str = ''
    target_x_px: Optional[float] = None  # where the follower sees its target, pixels


def pick_target(detections: Sequence[CenteredDetection], target_class: str,
                target_x_px: Optional[float]) -> Optional[int]:
    """
    Index of the followed target: the `target_class` detection nearest `target_x_px`.

    The follow state reports the target's horizontal offset, not a box, so the box nearest
    that offset is highlighted; without an offset, the largest box of the class.
    """
    candidates = [i for i, d in enumerate(detections) if d.class_name == target_class]
    if not candidates:
        return None
    if target_x_px is None:
        return max(candidates, key=lambda i: detections[i].width * detections[i].height)
    return min(candidates, key=lambda i: abs(detections[i].center_x - target_x_px))


def render_debug_image(jpeg: bytes, detections: Sequence[CenteredDetection],
                       overlay: Overlay, quality: int = 80) -> bytes:
    """Draw detections and the overlay on the camera JPEG; returns the annotated JPEG."""
    image = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'camera frame of {len(jpeg)} bytes is not a decodable image')
    target = pick_target(detections, overlay.target_class, overlay.target_x_px)
    for i, detection in enumerate(detections):
        color = _TARGET if i == target else _BOX
        top_left = (int(detection.center_x - detection.width / 2),
                    int(detection.center_y - detection.height / 2))
        bottom_right = (int(detection.center_x + detection.width / 2),
                        int(detection.center_y + detection.height / 2))
        cv2.rectangle(image, top_left, bottom_right, color, 3 if i == target else 2)
        label = f'{detection.class_name} {detection.score:.2f}'
        if detection.track_id:
            label += f' #{detection.track_id}'
        _label(image, label, (top_left[0], max(14, top_left[1] - 4)), color)
    latency = '--' if overlay.latency_s is None else f'{overlay.latency_s * 1000:.0f} ms'
    status = (f'{overlay.state or "-"} | edge {overlay.edge_name or "none"} | '
              f'{latency} | {overlay.fps:.1f} fps')
    edge_bgr = _bgr(overlay.edge_rgb)
    cv2.rectangle(image, (0, 0), (image.shape[1], 24), (0, 0, 0), cv2.FILLED)
    cv2.circle(image, (12, 12), 7, edge_bgr, cv2.FILLED)
    cv2.putText(image, status, (26, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.5, _TEXT, 1,
                cv2.LINE_AA)
    ok, encoded = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError('JPEG encoding of the debug image failed')
    return encoded.tobytes()


def _label(image: np.ndarray, text: str, origin: Tuple[int, int],
           color: Tuple[int, int, int]) -> None:
    (width, height), baseline = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, 0.5, 1)
    x, y = origin
    cv2.rectangle(image, (x, y - height - baseline), (x + width, y + baseline), color,
                  cv2.FILLED)
    cv2.putText(image, text, (x, y), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1,
                cv2.LINE_AA)


def _bgr(rgb: Optional[Tuple[float, float, float]]) -> Tuple[int, int, int]:
    red, green, blue = rgb if rgb is not None else GREY
    return int(blue * 255), int(green * 255), int(red * 255)
