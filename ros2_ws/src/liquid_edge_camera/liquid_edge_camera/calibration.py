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
Camera intrinsics: the camera_calibration YAML format, or a pinhole model from the FOV.

Pure functions, no ROS import; the node copies a :class:`CameraCalibration` into a
``sensor_msgs/CameraInfo``.
"""

import dataclasses
import math
from typing import List

import yaml


class CalibrationError(ValueError):
    """The calibration file is unreadable or not in the camera_calibration format."""


@dataclasses.dataclass(frozen=True)
class CameraCalibration:
    """The fields of ``sensor_msgs/CameraInfo`` a calibration defines (row-major lists)."""

    width: int
    height: int
    distortion_model: str
    d: List[float]
    k: List[float]
    r: List[float]
    p: List[float]
    camera_name: str = ''


_IDENTITY_3X3 = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]


def _matrix(document: dict, key: str, rows: int, cols: int) -> List[float]:
    try:
        entry = document[key]
        data = [float(value) for value in entry['data']]
    except (KeyError, TypeError, ValueError) as error:
        raise CalibrationError(f'calibration: {key}.data missing or not numbers') from error
    if int(entry.get('rows', rows)) != rows or int(entry.get('cols', cols)) != cols \
            or len(data) != rows * cols:
        raise CalibrationError(f'calibration: {key} must be {rows}x{cols}, got {len(data)} values')
    return data


def parse_calibration_yaml(text: str) -> CameraCalibration:
    """
    Parse a camera_calibration / camera_info_manager YAML document.

    Raises CalibrationError naming the missing or malformed field.
    """
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise CalibrationError(f'calibration: not valid YAML: {error}') from error
    if not isinstance(document, dict):
        raise CalibrationError('calibration: expected a YAML mapping at the top level')
    try:
        width = int(document['image_width'])
        height = int(document['image_height'])
    except (KeyError, TypeError, ValueError) as error:
        raise CalibrationError('calibration: image_width and image_height are required') \
            from error
    distortion = document.get('distortion_coefficients') or {'data': []}
    try:
        d = [float(value) for value in distortion['data']]
    except (KeyError, TypeError, ValueError) as error:
        raise CalibrationError('calibration: distortion_coefficients.data must be numbers') \
            from error
    return CameraCalibration(
        width=width,
        height=height,
        distortion_model=str(document.get('distortion_model', 'plumb_bob')),
        d=d,
        k=_matrix(document, 'camera_matrix', 3, 3),
        r=_matrix(document, 'rectification_matrix', 3, 3)
        if 'rectification_matrix' in document else list(_IDENTITY_3X3),
        p=_matrix(document, 'projection_matrix', 3, 4),
        camera_name=str(document.get('camera_name', '')),
    )


def load_calibration_file(location: str) -> CameraCalibration:
    """Read a calibration from a path or a ``file://`` URL (camera_info_url style)."""
    path = location[len('file://'):] if location.startswith('file://') else location
    try:
        with open(path, encoding='utf-8') as stream:
            text = stream.read()
    except OSError as error:
        raise CalibrationError(f'cannot read calibration file {path!r}: {error}') from error
    return parse_calibration_yaml(text)


def calibration_from_fov(width: int, height: int, horizontal_fov: float) -> CameraCalibration:
    """
    Ideal pinhole intrinsics for an image size and horizontal field of view (radians).

    Square pixels, principal point at the image centre, no distortion: a fair default until
    the camera is calibrated (Raspicam v2: 62.2 degrees, 1.085 rad).
    """
    if not 0.0 < horizontal_fov < math.pi:
        raise ValueError(f'horizontal_fov must be in (0, pi) rad, got {horizontal_fov}')
    if width <= 0 or height <= 0:
        raise ValueError(f'image size must be positive, got {width}x{height}')
    focal = (width / 2.0) / math.tan(horizontal_fov / 2.0)
    cx = width / 2.0
    cy = height / 2.0
    return CameraCalibration(
        width=width,
        height=height,
        distortion_model='plumb_bob',
        d=[0.0] * 5,
        k=[focal, 0.0, cx, 0.0, focal, cy, 0.0, 0.0, 1.0],
        r=list(_IDENTITY_3X3),
        p=[focal, 0.0, cx, 0.0, 0.0, focal, cy, 0.0, 0.0, 0.0, 1.0, 0.0],
    )


def scale_calibration(calibration: CameraCalibration, width: int,
                      height: int) -> CameraCalibration:
    """
    Return the calibration of the same camera delivering width x height instead.

    Focal lengths and principal points scale with the image along each axis (a resize or a
    binned sensor mode of the same field of view); distortion and rectification do not.
    """
    if width <= 0 or height <= 0:
        raise ValueError(f'image size must be positive, got {width}x{height}')
    sx, sy = width / calibration.width, height / calibration.height
    k, p = list(calibration.k), list(calibration.p)
    k[0], k[2], k[4], k[5] = k[0] * sx, k[2] * sx, k[4] * sy, k[5] * sy
    p[0], p[2], p[3] = p[0] * sx, p[2] * sx, p[3] * sx
    p[5], p[6], p[7] = p[5] * sy, p[6] * sy, p[7] * sy
    return dataclasses.replace(calibration, width=width, height=height, k=k, p=p)
