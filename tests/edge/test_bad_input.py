"""Bad frames get a clear status from every service, and the service stays healthy."""
from edge_harness import encode, identity, MAX_PIXELS, settings
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from liquid_edge.face_service import build_face_server
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
import numpy as np
import pytest

TIMEOUT_S = 20.0
SERVICES = ['face_address', 'yolo_address', 'ingress_address']


def _zero_height_jpeg(jpeg: bytes) -> bytes:
    frame = bytearray(jpeg)
    sof = frame.find(b'\xff\xc0')
    frame[sof + 5:sof + 7] = b'\x00\x00'
    return bytes(frame)


BAD_FRAMES = {
    'empty': (lambda jpeg: b'', 'empty image'),
    'truncated': (lambda jpeg: jpeg[:len(jpeg) // 2], 'truncated JPEG'),
    'not a JPEG': (lambda jpeg: b'GIF89a' + jpeg[6:], 'not a JPEG'),
    'zero size': (_zero_height_jpeg, 'zero width or height'),
}


def _assert_serving(channel: grpc.Channel) -> None:
    status = health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(),
                                                       timeout=TIMEOUT_S)
    assert status.status == health_pb2.HealthCheckResponse.SERVING


@pytest.mark.parametrize('service', SERVICES)
@pytest.mark.parametrize('kind', BAD_FRAMES)
def test_bad_frame_is_invalid_argument_on_both_apis(request, channel_to, person, service,
                                                    kind):
    channel = channel_to(request.getfixturevalue(service))
    spoil, message = BAD_FRAMES[kind]
    frame = spoil(person.jpeg)
    calls = [lambda: v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=frame),
                                                          timeout=TIMEOUT_S)]
    original = legacy_pb2.VideoFrame(img=frame)
    legacy_call = {
        'face_address': lambda: legacy_pb2_grpc.FaceDetectionStub(channel).FaceDetect(
            legacy_pb2.FaceDetectionRequest(frame=original), timeout=TIMEOUT_S),
        'yolo_address': lambda: legacy_pb2_grpc.YoloDetectionStub(channel).YoloDetect(
            legacy_pb2.YoloDetectionRequest(frame=original), timeout=TIMEOUT_S),
        'ingress_address': lambda: legacy_pb2_grpc.ObjectDetectionStub(channel).ObjectDetect(
            legacy_pb2.ObjectDetectionRequest(wantface=1, wantyolo=1, frame=original),
            timeout=TIMEOUT_S),
    }[service]
    calls.append(legacy_call)
    for call in calls:
        with pytest.raises(grpc.RpcError) as failed:
            call()
        assert failed.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        assert message in failed.value.details()
    _assert_serving(channel)
    answer = v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=person.jpeg),
                                                  timeout=TIMEOUT_S)
    assert (answer.image_width, answer.image_height, answer.partial) == (640, 480, False)


@pytest.mark.parametrize('service', SERVICES)
def test_over_the_default_message_limit_is_resource_exhausted(request, channel_to, service):
    channel = channel_to(request.getfixturevalue(service))
    oversized = b'\xff\xd8' + bytes(5 * 1024 * 1024) + b'\xff\xd9'
    with pytest.raises(grpc.RpcError) as failed:
        v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=oversized),
                                             timeout=TIMEOUT_S)
    assert failed.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    _assert_serving(channel)


@pytest.fixture(scope='module')
def small_face_address(start_server) -> str:
    """Start a face backend limited to 100 000 pixels and 64 KiB messages."""
    return start_server(build_face_server(settings(max_message_bytes=64 * 1024), identity(),
                                          max_pixels=100_000))


def test_configured_pixel_limit_is_resource_exhausted(channel_to, small_face_address, person):
    channel = channel_to(small_face_address)
    with pytest.raises(grpc.RpcError) as failed:
        v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=person.jpeg),
                                             timeout=TIMEOUT_S)
    assert failed.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    assert '640x480 = 307200 pixels exceeds the limit of 100000' in failed.value.details()
    _assert_serving(channel)


def test_configured_message_limit_is_resource_exhausted(channel_to, small_face_address):
    noise = np.random.default_rng(0).integers(0, 255, (300, 300, 3), dtype=np.uint8)
    frame = encode(noise, quality=100)
    assert len(frame) > 64 * 1024 and 300 * 300 < MAX_PIXELS
    channel = channel_to(small_face_address)
    with pytest.raises(grpc.RpcError) as failed:
        v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=frame), timeout=TIMEOUT_S)
    assert failed.value.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
    _assert_serving(channel)
