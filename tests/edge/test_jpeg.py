"""JPEG validation and decoding: every kind of bad frame is refused with its reason."""
from edge_harness import encode
import numpy as np
import pytest

from liquid_edge.jpeg import decode_jpeg, decode_jpeg_reduced, ImageRejected
from liquid_edge.jpeg import read_jpeg_size, RejectReason

LIMIT = 1_000_000


def _frame(width=64, height=48) -> bytes:
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[:, :width // 2] = (0, 0, 255)  # left half red (BGR)
    return encode(image)


def test_valid_jpeg_decodes_to_its_size_in_colour_and_gray():
    data = _frame()
    assert read_jpeg_size(data, LIMIT) == (64, 48)
    colour = decode_jpeg(data, LIMIT)
    assert colour.shape == (48, 64, 3)
    assert colour[24, 10, 2] > 200 and colour[24, 50, 2] < 50
    assert decode_jpeg(data, LIMIT, grayscale=True).shape == (48, 64)


def test_reduced_decode_is_smaller_by_the_factor():
    assert decode_jpeg_reduced(_frame(), LIMIT, 2).shape == (24, 32, 3)


def test_padding_after_the_end_marker_is_accepted():
    assert decode_jpeg(_frame() + b'\x00' * 16, LIMIT).shape == (48, 64, 3)


def _zero_height(data: bytes) -> bytes:
    frame = bytearray(data)
    sof = frame.find(b'\xff\xc0')
    frame[sof + 5:sof + 7] = b'\x00\x00'
    return bytes(frame)


@pytest.mark.parametrize('data, message', [
    (b'', 'empty image'),
    (b'\x89PNG\r\n\x1a\n' + b'\x00' * 64, 'not a JPEG'),
    (_frame()[:-200], 'truncated JPEG'),
    (_zero_height(_frame()), 'zero width or height'),
    (b'\xff\xd8' + b'\x00' * 64 + b'\xff\xd9', 'unreadable JPEG header'),
])
def test_invalid_frames_are_refused_with_the_reason(data, message):
    with pytest.raises(ImageRejected, match=message) as refused:
        decode_jpeg(data, LIMIT)
    assert refused.value.reason is RejectReason.INVALID


def test_an_image_over_the_pixel_limit_is_refused_before_decoding():
    with pytest.raises(ImageRejected, match='64x48 = 3072 pixels exceeds the limit of 3000'
                       ) as refused:
        decode_jpeg(_frame(), 3000)
    assert refused.value.reason is RejectReason.TOO_LARGE
