"""
Unit tests of the pure YOLO decoding: geometry, output layouts, class-aware NMS.

Every expected box is worked out by hand in the comments beside it.
"""
from liquid_edge.yolo.decoding import decode_darknet, decode_yolov5, decode_yolov8
from liquid_edge.yolo.decoding import detect_layout, non_max_suppression
from liquid_edge.yolo.decoding import output_class_count, OutputLayout
from liquid_edge.yolo.geometry import boxes_to_image, letterbox_geometry, stretch_geometry
import numpy as np
import pytest


def _rows(*rows):
    return np.array(rows, dtype=np.float32)


def test_stretch_geometry_maps_input_boxes_back_per_axis():
    geometry = stretch_geometry(640, 480, 416, 416)
    # x: 104 * 640 / 416 = 160, width 208 * 640 / 416 = 320; y: 52 * 480 / 416 = 60, h 120.
    boxes = boxes_to_image(_rows([104, 52, 208, 104]), geometry, 640, 480)
    np.testing.assert_allclose(boxes, [[160, 60, 320, 120]], rtol=1e-6)


def test_letterbox_geometry_keeps_aspect_and_centres_vertically():
    geometry = letterbox_geometry(640, 480, 416, 416)
    # ratio min(416/640, 416/480) = 0.65: 640x480 -> 416x312, (416 - 312) / 2 = 52 above.
    assert (geometry.resized_width, geometry.resized_height) == (416, 312)
    assert (geometry.pad_left, geometry.pad_top) == (0, 52)
    # input (13, 52 + 26, 130, 65) -> image (13 / .65, 26 / .65, 130 / .65, 65 / .65).
    boxes = boxes_to_image(_rows([13, 78, 130, 65]), geometry, 640, 480)
    np.testing.assert_allclose(boxes, [[20, 40, 200, 100]], rtol=1e-6)


def test_boxes_are_clipped_to_the_image():
    geometry = stretch_geometry(416, 416, 416, 416)
    boxes = boxes_to_image(_rows([-10, 400, 40, 30]), geometry, 416, 416)
    # x from -10 to 30 -> 0 to 30; y from 400 to 430 -> 400 to 416.
    np.testing.assert_allclose(boxes, [[0, 400, 30, 16]])


def test_geometry_rejects_empty_sizes():
    with pytest.raises(ValueError, match='positive'):
        letterbox_geometry(0, 480, 416, 416)


def test_darknet_decode_reads_every_head():
    # Two heads, 3 classes. The only object sits in the second (fine) head, so reading just
    # the first head, as the original service did, finds nothing.
    coarse_head = np.zeros((3, 8), dtype=np.float32)
    fine_head = np.zeros((4, 8), dtype=np.float32)
    fine_head[2] = [0.5, 0.25, 0.25, 0.5, 0.9, 0.1, 0.8, 0.05]
    only_first = decode_darknet([coarse_head], 416, 320, 0.5)
    candidates = decode_darknet([coarse_head, fine_head], 416, 320, 0.5)
    assert len(only_first) == 0
    # Input 416x320: centre (208, 80), size (104, 160) -> corner (156, 0).
    np.testing.assert_allclose(candidates.boxes, [[156, 0, 104, 160]], rtol=1e-6)
    np.testing.assert_allclose(candidates.scores, [0.8])
    assert candidates.class_ids.tolist() == [1]


def test_darknet_decode_keeps_objects_of_both_heads():
    coarse_head = _rows([0.5, 0.5, 0.5, 0.5, 0.9, 0.7, 0.0, 0.0])
    fine_head = _rows([0.25, 0.25, 0.125, 0.125, 0.9, 0.0, 0.0, 0.6])
    candidates = decode_darknet([coarse_head, fine_head], 416, 416, 0.5)
    # (208 - 104, 208 - 104, 208, 208) and (104 - 26, 104 - 26, 52, 52).
    np.testing.assert_allclose(candidates.boxes, [[104, 104, 208, 208], [78, 78, 52, 52]])
    assert candidates.class_ids.tolist() == [0, 2]


