"""Appearance descriptors: the colour histogram's properties, the ONNX re-id plumbing, v1."""
from edge_harness import identity, load_tiny_yolo, MAX_PIXELS, settings
from liquid_edge.appearance import crop, HsHistogramDescriber, IMAGENET_MEAN, IMAGENET_STD
from liquid_edge.appearance import OnnxReidDescriber
from liquid_edge.detection import Detection
from liquid_edge.yolo_service import build_yolo_server
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
import numpy as np
import onnx
from onnx import helper, TensorProto
import pytest

TIMEOUT_S = 20.0

BOX = Detection(0, 'person', 0.9, 20.0, 10.0, 40.0, 80.0)


def dressed(top_bgr, bottom_bgr, light=1.0) -> np.ndarray:
    """Return a 120x100 frame with a 'person' of two colours in BOX, on grey, lit by `light`."""
    image = np.full((120, 100, 3), 128, np.uint8)
    image[10:50, 20:60] = top_bgr
    image[50:90, 20:60] = bottom_bgr
    return np.clip(image.astype(np.float32) * light, 0, 255).astype(np.uint8)


def test_histogram_is_unit_length_of_the_advertised_size():
    describer = HsHistogramDescriber()
    vector, = describer.describe(dressed((0, 128, 255), (80, 40, 20)), [BOX])
    assert vector.shape == (describer.size,) and vector.dtype == np.float32
    assert np.linalg.norm(vector) == pytest.approx(1.0)
    assert describer.model_info.name == 'hs-histogram'


def test_histogram_tells_clothes_apart_and_tolerates_light():
    describer = HsHistogramDescriber()
    orange, = describer.describe(dressed((0, 128, 255), (80, 40, 20)), [BOX])
    dimmer, = describer.describe(dressed((0, 128, 255), (80, 40, 20), light=0.6), [BOX])
    blue, = describer.describe(dressed((255, 100, 0), (80, 40, 20)), [BOX])
    swapped, = describer.describe(dressed((80, 40, 20), (0, 128, 255)), [BOX])
    assert float(orange @ dimmer) > 0.95
    assert float(orange @ blue) < 0.6
    # Upper and lower body are separate halves: the same colours swapped differ.
    assert float(orange @ swapped) < 0.6


def test_histogram_refuses_a_grayscale_image():
    with pytest.raises(ValueError):
        HsHistogramDescriber().describe(np.zeros((120, 100), np.uint8), [BOX])


def test_crop_scales_to_a_reduced_decode_and_stays_inside_the_image():
    image = np.zeros((60, 50, 3), np.uint8)
    assert crop(image, BOX, 0.5).shape == (40, 20, 3)
    outside = Detection(0, 'person', 0.9, 200.0, 300.0, 30.0, 30.0)
    assert crop(image, outside, 0.5).shape[:2] == (1, 1)


def _mean_colour_model(path, height=16, width=8):
    """Write a tiny 're-id' network: the mean of each input channel, N x 3 (no download)."""
    graph = helper.make_graph(
        [helper.make_node('GlobalAveragePool', ['crops'], ['pooled']),
         helper.make_node('Flatten', ['pooled'], ['embedding'])],
        'mean_colour',
        [helper.make_tensor_value_info('crops', TensorProto.FLOAT, ['N', 3, height, width])],
        [helper.make_tensor_value_info('embedding', TensorProto.FLOAT, ['N', 3])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.save(model, path)
    return path


def test_reid_model_gets_cropped_resized_normalised_batched_crops(tmp_path):
    describer = OnnxReidDescriber(_mean_colour_model(tmp_path / 'reid.onnx'))
    assert describer.input_size == (8, 16)
    assert describer.model_info.runtime == 'onnxruntime'
    image = dressed((0, 128, 255), (255, 100, 0))
    other = Detection(0, 'person', 0.9, 60.0, 0.0, 40.0, 120.0)
    batch = describer.batch(image, [BOX, other])
    assert batch.shape == (2, 3, 16, 8)
    # Crop → RGB → ImageNet normalisation: the top of BOX is orange (R 255, G 128, B 0).
    expected_top = (np.array([255, 128, 0], np.float32) / 255.0 - IMAGENET_MEAN) / IMAGENET_STD
    assert batch[0, :, 0, 4] == pytest.approx(expected_top, abs=1e-5)
    vectors = describer.describe(image, [BOX, other])
    means = batch.mean(axis=(2, 3))
    for vector, mean in zip(vectors, means):
        assert vector == pytest.approx(mean / np.linalg.norm(mean), abs=1e-5)
    assert describer.describe(image, []) == []


def test_reid_model_with_a_wrong_input_is_refused(tmp_path):
    graph = helper.make_graph(
        [helper.make_node('Identity', ['x'], ['y'])], 'flat',
        [helper.make_tensor_value_info('x', TensorProto.FLOAT, ['N', 16])],
        [helper.make_tensor_value_info('y', TensorProto.FLOAT, ['N', 16])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
    model.ir_version = 8
    onnx.save(model, tmp_path / 'flat.onnx')
    with pytest.raises(ValueError, match='N x 3 x H x W'):
        OnnxReidDescriber(tmp_path / 'flat.onnx')
    (tmp_path / 'broken.onnx').write_bytes(b'not a model')
    with pytest.raises(ValueError, match='cannot load'):
        OnnxReidDescriber(tmp_path / 'broken.onnx')


def test_v1_person_detections_carry_descriptors_of_the_named_kind(channel_to, yolo_address,
                                                                  person):
    response = v1_grpc.DetectorStub(channel_to(yolo_address)).Detect(
        v1.DetectRequest(jpeg=person.jpeg, class_names=['person']), timeout=TIMEOUT_S)
    assert response.detections
    for detection in response.detections:
        assert len(detection.appearance) == HsHistogramDescriber.size
        assert np.linalg.norm(detection.appearance) == pytest.approx(1.0, abs=1e-5)
    model = response.backends[0].appearance_model
    assert (model.name, model.version) == ('hs-histogram', HsHistogramDescriber.model_info.version)


def test_v1_reid_model_describes_the_people(start_server, channel_to, tmp_path, person):
    describer = OnnxReidDescriber(_mean_colour_model(tmp_path / 'reid.onnx'))
    address = start_server(build_yolo_server(settings(), identity(), max_pixels=MAX_PIXELS,
                                             load=load_tiny_yolo, describer=describer))
    response = v1_grpc.DetectorStub(channel_to(address)).Detect(
        v1.DetectRequest(jpeg=person.jpeg, class_names=['person']), timeout=TIMEOUT_S)
    assert response.detections and all(len(d.appearance) == 3 for d in response.detections)
    assert response.backends[0].appearance_model.name == 'reid'
