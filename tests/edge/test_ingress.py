"""The ingress over real face and YOLO backends: both APIs, partial answers, concurrency."""
from concurrent.futures import ThreadPoolExecutor
import socket
import time

from edge_harness import COLOR, encode, identity, iou, load_tiny_yolo, MAX_PIXELS, PASTED_BOX
from edge_harness import person_canvas, settings, SITE
import grpc
from liquid_edge.ingress import backend_address, backend_timeout, build_ingress_server
from liquid_edge.yolo_service import build_yolo_server
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
import pytest

TIMEOUT_S = 20.0


def _legacy(jpeg: bytes, wantface=1, wantyolo=1, max_results=0, number=5):
    return legacy_pb2.ObjectDetectionRequest(
        user_id=99, wantface=wantface, wantyolo=wantyolo, max_results=max_results,
        frame=legacy_pb2.VideoFrame(number=number, timestamp=1234, img=jpeg))


def test_v1_merges_faces_then_yolo_objects(channel_to, ingress_address, astronaut, person):
    stub = v1_grpc.DetectorStub(channel_to(ingress_address))
    faces = stub.Detect(v1.DetectRequest(request_id='a', client_timestamp_ns=77,
                                         jpeg=astronaut.jpeg), timeout=TIMEOUT_S)
    assert (faces.request_id, faces.client_timestamp_ns) == ('a', 77)
    assert faces.detections[0].engine == v1.ENGINE_FACE
    engines = [d.engine for d in faces.detections]
    assert engines == sorted(engines), 'faces come before YOLO objects'
    assert [(b.engine, b.code) for b in faces.backends] == [
        (v1.ENGINE_FACE, 0), (v1.ENGINE_YOLO, 0)]
    assert faces.backends[1].model.name == 'yolov3-tiny'
    assert (faces.edge.site, faces.edge.color, faces.partial) == (SITE, COLOR, False)
    people = stub.Detect(v1.DetectRequest(jpeg=person.jpeg, class_names=['person']),
                         timeout=TIMEOUT_S)
    box = people.detections[0].box_px
    assert people.detections[0].class_name == 'person'
    assert iou((box.x, box.y, box.width, box.height), PASTED_BOX) >= 0.5


def test_original_client_is_served_unchanged(channel_to, ingress_address, person):
    response = legacy_pb2_grpc.ObjectDetectionStub(channel_to(ingress_address)).ObjectDetect(
        _legacy(person.jpeg, number=314), timeout=TIMEOUT_S)
    assert (response.number, response.timestamp, response.name) == (314, 1234, SITE)
    assert response.ipv4 == 0x7F000001
    person_object = next(o for o in response.objects if o.name == 'person')
    assert person_object.eng == legacy_pb2.DetectedObject.YOLO
    assert iou((person_object.x, person_object.y, person_object.w, person_object.h),
               PASTED_BOX) >= 0.5
    # The colour is sampled at the box centre, inside the pasted photo (not the grey canvas).
    assert (person_object.r, person_object.g, person_object.b) != (128, 128, 128)


def test_wantface_wantyolo_and_max_results(channel_to, ingress_address, astronaut, person):
    stub = legacy_pb2_grpc.ObjectDetectionStub(channel_to(ingress_address))
    faces_only = stub.ObjectDetect(_legacy(astronaut.jpeg, wantyolo=0), timeout=TIMEOUT_S)
    assert {o.eng for o in faces_only.objects} == {legacy_pb2.DetectedObject.FACE}
    yolo_only = stub.ObjectDetect(_legacy(person.jpeg, wantface=0), timeout=TIMEOUT_S)
    assert yolo_only.objects
    assert {o.eng for o in yolo_only.objects} == {legacy_pb2.DetectedObject.YOLO}
    nothing = stub.ObjectDetect(_legacy(person.jpeg, wantface=0, wantyolo=0),
                                timeout=TIMEOUT_S)
    assert (nothing.number, list(nothing.objects)) == (5, [])
    two_people = encode(person_canvas((20, 140), (420, 140)))
    all_yolo = stub.ObjectDetect(_legacy(two_people, wantface=0), timeout=TIMEOUT_S)
    one = stub.ObjectDetect(_legacy(two_people, wantface=0, max_results=1), timeout=TIMEOUT_S)
    assert len(all_yolo.objects) > 1 and list(one.objects) == list(all_yolo.objects[:1])


