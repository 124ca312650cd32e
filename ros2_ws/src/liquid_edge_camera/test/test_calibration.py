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

import math

from liquid_edge_camera.calibration import (
    calibration_from_fov, CalibrationError, load_calibration_file, parse_calibration_yaml,
    scale_calibration)
import pytest

CALIBRATION_YAML = """
image_width: 640
image_height: 480
camera_name: raspicam
camera_matrix:
  rows: 3
  cols: 3
  data: [500.1, 0.0, 319.5, 0.0, 501.2, 239.5, 0.0, 0.0, 1.0]
distortion_model: plumb_bob
distortion_coefficients:
  rows: 1
  cols: 5
  data: [0.1, -0.2, 0.001, 0.002, 0.0]
rectification_matrix:
  rows: 3
  cols: 3
  data: [1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0]
projection_matrix:
  rows: 3
  cols: 4
  data: [505.0, 0.0, 320.0, 0.0, 0.0, 506.0, 240.0, 0.0, 0.0, 0.0, 1.0, 0.0]
"""


def test_parse_calibration_yaml_reads_every_field():
    calibration = parse_calibration_yaml(CALIBRATION_YAML)
    assert (calibration.width, calibration.height) == (640, 480)
    assert calibration.camera_name == 'raspicam'
    assert calibration.distortion_model == 'plumb_bob'
    assert calibration.k[0] == pytest.approx(500.1)
    assert calibration.k[4] == pytest.approx(501.2)
    assert calibration.d == pytest.approx([0.1, -0.2, 0.001, 0.002, 0.0])
    assert len(calibration.r) == 9 and len(calibration.p) == 12
    assert calibration.p[0] == pytest.approx(505.0)


def test_missing_projection_matrix_is_named():
    text = CALIBRATION_YAML.split('projection_matrix')[0]
    with pytest.raises(CalibrationError, match='projection_matrix'):
        parse_calibration_yaml(text)


def test_wrong_matrix_size_is_refused():
    text = CALIBRATION_YAML.replace('data: [500.1, 0.0, 319.5, 0.0,', 'data: [500.1,')
    with pytest.raises(CalibrationError, match='camera_matrix must be 3x3'):
        parse_calibration_yaml(text)


def test_not_a_mapping_is_refused():
    with pytest.raises(CalibrationError, match='mapping'):
        parse_calibration_yaml('- 1\n- 2\n')


def test_load_calibration_file_accepts_file_url(tmp_path):
    path = tmp_path / 'camera.yaml'
    path.write_text(CALIBRATION_YAML)
    assert load_calibration_file(f'file://{path}').width == 640
    with pytest.raises(CalibrationError, match='cannot read'):
        load_calibration_file(str(tmp_path / 'missing.yaml'))


def test_fov_gives_pinhole_intrinsics():
    calibration = calibration_from_fov(640, 480, math.radians(90.0))
    # A 90 degree view puts the image edge at one focal length from the centre.
    assert calibration.k[0] == pytest.approx(320.0)
    assert calibration.k[4] == pytest.approx(320.0)
    assert (calibration.k[2], calibration.k[5]) == (320.0, 240.0)
    assert calibration.p[0] == calibration.k[0] and calibration.p[3] == 0.0
    assert calibration.d == [0.0] * 5


def test_raspicam_fov_focal_length():
    calibration = calibration_from_fov(640, 480, 1.085)
    assert calibration.k[0] == pytest.approx(320.0 / math.tan(1.085 / 2.0))


def test_fov_out_of_range_is_refused():
    with pytest.raises(ValueError, match='horizontal_fov'):
        calibration_from_fov(640, 480, math.pi)


def test_a_calibration_scales_with_the_image_size():
    calibration = calibration_from_fov(640, 480, 1.085)
    half = scale_calibration(calibration, 320, 240)
    assert (half.width, half.height) == (320, 240)
    assert half.k[0] == pytest.approx(calibration.k[0] / 2)
    assert (half.k[2], half.k[5]) == pytest.approx((160.0, 120.0))
    assert half.p[0] == pytest.approx(calibration.p[0] / 2)
    assert half.d == calibration.d
    with pytest.raises(ValueError, match='image size must be positive'):
        scale_calibration(calibration, 0, 240)
