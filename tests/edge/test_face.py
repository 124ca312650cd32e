"""The Haar face detector on the astronaut photo, at full and at half decode size."""
import cv2
from liquid_edge.detection import Detection, detection_in_full_image
from liquid_edge.face import FaceDetector, HaarParameters
from liquid_edge.jpeg import decode_jpeg
import pytest
from skimage import data

LIMIT = 1_000_000


def _box(detection: Detection) -> tuple[float, float, float, float]:
    return detection.x, detection.y, detection.width, detection.height


def _iou(a, b) -> float:
    overlap_w = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    overlap_h = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    overlap = overlap_w * overlap_h
    return overlap / (a[2] * a[3] + b[2] * b[3] - overlap)


def test_a_box_from_a_reduced_image_is_scaled_back_and_clipped():
    found = Detection(0, 'face', 1.0, x=10.0, y=20.0, width=30.0, height=4.5)
    assert _box(detection_in_full_image(found, 2, 640, 480)) == (20.0, 40.0, 60.0, 9.0)
    # A 65 x 49 image decodes at half size to 33 x 25: a box to its edge reaches 66 x 50.
    edge = Detection(0, 'face', 1.0, x=30.0, y=20.0, width=3.0, height=5.0)
    assert _box(detection_in_full_image(edge, 2, 65, 49)) == (60.0, 40.0, 5.0, 9.0)
    assert detection_in_full_image(found, 1, 640, 480) == found


@pytest.fixture(scope='module')
def astronaut_jpeg() -> bytes:
    """Return the astronaut photo (512 x 512) as a JPEG."""
    ok, encoded = cv2.imencode('.jpg', cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR))
    assert ok
    return encoded.tobytes()


def test_the_face_found_at_half_size_is_the_one_found_at_full_size(astronaut_jpeg):
    full = FaceDetector().detect(decode_jpeg(astronaut_jpeg, LIMIT, grayscale=True))
    half_detector = FaceDetector(input_reduction=2)
    half = [detection_in_full_image(found, 2, 512, 512) for found in half_detector.detect(
        decode_jpeg(astronaut_jpeg, LIMIT, grayscale=True, reduction=2))]
    assert len(full) == len(half) == 1
    assert _iou(_box(full[0]), _box(half[0])) >= 0.7
    # Her face is in the upper middle of the photo.
    assert 150 < half[0].x + half[0].width / 2 < 300
    assert 50 < half[0].y + half[0].height / 2 < 200


@pytest.mark.parametrize('min_size, faces', [(80, 1), (120, 0)])
def test_the_minimum_face_size_stays_in_full_image_pixels(astronaut_jpeg, min_size, faces):
    # Her face is about 100 px wide, 50 px at half size: an unscaled 80 px minimum would
    # drop it there.
    for reduction in (1, 2):
        image = decode_jpeg(astronaut_jpeg, LIMIT, grayscale=True, reduction=reduction)
        detector = FaceDetector(HaarParameters(min_size=min_size), input_reduction=reduction)
        assert len(detector.detect(image)) == faces, reduction


def test_a_bad_reduction_is_refused():
    with pytest.raises(ValueError, match='input reduction must be >= 1, got 0'):
        FaceDetector(input_reduction=0)
