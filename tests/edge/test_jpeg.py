"""JPEG validation and decoding: every kind of bad frame is refused with its reason."""
from edge_harness import encode
from liquid_edge.jpeg import decode_jpeg, ImageRejected, read_jpeg_size, reduced_size
from liquid_edge.jpeg import RejectReason
import numpy as np
import pytest

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


@pytest.mark.parametrize('reduction', [2, 4, 8])
def test_reduced_decode_is_smaller_by_the_reduction_rounded_up(reduction):
    data = _frame(65, 49)
    width, height = reduced_size(65, 49, reduction)
    assert (width, height) == (-(-65 // reduction), -(-49 // reduction))
    colour = decode_jpeg(data, LIMIT, reduction=reduction)
    assert colour.shape == (height, width, 3)
    # The left half is still red, the right half black.
    assert colour[height // 2, 1, 2] > 200 and colour[height // 2, width - 1, 2] < 50
    assert decode_jpeg(data, LIMIT, grayscale=True, reduction=reduction).shape == (height,
                                                                                   width)


def test_a_reduction_libjpeg_does_not_offer_is_refused():
    with pytest.raises(ValueError, match=r'one of \(1, 2, 4, 8\), got 3'):
        decode_jpeg(_frame(), LIMIT, reduction=3)


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
