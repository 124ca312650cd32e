"""Wire compatibility with the original backends, in both directions of a rolling upgrade.

The messages are checked field by field against the original system's; an original ingress
(its stubs) calls our face and YOLO backends (test_detector_services.py does it per backend,
here alongside the ingress); our ingress calls original backends, told or detecting them.
"""
from collections.abc import Iterator

from edge_harness import encode, identity, iou, MAX_PIXELS, PASTED_BOX, person_canvas
from edge_harness import settings, SITE
from google.protobuf import descriptor
from liquid_edge.backend_client import BackendProtocol
from liquid_edge.ingress import build_ingress_server
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
from original_backends import OriginalBackends
import pytest

TIMEOUT_S = 20.0
_F = descriptor.FieldDescriptor
_FRAME = ('frame', 1, _F.TYPE_MESSAGE)
_BOX = [('x', _F.TYPE_INT32), ('y', _F.TYPE_INT32), ('w', _F.TYPE_INT32),
        ('h', _F.TYPE_INT32), ('r', _F.TYPE_UINT32), ('g', _F.TYPE_UINT32),
        ('b', _F.TYPE_UINT32)]
# The original backend messages: (field name, number, type), as the original declares them.
ORIGINAL_BACKEND_MESSAGES = {
    'YoloDetectionRequest': [_FRAME, ('max_results', 2, _F.TYPE_INT32)],
    'FaceDetectionRequest': [_FRAME, ('max_results', 2, _F.TYPE_INT32)],
    'DetectedYolo': [('name', 1, _F.TYPE_STRING), ('confidence', 2, _F.TYPE_FLOAT)] + [
        (name, number, kind) for number, (name, kind) in enumerate(_BOX, start=3)],
    'DetectedFace': [('confidence', 1, _F.TYPE_FLOAT)] + [
        (name, number, kind) for number, (name, kind) in enumerate(_BOX, start=2)],
    'YoloDetectionResponse': [('number', 1, _F.TYPE_INT32), ('timestamp', 2, _F.TYPE_INT64),
                              ('yolos', 3, _F.TYPE_MESSAGE)],
    'FaceDetectionResponse': [('number', 1, _F.TYPE_INT32), ('timestamp', 2, _F.TYPE_INT64),
                              ('faces', 3, _F.TYPE_MESSAGE)],
}
ORIGINAL_BACKEND_METHODS = {
    '/YoloDetection/YoloDetect': ('YoloDetectionRequest', 'YoloDetectionResponse'),
    '/FaceDetection/FaceDetect': ('FaceDetectionRequest', 'FaceDetectionResponse'),
}


@pytest.mark.parametrize('message', ORIGINAL_BACKEND_MESSAGES)
def test_backend_messages_are_the_originals(message):
    fields = legacy_pb2.DESCRIPTOR.message_types_by_name[message].fields
    assert [(f.name, f.number, f.type) for f in fields] == ORIGINAL_BACKEND_MESSAGES[message]
    repeated = [f.name for f in fields if f.is_repeated]
    assert repeated == [f.name for f in fields if f.name in ('yolos', 'faces')]


def test_backend_services_take_and_return_their_own_messages_without_package():
    assert legacy_pb2.DESCRIPTOR.package == ''
    for path, (request, response) in ORIGINAL_BACKEND_METHODS.items():
        service, method = path.strip('/').split('/')
        found = legacy_pb2.DESCRIPTOR.services_by_name[service].methods_by_name[method]
        assert (found.input_type.full_name, found.output_type.full_name) == (request, response)


@pytest.fixture(scope='module')
def original_backends() -> Iterator[OriginalBackends]:
    """Start an original face and YOLO backend (original protocol only)."""
    backends = OriginalBackends()
    yield backends
    backends.stop()


@pytest.fixture(scope='module', params=[BackendProtocol.AUTO, BackendProtocol.ORIGINAL])
def ingress_over_originals(request, start_server, original_backends) -> str:
    """Start our ingress over the original backends: detecting them, or told (flag)."""
    return start_server(build_ingress_server(
        settings(), identity(), face_address=original_backends.face_address,
        yolo_address=original_backends.yolo_address, max_pixels=MAX_PIXELS,
        backend_protocol=request.param))


def _object_request(jpeg: bytes, wantface: int = 1) -> legacy_pb2.ObjectDetectionRequest:
    return legacy_pb2.ObjectDetectionRequest(
        user_id=4, wantface=wantface, wantyolo=1,
        frame=legacy_pb2.VideoFrame(number=8, timestamp=99, img=jpeg))


def test_original_robot_through_our_ingress_to_original_backends(channel_to,
                                                                 ingress_over_originals,
                                                                 astronaut, person):
    stub = legacy_pb2_grpc.ObjectDetectionStub(channel_to(ingress_over_originals))
    faces = stub.ObjectDetect(_object_request(astronaut.jpeg), timeout=TIMEOUT_S)
    assert (faces.number, faces.timestamp, faces.name) == (8, 99, SITE)
    assert faces.objects[0].eng == legacy_pb2.DetectedObject.FACE
    assert faces.objects[0].name == 'face'
    people = stub.ObjectDetect(_object_request(person.jpeg, wantface=0), timeout=TIMEOUT_S)
    found = next(o for o in people.objects if o.name == 'person')
    assert found.eng == legacy_pb2.DetectedObject.YOLO
    assert iou((found.x, found.y, found.w, found.h), PASTED_BOX) >= 0.5


def test_v1_filters_apply_to_original_backends_answers(channel_to, ingress_over_originals):
    stub = v1_grpc.DetectorStub(channel_to(ingress_over_originals))
    two_people = encode(person_canvas((20, 140), (420, 140)))
    everything = stub.Detect(v1.DetectRequest(jpeg=two_people), timeout=TIMEOUT_S)
    assert not everything.partial
    assert [(b.engine, b.code) for b in everything.backends] == [(v1.ENGINE_FACE, 0),
                                                                 (v1.ENGINE_YOLO, 0)]
    people = [d for d in everything.detections if d.class_name == 'person']
    assert len(people) == 2
    best = stub.Detect(v1.DetectRequest(jpeg=two_people, engines=[v1.ENGINE_YOLO],
                                        class_names=['person'], max_results=1),
                       timeout=TIMEOUT_S)
    assert list(best.detections) == people[:1]
    assert best.detections[0].box_norm.width == pytest.approx(
        best.detections[0].box_px.width / 640)
    dogs = stub.Detect(v1.DetectRequest(jpeg=two_people, class_names=['dog']),
                       timeout=TIMEOUT_S)
    assert not dogs.detections


def test_original_ingress_calls_reach_our_backends_beside_our_ingress(channel_to, face_address,
                                                                      yolo_address, person):
    frame = legacy_pb2.VideoFrame(number=3, timestamp=5, img=person.jpeg)
    faces = legacy_pb2_grpc.FaceDetectionStub(channel_to(face_address)).FaceDetect(
        legacy_pb2.FaceDetectionRequest(frame=frame), timeout=TIMEOUT_S)
    yolos = legacy_pb2_grpc.YoloDetectionStub(channel_to(yolo_address)).YoloDetect(
        legacy_pb2.YoloDetectionRequest(frame=frame, max_results=2), timeout=TIMEOUT_S)
    assert (faces.number, yolos.number, yolos.timestamp) == (3, 3, 5)
    assert 1 <= len(yolos.yolos) <= 2 and yolos.yolos[0].name == 'person'
