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

"""JPEG encoding of camera frames (the robot encodes; the bridge only forwards). No ROS."""

import cv2
import numpy as np


def fit_to_size(image: np.ndarray, width: int, height: int) -> np.ndarray:
    """
    Return ``image`` resized to width x height, or itself when it already has that size.

    ValueError when ``image`` is not a BGR uint8 array of shape (H, W, 3).
    """
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8 or image.ndim != 3 \
            or image.shape[2] != 3 or image.size == 0:
        shape = getattr(image, 'shape', None)
        dtype = getattr(image, 'dtype', type(image).__name__)
        raise ValueError(f'a frame must be a BGR uint8 array (H, W, 3), got {dtype} {shape}')
    if image.shape[1] == width and image.shape[0] == height:
        return image
    return cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)


def encode_jpeg(image: np.ndarray, quality: int) -> bytes:
    """Encode a BGR image as JPEG at ``quality`` (1..100); ValueError when OpenCV cannot."""
    if not 1 <= quality <= 100:
        raise ValueError(f'jpeg quality must be in 1..100, got {quality}')
    ok, buffer = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, int(quality)])
    if not ok:
        raise ValueError(f'OpenCV cannot encode an image of shape {image.shape} as JPEG')
    return buffer.tobytes()


def encode_frame(image: np.ndarray, quality: int, width: int, height: int) -> bytes:
    """Encode a captured frame at ``width`` x ``height`` and ``quality``, resizing if needed."""
    return encode_jpeg(fit_to_size(image, width, height), quality)