def test_eight_concurrent_clients_get_their_sequential_answers(channel_to, ingress_address,
                                                               astronaut):
    corners = ((0, 0), (440, 0), (0, 280), (440, 280), (100, 150), (300, 60), (220, 200))
    frames = [astronaut.jpeg] + [encode(person_canvas(corner)) for corner in corners]
    stub = v1_grpc.DetectorStub(channel_to(ingress_address))

    def answer(index: int) -> list[tuple]:
        response = stub.Detect(v1.DetectRequest(request_id=str(index), jpeg=frames[index]),
                               timeout=TIMEOUT_S)
        assert response.request_id == str(index) and not response.partial
        return [(d.engine, d.class_name, round(d.box_px.x, 2), round(d.box_px.y, 2),
                 round(d.box_px.width, 2), round(d.box_px.height, 2), round(d.score, 4))
                for d in response.detections]

    alone = [answer(i) for i in range(len(frames))]
    assert len({tuple(a) for a in alone}) == len(frames), 'every frame has its own answer'
    with ThreadPoolExecutor(max_workers=8) as clients:
        together = list(clients.map(answer, [i for _ in range(3) for i in range(8)]))
    assert together == alone * 3


def test_frames_wait_in_the_ingress_instead_of_being_shed_by_one_backend(
        start_server, channel_to, face_address, person):
    # A YOLO backend that takes one frame at a time and sheds the rest at once: without the
    # ingress's dispatch limit, concurrent robots would get answers with faces only.
    yolo = start_server(build_yolo_server(settings(max_in_flight=1, max_workers=2), identity(),
                                          max_pixels=MAX_PIXELS, load=load_tiny_yolo,
                                          workers=1))
    address = start_server(build_ingress_server(
        settings(), identity(), face_address=face_address, yolo_address=yolo,
        max_pixels=MAX_PIXELS, max_dispatch=1))
    stub = v1_grpc.DetectorStub(channel_to(address))

    def answer(robot: int) -> v1.DetectResponse:
        return stub.Detect(v1.DetectRequest(jpeg=person.jpeg, robot_id=f'robot-{robot}'),
                           timeout=TIMEOUT_S)

    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(answer, range(6)))
    assert [(a.partial, [b.code for b in a.backends]) for a in answers] == [(False, [0, 0])] * 6
    assert all(any(d.class_name == 'person' for d in a.detections) for a in answers)


@pytest.fixture
def silent_backend():
    """Return the address of a socket that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(('127.0.0.1', 0))
        listener.listen(8)
        yield f'127.0.0.1:{listener.getsockname()[1]}'


@pytest.fixture
def refused_backend():
    """Return an address where nothing listens (the connection is refused)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        port = probe.getsockname()[1]
    return f'127.0.0.1:{port}'


def test_a_dead_backend_gives_a_partial_answer(start_server, channel_to, face_address,
                                               refused_backend, astronaut):
    address = start_server(build_ingress_server(
        settings(), identity(), face_address=face_address, yolo_address=refused_backend,
        max_pixels=MAX_PIXELS))
    channel = channel_to(address)
    response = v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=astronaut.jpeg),
                                                    timeout=TIMEOUT_S)
    assert response.partial
    assert [d.class_name for d in response.detections] == ['face']
    yolo_status = response.backends[1]
    assert yolo_status.engine == v1.ENGINE_YOLO
    assert yolo_status.code == grpc.StatusCode.UNAVAILABLE.value[0]
    assert refused_backend in yolo_status.message
    legacy = legacy_pb2_grpc.ObjectDetectionStub(channel).ObjectDetect(
        _legacy(astronaut.jpeg), timeout=TIMEOUT_S)
    assert [o.name for o in legacy.objects] == ['face']


def test_a_late_backend_is_cut_at_the_callers_deadline(start_server, channel_to, yolo_address,
                                                       silent_backend, person):
    address = start_server(build_ingress_server(
        settings(), identity(), face_address=silent_backend, yolo_address=yolo_address,
        max_pixels=MAX_PIXELS))
    caller_timeout = 1.5
    started = time.monotonic()
    response = v1_grpc.DetectorStub(channel_to(address)).Detect(
        v1.DetectRequest(jpeg=person.jpeg), timeout=caller_timeout)
    assert time.monotonic() - started < caller_timeout
    assert response.partial
    assert response.backends[0].code == grpc.StatusCode.DEADLINE_EXCEEDED.value[0]
    assert response.backends[1].code == 0
    assert any(d.class_name == 'person' for d in response.detections)


def test_backend_deadline_leaves_a_margin_of_the_callers_time():
    assert backend_timeout(None, 1.0) == 1.0
    assert backend_timeout(1.0, 5.0) == pytest.approx(0.9)
    assert backend_timeout(0.02, 5.0) == pytest.approx(0.015)
    assert backend_timeout(0.004, 5.0) < 0


@pytest.mark.parametrize('text, address', [
    ('face', 'face:50053'), ('face:6000', 'face:6000'), ('10.0.0.2', '10.0.0.2:50053'),
    ('[::1]', '[::1]:50053'), ('[::1]:7', '[::1]:7'), ('::1', '[::1]:50053'),
])
def test_backend_hosts_take_the_default_port(text, address):
    assert backend_address(text, 50053) == address
