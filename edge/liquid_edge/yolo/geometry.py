"""
Image ↔ network-input geometry: stretch and letterbox resizing, and mapping boxes back.

Pure numpy, no OpenCV: the detector resizes the image as an `InputGeometry` says and maps the
decoded boxes back to the image with `boxes_to_image`.
"""
from dataclasses import dataclass
from enum import Enum

import numpy as np

# Ultralytics pads letterboxed inputs with this grey; its YOLOv5/YOLOv8 models were trained so.
LETTERBOX_GREY = 114


class ResizeMode(str, Enum):
    """How an image is fitted to the network input."""

    # Darknet (AlexeyAB) and the original service: resize to the input, aspect ratio not kept.
    STRETCH = 'stretch'
    # Ultralytics YOLOv5/YOLOv8: keep the aspect ratio, pad the rest with grey.
    LETTERBOX = 'letterbox'


@dataclass(frozen=True)
class InputGeometry:
    """Where an image lands in the network input: input = image * scale + pad, per axis."""

    input_width: int
    input_height: int
    resized_width: int
    resized_height: int
    pad_left: int
    pad_top: int

    def scale(self, image_width: int, image_height: int) -> tuple[float, float]:
        """Return (x, y) scale from image pixels to input pixels."""
        return self.resized_width / image_width, self.resized_height / image_height


def stretch_geometry(image_width: int, image_height: int,
                     input_width: int, input_height: int) -> InputGeometry:
    """Geometry of resizing the whole image to the input size (aspect ratio not kept)."""
    _check_sizes(image_width, image_height, input_width, input_height)
    return InputGeometry(input_width, input_height, input_width, input_height, 0, 0)


def letterbox_geometry(image_width: int, image_height: int,
                       input_width: int, input_height: int) -> InputGeometry:
    """Geometry of fitting the image inside the input, aspect ratio kept, centred, padded."""
    _check_sizes(image_width, image_height, input_width, input_height)
    ratio = min(input_width / image_width, input_height / image_height)
    resized_width = min(input_width, max(1, round(image_width * ratio)))
    resized_height = min(input_height, max(1, round(image_height * ratio)))
    return InputGeometry(input_width, input_height, resized_width, resized_height,
                         (input_width - resized_width) // 2, (input_height - resized_height) // 2)


GEOMETRY_BY_RESIZE_MODE = {
    ResizeMode.STRETCH: stretch_geometry,
    ResizeMode.LETTERBOX: letterbox_geometry,
}


def boxes_to_image(boxes: np.ndarray, geometry: InputGeometry,
                   image_width: int, image_height: int) -> np.ndarray:
    """
    Map [N, 4] (x, y, width, height) boxes from input pixels to image pixels, clipped.

    Boxes are top-left corner and size; the result is clipped to the image, so a box that
    sticks out of the image comes back smaller (and may end up with zero width or height).
    """
    scale_x, scale_y = geometry.scale(image_width, image_height)
    x1 = np.clip((boxes[:, 0] - geometry.pad_left) / scale_x, 0.0, image_width)
    y1 = np.clip((boxes[:, 1] - geometry.pad_top) / scale_y, 0.0, image_height)
    x2 = np.clip((boxes[:, 0] + boxes[:, 2] - geometry.pad_left) / scale_x, 0.0, image_width)
    y2 = np.clip((boxes[:, 1] + boxes[:, 3] - geometry.pad_top) / scale_y, 0.0, image_height)
    return np.stack([x1, y1, x2 - x1, y2 - y1], axis=1)


def _check_sizes(*sizes: int) -> None:
    if min(sizes) <= 0:
        raise ValueError(f'image and input sizes must be positive, got {sizes}')
