"""
YOLOv5 and YOLOv8 ONNX output layouts end to end, on every runtime, with letterboxing.

Small ONNX graphs whose output is a fixed tensor (plus 0 x the input, so it is a real graph
over the image) stand in for exported models: the expected boxes follow by hand.
"""
from liquid_edge.detection import Detection
from liquid_edge.yolo import load_detector
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
import pytest

INPUT_SIZE = 64
NAMES = ['person', 'dog']
# An ultralytics-style 128x64 image letterboxes into 64x64 at ratio 0.5: 64x32, 16 px above.
IMAGE_WIDTH, IMAGE_HEIGHT = 128, 64
# Box in input pixels: centre (32, 32), size (16, 8) -> corner (24, 28); class dog 0.9.
# In the image: x 24 / 0.5 = 48, y (28 - 16) / 0.5 = 24, size 32 x 16.
EXPECTED = [Detection(class_id=1, class_name='dog', score=pytest.approx(0.9), x=48.0, y=24.0,
                      width=32.0, height=16.0)]
YOLOV8_OUTPUT = np.array([[[32, 100], [32, 100], [16, 10], [8, 10],
                           [0.1, 0.2], [0.9, 0.3]]], dtype=np.float32)
YOLOV5_OUTPUT = np.array([[[32, 32, 16, 8, 0.9, 0.0, 1.0],
                           [100, 100, 10, 10, 0.3, 1.0, 0.0]]], dtype=np.float32)


def _fixed_output_model(output: np.ndarray, channels: int = 3, mean_op: str = 'ReduceMean',
                        input_type: int = TensorProto.FLOAT) -> onnx.ModelProto:
    """Return a model mapping images [1, C, 64, 64] to ``output`` + 0 * mean(images)."""
    nodes = [
        helper.make_node('Cast', ['images'], ['pixels'], to=TensorProto.FLOAT),
        helper.make_node(mean_op, ['pixels'], ['mean'], axes=[1, 2, 3], keepdims=0),
        helper.make_node('Mul', ['mean', 'zero'], ['nothing']),
        helper.make_node('Add', ['fixed', 'nothing'], ['output0']),
    ]
    graph = helper.make_graph(
        nodes, 'fixed_output',
        [helper.make_tensor_value_info('images', input_type,
                                       [1, channels, INPUT_SIZE, INPUT_SIZE])],
        [helper.make_tensor_value_info('output0', TensorProto.FLOAT, list(output.shape))],
        initializer=[numpy_helper.from_array(output, 'fixed'),
                     numpy_helper.from_array(np.zeros(1, dtype=np.float32), 'zero')])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    return model


@pytest.fixture(scope='module')
def model_paths(tmp_path_factory):
    """Write the YOLOv5- and YOLOv8-layout models and a two-class names file."""
    directory = tmp_path_factory.mktemp('layouts')
    names = directory / 'two.names'
    names.write_text('\n'.join(NAMES) + '\n')
    paths = {'names': names}
    for layout, output in (('yolov5', YOLOV5_OUTPUT), ('yolov8', YOLOV8_OUTPUT)):
        paths[layout] = directory / f'{layout}.onnx'
        model = _fixed_output_model(output)
        onnx.checker.check_model(model)
        onnx.save(model, str(paths[layout]))
    return paths


@pytest.mark.parametrize('backend', ['onnxruntime', 'opencv', 'openvino'])
@pytest.mark.parametrize('layout', ['yolov5', 'yolov8'])
def test_layout_is_detected_and_boxes_map_through_the_letterbox(model_paths, backend, layout):
    detector = load_detector(model=model_paths[layout], names=model_paths['names'],
                             backend=backend, input_size=INPUT_SIZE)
    assert detector.layout.value == layout
    assert detector.resize_mode.value == 'letterbox'
    image = np.zeros((IMAGE_HEIGHT, IMAGE_WIDTH, 3), dtype=np.uint8)
    assert detector.detect(image) == EXPECTED


def test_explicit_layout_wins_over_the_shape(model_paths):
    # [1, 6, 2] read as YOLOv5 rows of 2 columns cannot carry two classes.
    with pytest.raises(ValueError, match='predicts -3 classes'):
        load_detector(model=model_paths['yolov8'], names=model_paths['names'],
                      backend='onnxruntime', input_size=INPUT_SIZE, layout='yolov5')


def test_a_file_that_is_not_onnx_is_refused(tmp_path, model_paths):
    not_onnx = tmp_path / 'broken.onnx'
    not_onnx.write_bytes(b'\x00\xff not a protobuf \xff' * 8)
    with pytest.raises(ValueError, match='not a readable ONNX model|4-D NCHW'):
        load_detector(model=not_onnx, names=model_paths['names'], backend='onnxruntime',
                      input_size=INPUT_SIZE)


@pytest.mark.parametrize('model, backend, message', [
    (_fixed_output_model(YOLOV8_OUTPUT, channels=1), 'onnxruntime', '1-channel'),
    (_fixed_output_model(YOLOV8_OUTPUT, mean_op='NoSuchOperator'), 'onnxruntime',
     'ONNX Runtime cannot load'),
    (_fixed_output_model(YOLOV8_OUTPUT, mean_op='NoSuchOperator'), 'openvino',
     'OpenVINO cannot load'),
    (_fixed_output_model(YOLOV8_OUTPUT, input_type=TensorProto.FLOAT16), 'onnxruntime',
     'only float32'),
    (_fixed_output_model(YOLOV8_OUTPUT, input_type=TensorProto.FLOAT16), 'openvino',
     'only float32'),
])
def test_models_the_runtime_cannot_run_are_refused(tmp_path, model_paths, model, backend,
                                                   message):
    path = tmp_path / 'unusable.onnx'
    onnx.save(model, str(path))
    with pytest.raises(ValueError, match=message):
        load_detector(model=path, names=model_paths['names'], backend=backend,
                      input_size=INPUT_SIZE)
