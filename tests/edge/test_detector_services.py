"""Face and YOLO backends on loopback, real models on real photos, through both APIs."""
from edge_harness import COLOR, identity, iou, MAX_PIXELS, PASTED_BOX, settings, SITE
import grpc
from liquid_edge.yolo import load_detector
from liquid_edge.yolo_service import build_yolo_server, packaged_model
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
import pytest

TIMEOUT_S = 20.0


def _frame(jpeg: bytes, number: int = 41) -> legacy_pb2.VideoFrame:
    return legacy_pb2.VideoFrame(number=number, timestamp=1_700_000_000_123, img=jpeg)


def test_face_found_on_the_astronaut_with_v1(channel_to, face_address, astronaut):
    response = v1_grpc.DetectorStub(channel_to(face_address)).Detect(
        v1.DetectRequest(request_id='frame-1', client_timestamp_ns=42, jpeg=astronaut.jpeg),
        timeout=TIMEOUT_S)
    assert (response.request_id, response.client_timestamp_ns) == ('frame-1', 42)
    assert (response.image_width, response.image_height) == (512, 512)
    assert len(response.detections) == 1
    face = response.detections[0]
    assert (face.engine, face.class_name, face.score) == (v1.ENGINE_FACE, 'face', 1.0)
    # The astronaut's face is in the upper middle of the photo.
    assert 150 < face.box_px.x + face.box_px.width / 2 < 300
    assert 50 < face.box_px.y + face.box_px.height / 2 < 200
    assert face.box_norm.width == pytest.approx(face.box_px.width / 512)
    assert (response.edge.site, response.edge.color) == (SITE, COLOR)
    assert not response.partial
    status = response.backends[0]
    assert (status.engine, status.code) == (v1.ENGINE_FACE, 0)
    assert status.model.name == 'haarcascade_frontalface_default'
    assert status.model.runtime == 'opencv-haar'
    assert 0 < status.timings.inference_ms <= status.timings.total_ms


def test_face_found_with_the_original_backend_protocol(channel_to, face_address, astronaut):
    response = legacy_pb2_grpc.FaceDetectionStub(channel_to(face_address)).FaceDetect(
        legacy_pb2.FaceDetectionRequest(frame=_frame(astronaut.jpeg)), timeout=TIMEOUT_S)
    assert (response.number, response.timestamp) == (41, 1_700_000_000_123)
    [face] = response.faces
    assert face.confidence == 1.0
    centre = astronaut.bgr[face.y + face.h // 2, face.x + face.w // 2]
    # Skin at the face centre: the reported colour is close to the pixel there (RGB order).
    assert abs(face.r - int(centre[2])) < 40 and abs(face.b - int(centre[0])) < 40


def test_person_found_at_the_pasted_region(channel_to, yolo_address, person):
    response = v1_grpc.DetectorStub(channel_to(yolo_address)).Detect(
        v1.DetectRequest(request_id='p', jpeg=person.jpeg, class_names=['person']),
        timeout=TIMEOUT_S)
    assert response.detections, 'YOLOv3-tiny found no person on the canvas'
    best = response.detections[0]
    assert (best.engine, best.class_id, best.class_name) == (v1.ENGINE_YOLO, 0, 'person')
    box = best.box_px
    assert iou((box.x, box.y, box.width, box.height), PASTED_BOX) >= 0.5
    assert response.backends[0].model.name == 'yolov3-tiny'


def test_person_found_with_the_original_backend_protocol(channel_to, yolo_address, person):
    stub = legacy_pb2_grpc.YoloDetectionStub(channel_to(yolo_address))
    response = stub.YoloDetect(legacy_pb2.YoloDetectionRequest(frame=_frame(person.jpeg, 7)),
                               timeout=TIMEOUT_S)
    assert response.number == 7
    people = [o for o in response.yolos if o.name == 'person']
    assert people and 0.5 <= people[0].confidence <= 1.0
    assert iou((people[0].x, people[0].y, people[0].w, people[0].h), PASTED_BOX) >= 0.5
    assert (people[0].r, people[0].g, people[0].b) != (128, 128, 128)
    limited = stub.YoloDetect(legacy_pb2.YoloDetectionRequest(
        frame=_frame(person.jpeg), max_results=1), timeout=TIMEOUT_S)
    assert list(limited.yolos) == list(response.yolos[:1])


def test_original_backend_max_results_below_zero_is_invalid_argument(channel_to, yolo_address,
                                                                     person):
    with pytest.raises(grpc.RpcError) as failed:
        legacy_pb2_grpc.YoloDetectionStub(channel_to(yolo_address)).YoloDetect(
            legacy_pb2.YoloDetectionRequest(frame=_frame(person.jpeg), max_results=-2),
            timeout=TIMEOUT_S)
    assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert 'max_results must be >= 0' in failed.value.details()


@pytest.mark.parametrize('request_, message', [
    (v1.DetectRequest(engines=[v1.ENGINE_YOLO]), 'not served here'),
    (v1.DetectRequest(engines=[9]), 'unknown engine 9'),
    (v1.DetectRequest(min_score=-0.1), 'outside'),
])
def test_unknown_options_are_invalid_argument(channel_to, face_address, astronaut, request_,
                                              message):
    request_.jpeg = astronaut.jpeg
    with pytest.raises(grpc.RpcError) as failed:
        v1_grpc.DetectorStub(channel_to(face_address)).Detect(request_, timeout=TIMEOUT_S)
    assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
    assert message in failed.value.details()


def test_max_results_and_min_score_are_honoured(channel_to, yolo_address, person):
    stub = v1_grpc.DetectorStub(channel_to(yolo_address))
    everything = stub.Detect(v1.DetectRequest(jpeg=person.jpeg), timeout=TIMEOUT_S)
    one = stub.Detect(v1.DetectRequest(jpeg=person.jpeg, max_results=1), timeout=TIMEOUT_S)
    assert len(one.detections) == 1 and one.detections[0] == everything.detections[0]
    strict = stub.Detect(v1.DetectRequest(jpeg=person.jpeg, min_score=0.999),
                         timeout=TIMEOUT_S)
    assert all(d.score >= 0.999 for d in strict.detections)
    assert len(strict.detections) < len(everything.detections)


def test_onnxruntime_backend_finds_the_same_person(start_server, channel_to, tmp_path,
                                                   person):
    model, weights, names = packaged_model('onnxruntime', 416, tmp_path)
    address = start_server(build_yolo_server(
        settings(), identity(), max_pixels=MAX_PIXELS, workers=1,
        load=lambda: load_detector(model=model, weights=weights, names=names,
                                   backend='onnxruntime')))
    response = v1_grpc.DetectorStub(channel_to(address)).Detect(
        v1.DetectRequest(jpeg=person.jpeg, class_names=['person']), timeout=TIMEOUT_S)
    assert response.backends[0].model.runtime == 'onnxruntime'
    box = response.detections[0].box_px
    assert iou((box.x, box.y, box.width, box.height), PASTED_BOX) >= 0.5