def test_yolov5_decode_multiplies_objectness_and_class_score():
    output = _rows(
        # centre (100, 50), size (40, 20): corner (80, 40); score 0.8 * 0.9 = 0.72, class 2.
        [100, 50, 40, 20, 0.8, 0.1, 0.2, 0.9],
        # both above 0.5 alone, but 0.6 * 0.7 = 0.42 is not.
        [200, 200, 10, 10, 0.6, 0.7, 0.0, 0.0],
        # objectness under the threshold.
        [300, 300, 10, 10, 0.4, 1.0, 0.0, 0.0],
    )[None]
    candidates = decode_yolov5([output], 416, 416, 0.5)
    np.testing.assert_allclose(candidates.boxes, [[80, 40, 40, 20]])
    np.testing.assert_allclose(candidates.scores, [0.72], rtol=1e-6)
    assert candidates.class_ids.tolist() == [2]


def test_yolov8_decode_reads_columns_without_objectness():
    # Columns are boxes: (cx, cy, w, h, 3 class scores) down each column.
    output = _rows([100, 300], [50, 300], [40, 10], [20, 10],
                   [0.1, 0.3], [0.9, 0.2], [0.2, 0.1])[None]
    candidates = decode_yolov8([output], 416, 416, 0.5)
    # Column 0: corner (100 - 20, 50 - 10), class 1 at 0.9; column 1 scores at most 0.3.
    np.testing.assert_allclose(candidates.boxes, [[80, 40, 40, 20]])
    np.testing.assert_allclose(candidates.scores, [0.9])
    assert candidates.class_ids.tolist() == [1]


def test_decoders_return_nothing_when_nothing_passes():
    assert len(decode_yolov5([np.zeros((1, 5, 85), np.float32)], 416, 416, 0.5)) == 0
    assert len(decode_yolov8([np.zeros((1, 84, 5), np.float32)], 416, 416, 0.5)) == 0
    assert len(decode_darknet([np.zeros((0, 85), np.float32)], 416, 416, 0.5)) == 0


@pytest.mark.parametrize('shape, layout', [
    ((1, 2535, 85), OutputLayout.YOLOV5),
    ((1, 25200, 85), OutputLayout.YOLOV5),
    ((1, 84, 8400), OutputLayout.YOLOV8),
])
def test_layout_is_told_from_the_output_shape(shape, layout):
    assert detect_layout(shape, 80) is layout


@pytest.mark.parametrize('shape', [(1, 84, 85), (1, 100, 100), (2535, 85), (2, 84, 8400)])
def test_unknown_or_ambiguous_output_shapes_are_refused(shape):
    with pytest.raises(ValueError, match='layout|output'):
        detect_layout(shape, 80)


def test_output_class_count_per_layout():
    assert output_class_count([np.zeros((3, 85)), np.zeros((12, 85))],
                              OutputLayout.DARKNET) == 80
    assert output_class_count([np.zeros((1, 7, 85))], OutputLayout.YOLOV5) == 80
    assert output_class_count([np.zeros((1, 84, 7))], OutputLayout.YOLOV8) == 80
    with pytest.raises(ValueError, match='same C'):
        output_class_count([np.zeros((3, 85)), np.zeros((3, 10))], OutputLayout.DARKNET)


def test_nms_suppresses_overlaps_of_the_same_class_only():
    boxes = _rows([0, 0, 10, 10], [1, 0, 10, 10], [1, 0, 10, 10], [20, 20, 10, 10])
    scores = np.array([0.9, 0.8, 0.85, 0.7], dtype=np.float32)
    class_ids = np.array([0, 0, 1, 0])
    # Box 1 overlaps box 0 (same class) by 9x10 / (100 + 100 - 90) = 0.82 > 0.45: dropped.
    # Box 2 is the same box as 1 but of class 1: kept. Box 3 overlaps nothing: kept.
    assert non_max_suppression(boxes, scores, class_ids, 0.45).tolist() == [0, 2, 3]
    # Above the overlap, nothing is suppressed.
    assert non_max_suppression(boxes, scores, class_ids, 0.9).tolist() == [0, 2, 1, 3]


def test_nms_of_nothing_is_nothing():
    kept = non_max_suppression(np.zeros((0, 4)), np.zeros(0), np.zeros(0, int), 0.45)
    assert kept.size == 0
