"""
Decoding of YOLO output tensors into scored boxes, and class-aware non-maximum suppression.

Pure numpy, no OpenCV DNN or ONNX Runtime, so both runtimes share the exact same
post-processing and it is unit-tested on synthetic tensors. Three output layouts:

- ``darknet``: what OpenCV DNN's Darknet importer returns, one [N, 5 + C] array per YOLO
  head (every head must be decoded: the coarse head misses small objects). Columns: centre x,
  centre y, width, height as fractions of the network input, objectness, then per-class
  scores already multiplied by the objectness (OpenCV zeroes those under its region-layer
  threshold, 0.2, so lower confidence thresholds act as 0.2 on this path).
- ``yolov5``: one [1, N, 5 + C] tensor: centre x, centre y, width, height in input pixels,
  objectness, class scores (sigmoid applied, not multiplied by objectness). The Darknet→ONNX
  converter of this package writes this layout too.
- ``yolov8``: one [1, 4 + C, N] tensor: centre x, centre y, width, height in input pixels,
  then class scores (no objectness).
"""
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np


class OutputLayout(str, Enum):
    """Layout of a YOLO model's output tensors."""

    DARKNET = 'darknet'
    YOLOV5 = 'yolov5'
    YOLOV8 = 'yolov8'


@dataclass(frozen=True)
class Candidates:
    """
    Boxes above the confidence threshold, before NMS, in network-input pixels.

    ``boxes`` is [N, 4] float (top-left x, top-left y, width, height), ``scores`` [N] and
    ``class_ids`` [N] int.
    """

    boxes: np.ndarray
    scores: np.ndarray
    class_ids: np.ndarray

    def __len__(self) -> int:
        """Return the number of candidate boxes."""
        return len(self.scores)

    def select(self, indices: np.ndarray) -> 'Candidates':
        """Return the candidates at ``indices`` (a boolean mask or index array)."""
        return Candidates(self.boxes[indices], self.scores[indices], self.class_ids[indices])


def detect_layout(shape: Sequence[int], num_classes: int) -> OutputLayout:
    """
    Tell the YOLOv5 and YOLOv8 layouts apart from a model's first output shape.

    Raises ValueError when the shape fits neither (or both) for ``num_classes`` classes.
    """
    shape = tuple(shape)
    if len(shape) != 3 or shape[0] != 1:
        raise ValueError(f'YOLO ONNX output must be [1, N, 5+C] (YOLOv5) or [1, 4+C, N] '
                         f'(YOLOv8), got shape {list(shape)}')
    fits_v5 = shape[2] == 5 + num_classes
    fits_v8 = shape[1] == 4 + num_classes
    if fits_v5 == fits_v8:
        raise ValueError(
            f'cannot tell the output layout of shape {list(shape)} for {num_classes} classes '
            f'(YOLOv5 needs [1, N, {5 + num_classes}], YOLOv8 [1, {4 + num_classes}, N]); '
            f'check the names file or give the layout explicitly')
    return OutputLayout.YOLOV5 if fits_v5 else OutputLayout.YOLOV8


def output_class_count(outputs: Sequence[np.ndarray], layout: OutputLayout) -> int:
    """
    Return how many classes the model's outputs carry in ``layout``.

    Raises ValueError when the outputs do not have that layout's shape.
    """
    if layout is OutputLayout.DARKNET:
        widths = {head.shape[-1] for head in outputs if head.ndim == 2}
        if len(widths) != 1 or any(head.ndim != 2 for head in outputs):
            raise ValueError('Darknet YOLO heads must all be [N, 5+C] with the same C, got '
                             f'shapes {[list(head.shape) for head in outputs]}')
        return widths.pop() - 5
    shape = outputs[0].shape
    if len(shape) != 3 or shape[0] != 1:
        raise ValueError(f'{layout.value} output must be 3-D with batch 1, got {list(shape)}')
    return shape[2] - 5 if layout is OutputLayout.YOLOV5 else shape[1] - 4


