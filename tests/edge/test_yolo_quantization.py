"""
Optional int8 YOLO: the converted YOLOv3-tiny quantised on real photos still finds the person.

Calibrated on scikit-image photos other than the astronaut, so the test image is not in the
calibration set.
"""
import cv2
from liquid_edge.yolo import default_model_files, load_detector
from liquid_edge.yolo.darknet_onnx import convert_darknet_to_onnx
from liquid_edge.yolo.quantization import head_node_names, quantize_int8
from liquid_edge.yolo.quantization import read_calibration_images
import numpy as np
import onnx
import pytest
from skimage import data

INPUT_SIZE = 416
CALIBRATION_PHOTOS = ('coffee', 'chelsea', 'rocket', 'cat', 'immunohistochemistry')
PASTED = (220, 140, 200, 200)


def _iou(a, b) -> float:
    overlap_w = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    overlap_h = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    overlap = overlap_w * overlap_h
    return overlap / (a[2] * a[3] + b[2] * b[3] - overlap)


def _canvas() -> np.ndarray:
    canvas = np.full((480, 640, 3), 128, dtype=np.uint8)
    x, y, width, height = PASTED
    canvas[y:y + height, x:x + width] = cv2.resize(
        cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (width, height),
        interpolation=cv2.INTER_AREA)
    return canvas


@pytest.fixture(scope='module')
def calibration_directory(tmp_path_factory):
    """Write the calibration photos as JPEGs."""
    directory = tmp_path_factory.mktemp('calibration')
    for name in CALIBRATION_PHOTOS:
        photo = getattr(data, name)()
        bgr = cv2.cvtColor(photo if photo.ndim == 3 else np.stack([photo] * 3, axis=-1),
                           cv2.COLOR_RGB2BGR)
        assert cv2.imwrite(str(directory / f'{name}.jpg'), bgr)
    return directory


@pytest.fixture(scope='module')
def float_model(tmp_path_factory):
    """Convert the packaged YOLOv3-tiny to a float ONNX model."""
    files = default_model_files()
    path = tmp_path_factory.mktemp('float') / 'yolov3-tiny.onnx'
    onnx.save(convert_darknet_to_onnx(files.cfg, files.weights, INPUT_SIZE), path)
    return path


@pytest.fixture(scope='module')
def int8_model(float_model, calibration_directory, tmp_path_factory):
    """Quantise the float model on the calibration photos."""
    return quantize_int8(float_model, tmp_path_factory.mktemp('int8') / 'int8.onnx',
                         read_calibration_images(calibration_directory), INPUT_SIZE)


def test_only_the_backbone_is_quantised(float_model):
    heads = head_node_names(onnx.load(str(float_model)))
    convolutions = [node.name for node in onnx.load(str(float_model)).graph.node
                    if node.op_type == 'Conv']
    # YOLOv3-tiny has 13 convolutions; the last one of each of its two heads stays float.
    assert len(convolutions) == 13
    assert [name for name in convolutions if name in heads] == [
        convolutions[9], convolutions[12]]
    assert 'output0' in heads


def test_int8_model_finds_the_person_the_float_model_finds(float_model, int8_model):
    files = default_model_files()
    found = {}
    for label, model in (('float', float_model), ('int8', int8_model)):
        detector = load_detector(model=model, names=files.names, backend='onnxruntime',
                                 threads=1)
        people = [d for d in detector.detect(_canvas()) if d.class_name == 'person']
        assert people, label
        found[label] = max(people, key=lambda d: _iou((d.x, d.y, d.width, d.height), PASTED))
    for label, person in found.items():
        assert _iou((person.x, person.y, person.width, person.height), PASTED) >= 0.5, label
    as_box = {label: (d.x, d.y, d.width, d.height) for label, d in found.items()}
    assert _iou(as_box['float'], as_box['int8']) >= 0.8
    assert found['int8'].score == pytest.approx(found['float'].score, abs=0.1)
    quantised = [n for n in onnx.load(str(int8_model)).graph.node if n.op_type == 'QuantizeLinear']
    assert quantised


def test_an_empty_calibration_directory_is_refused(tmp_path):
    (tmp_path / 'notes.txt').write_text('no image here')
    with pytest.raises(ValueError, match='holds no .jpg/.jpeg/.png image'):
        read_calibration_images(tmp_path)


def test_an_undecodable_calibration_image_is_refused(tmp_path):
    (tmp_path / 'broken.jpg').write_bytes(b'not a jpeg')
    with pytest.raises(ValueError, match='broken.jpg does not decode'):
        read_calibration_images(tmp_path)
