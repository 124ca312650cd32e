"""JPEG validation and decoding for the edge services (no gRPC).

A frame is checked before it is decoded: it must be a JPEG (by its header, read without
decoding), complete (it ends with the end-of-image marker), non-empty and within the pixel
limit, so a huge image is refused before it costs memory.
"""
from enum import Enum
import io

import cv2
import numpy as np
from PIL import Image, UnidentifiedImageError

# JPEG start-of-image and end-of-image markers.
_SOI = b'\xff\xd8'
_EOI = b'\xff\xd9'


class RejectReason(str, Enum):
    """Why an image was refused; the servicers map it to a gRPC status."""

    INVALID = 'invalid'      # not a complete JPEG, or an empty image
    TOO_LARGE = 'too_large'  # more pixels than the configured limit


class ImageRejected(ValueError):
    """The submitted bytes are not an image this service accepts."""

    def __init__(self, reason: RejectReason, message: str):
        super().__init__(message)
        self.reason = reason


def read_jpeg_size(data: bytes, max_pixels: int) -> tuple[int, int]:
    """Return (width, height) of a JPEG from its header, without decoding it.

    Raises ImageRejected(INVALID) for empty, non-JPEG or truncated bytes and for a zero-size
    image, ImageRejected(TOO_LARGE) when width * height exceeds ``max_pixels``.
    """
    if not data:
        raise ImageRejected(RejectReason.INVALID, 'empty image: the frame carries no bytes')
    if not data.startswith(_SOI):
        raise ImageRejected(RejectReason.INVALID,
                            'not a JPEG: the bytes do not start with the JPEG SOI marker')
    # Some encoders pad after the end-of-image marker; a truncated frame has no marker.
    if not data.rstrip(b'\x00').endswith(_EOI):
        raise ImageRejected(RejectReason.INVALID,
                            'truncated JPEG: the bytes do not end with the EOI marker')
    try:
        with Image.open(io.BytesIO(data), formats=['JPEG']) as image:
            width, height = image.size
    except (UnidentifiedImageError, OSError, SyntaxError) as error:
        raise ImageRejected(RejectReason.INVALID,
                            'unreadable JPEG header: corrupt, or an image of zero width or '
                            'height') from error
    except Image.DecompressionBombError as error:
        raise ImageRejected(RejectReason.TOO_LARGE, str(error)) from error
    if width <= 0 or height <= 0:
        raise ImageRejected(RejectReason.INVALID, f'zero-size image ({width}x{height})')
    if width * height > max_pixels:
        raise ImageRejected(
            RejectReason.TOO_LARGE,
            f'image of {width}x{height} = {width * height} pixels exceeds the limit of '
            f'{max_pixels} pixels; send a smaller image')
    return width, height


# libjpeg decodes at 1/2, 1/4 or 1/8 scale directly, skipping most of the full decode's work.
DECODE_REDUCTIONS = (1, 2, 4, 8)
_DECODE_FLAGS = {
    (1, False): cv2.IMREAD_COLOR, (1, True): cv2.IMREAD_GRAYSCALE,
    (2, False): cv2.IMREAD_REDUCED_COLOR_2, (2, True): cv2.IMREAD_REDUCED_GRAYSCALE_2,
    (4, False): cv2.IMREAD_REDUCED_COLOR_4, (4, True): cv2.IMREAD_REDUCED_GRAYSCALE_4,
    (8, False): cv2.IMREAD_REDUCED_COLOR_8, (8, True): cv2.IMREAD_REDUCED_GRAYSCALE_8,
}


def reduced_size(width: int, height: int, reduction: int) -> tuple[int, int]:
    """Return the (width, height) of a ``width`` x ``height`` JPEG decoded at 1/``reduction``.

    libjpeg rounds a scaled side up.
    """
    return -(-width // reduction), -(-height // reduction)


def decode_jpeg(data: bytes, max_pixels: int, *, grayscale: bool = False,
                reduction: int = 1) -> np.ndarray:
    """Validate a JPEG (see read_jpeg_size) and decode it to a BGR (or grayscale) uint8 array.

    ``reduction`` (one of DECODE_REDUCTIONS) decodes at 1/``reduction`` of the size, much
    faster than a full decode, for work that needs no full resolution. Raises ImageRejected
    when the bytes are refused or the decoder cannot read them, ValueError for a reduction
    libjpeg does not offer.
    """
    if reduction not in DECODE_REDUCTIONS:
        raise ValueError(f'JPEG decode reduction must be one of {DECODE_REDUCTIONS}, '
                         f'got {reduction}')
    width, height = read_jpeg_size(data, max_pixels)
    image = cv2.imdecode(np.frombuffer(data, dtype=np.uint8),
                         _DECODE_FLAGS[(reduction, grayscale)])
    expected_width, expected_height = reduced_size(width, height, reduction)
    if image is None or image.shape[:2] != (expected_height, expected_width):
        raise ImageRejected(RejectReason.INVALID, 'corrupt JPEG: the image data does not decode')
    return image