def decode_darknet(outputs: Sequence[np.ndarray], input_width: int, input_height: int,
                   conf_threshold: float) -> Candidates:
    """Decode every Darknet YOLO head ([N, 5 + C] each, boxes normalised to the input)."""
    # Pick each head's few passing rows before joining, rather than copying whole heads.
    passing = []
    for head in outputs:
        scores = head[:, 5:].max(axis=1)
        passing.append(head[scores > conf_threshold])
    rows = np.concatenate(passing, axis=0)
    class_ids = rows[:, 5:].argmax(axis=1)
    scores = rows[np.arange(len(rows)), 5 + class_ids]
    centre_boxes = rows[:, :4] * np.array(
        [input_width, input_height, input_width, input_height], dtype=np.float32)
    return Candidates(_centre_to_corner(centre_boxes), scores, class_ids)


def decode_yolov5(outputs: Sequence[np.ndarray], input_width: int, input_height: int,
                  conf_threshold: float) -> Candidates:
    """Decode a [1, N, 5 + C] tensor: score = objectness × best class score."""
    rows = outputs[0][0]
    # obj * class <= obj, so rows whose objectness is already too low need no class work.
    rows = rows[rows[:, 4] > conf_threshold]
    class_ids = rows[:, 5:].argmax(axis=1)
    scores = rows[:, 4] * rows[np.arange(len(rows)), 5 + class_ids]
    keep = scores > conf_threshold
    return Candidates(_centre_to_corner(rows[keep, :4]), scores[keep], class_ids[keep])


def decode_yolov8(outputs: Sequence[np.ndarray], input_width: int, input_height: int,
                  conf_threshold: float) -> Candidates:
    """Decode a [1, 4 + C, N] tensor: score = best class score (no objectness)."""
    columns = outputs[0][0]
    class_scores = columns[4:]
    class_ids = class_scores.argmax(axis=0)
    scores = class_scores[class_ids, np.arange(columns.shape[1])]
    keep = scores > conf_threshold
    return Candidates(_centre_to_corner(columns[:4, keep].T), scores[keep], class_ids[keep])


DECODERS = {
    OutputLayout.DARKNET: decode_darknet,
    OutputLayout.YOLOV5: decode_yolov5,
    OutputLayout.YOLOV8: decode_yolov8,
}


def non_max_suppression(boxes: np.ndarray, scores: np.ndarray, class_ids: np.ndarray,
                        iou_threshold: float) -> np.ndarray:
    """
    Class-aware greedy NMS; return the indices kept, best score first.

    ``boxes`` is [N, 4] (top-left x, y, width, height). A box is dropped when it overlaps a
    better-scored box of the same class with IoU above ``iou_threshold``; boxes of different
    classes never suppress each other. Numpy rather than cv2.dnn.NMSBoxesBatched keeps this
    module free of OpenCV and identical for every runtime; at the usual thresholds a frame
    has a few dozen candidates, so the greedy loop costs well under a millisecond.
    """
    if len(scores) == 0:
        return np.zeros(0, dtype=np.int64)
    x1 = boxes[:, 0].astype(np.float64)
    y1 = boxes[:, 1].astype(np.float64)
    x2 = x1 + boxes[:, 2]
    y2 = y1 + boxes[:, 3]
    # Shifting each class by more than the whole extent of all boxes makes boxes of different
    # classes disjoint, so one pass of plain NMS is class-aware.
    offset = class_ids.astype(np.float64) * (max(x2.max(), y2.max()) - min(x1.min(), y1.min())
                                             + 1.0)
    x1, y1, x2, y2 = x1 + offset, y1 + offset, x2 + offset, y2 + offset
    areas = (x2 - x1) * (y2 - y1)
    order = np.argsort(-scores, kind='stable')
    kept = []
    while order.size:
        best, rest = order[0], order[1:]
        kept.append(best)
        overlap_w = np.clip(np.minimum(x2[best], x2[rest]) - np.maximum(x1[best], x1[rest]),
                            0.0, None)
        overlap_h = np.clip(np.minimum(y2[best], y2[rest]) - np.maximum(y1[best], y1[rest]),
                            0.0, None)
        intersection = overlap_w * overlap_h
        union = areas[best] + areas[rest] - intersection
        iou = np.divide(intersection, union, out=np.zeros_like(union), where=union > 0)
        order = rest[iou <= iou_threshold]
    return np.array(kept, dtype=np.int64)


def _centre_to_corner(centre_boxes: np.ndarray) -> np.ndarray:
    corner_boxes = centre_boxes.astype(np.float32, copy=True)
    corner_boxes[:, :2] -= corner_boxes[:, 2:4] / 2
    return corner_boxes
