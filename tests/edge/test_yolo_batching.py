"""Micro-batching of YOLO frames on ONNX Runtime: each frame gets its lone answer, fairly."""
from concurrent.futures import ThreadPoolExecutor
import threading

from edge_harness import encode, identity, load_tiny_yolo, MAX_PIXELS, person_canvas, settings
from liquid_edge.detector_pool import PoolTimeout
from liquid_edge.yolo import default_model_files, load_detector, YoloDetector
from liquid_edge.yolo.batching import BatchingDetector, runs_alone
from liquid_edge.yolo.onnx_cache import darknet_as_onnx
from liquid_edge.yolo_service import build_yolo_server
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
import pytest

TIMEOUT_S = 20.0
CORNERS = ((0, 0), (440, 0), (0, 280), (440, 280), (100, 150), (300, 60), (220, 200),
           (20, 140))


@pytest.fixture(scope='module')
def load_onnx_yolo(tmp_path_factory):
    """Return a loader of the packaged YOLOv3-tiny converted to ONNX (dynamic batch)."""
    files = default_model_files()
    model = darknet_as_onnx(files.cfg, files.weights, 416, tmp_path_factory.mktemp('cache'))

    def load(threads: int | None = None) -> YoloDetector:
        return load_detector(model=model, names=files.names, backend='onnxruntime',
                             threads=threads)
    return load


def _key(detections) -> list[tuple]:
    return [(d.class_name, round(d.x), round(d.y), round(d.width), round(d.height))
            for d in detections]


def _detect_at_once(batching: BatchingDetector, images, robots: int) -> list[list[tuple]]:
    """Send every image at the same moment, a thread each, from `robots` robots in turn."""
    start = threading.Barrier(len(images))

    def detect(index: int) -> list[tuple]:
        start.wait()
        return _key(batching.detect(images[index], TIMEOUT_S, f'robot-{index % robots}'))
    with ThreadPoolExecutor(len(images)) as pool:
        return list(pool.map(detect, range(len(images))))


def test_frames_run_together_get_their_lone_answers(load_onnx_yolo):
    detector = load_onnx_yolo()
    assert detector.batches
    images = [person_canvas(corner) for corner in CORNERS] * 2
    lone = [_key(detector.detect(image)) for image in images]
    sizes = []
    lock = threading.Lock()

    def observe(frames: int, _seconds: float, _alone: bool) -> None:
        with lock:
            sizes.append(frames)
    batching = BatchingDetector([detector], max_batch=4, window_s=0.05, max_per_robot=16,
                                on_batch=observe)
    assert _detect_at_once(batching, images, robots=3) == lone
    assert sum(sizes) == len(images) and max(sizes) <= 4
    assert max(sizes) > 1, 'sixteen frames at once never ran together'


def test_batches_need_a_model_with_a_dynamic_batch():
    with pytest.raises(ValueError, match='dynamic batch dimension'):
        BatchingDetector([load_tiny_yolo()], max_batch=2, window_s=0.0, max_per_robot=1)


def test_a_frame_out_of_time_is_not_answered(load_onnx_yolo):
    batching = BatchingDetector([load_onnx_yolo()], max_batch=2, window_s=0.0,
                                max_per_robot=4)
    image = person_canvas()
    assert batching.detect(image, TIMEOUT_S)
    with pytest.raises(PoolTimeout):
        batching.detect(image, 0.0)


def test_robot_metrics_count_each_robot(start_server, channel_to, load_onnx_yolo):
    server = build_yolo_server(settings(), identity(), max_pixels=MAX_PIXELS,
                               load=lambda: load_onnx_yolo(1), load_lone=lambda: load_onnx_yolo(2))
    stub = v1_grpc.DetectorStub(channel_to(start_server(server)))
    frame = encode(person_canvas())
    for robot in ('r2d2', 'r2d2', 'bb8'):
        stub.Detect(v1.DetectRequest(jpeg=frame, robot_id=robot), timeout=TIMEOUT_S)
    registry = server.metrics.registry

    def served(robot: str) -> float:
        return registry.get_sample_value('liquid_edge_robot_requests_total',
                                         {'robot': robot, 'outcome': 'served'})
    assert (served('r2d2'), served('bb8')) == (2.0, 1.0)
    assert registry.get_sample_value('liquid_edge_robot_request_seconds_count',
                                     {'robot': 'r2d2'}) == 2.0
    assert registry.get_sample_value('liquid_edge_batch_frames_sum') == 3.0
    # One request at a time: each frame was alone in the service, so ran on every core.
    assert registry.get_sample_value('liquid_edge_lone_runs_total') == 3.0


@pytest.mark.parametrize('frames, waiting, arriving, running, alone', [
    (1, 0, 0, 0, True),    # an idle service: every core on the robot's frame
    (1, 1, 0, 0, False),   # another frame waits: a core each
    (1, 0, 1, 0, False),   # another frame is being prepared
    (1, 0, 0, 1, False),   # another run is under way (maybe the lone one)
    (2, 0, 0, 0, False),   # a batch: its frames share the cores already
    (0, 0, 0, 0, False),   # nothing to run
])
def test_only_a_frame_alone_in_the_service_runs_on_every_core(frames, waiting, arriving,
                                                              running, alone):
    assert runs_alone(frames, waiting, arriving, running) is alone


def test_answers_are_the_same_on_the_lone_and_the_shared_detectors(load_onnx_yolo):
    shared = [load_onnx_yolo(1), load_onnx_yolo(1)]
    lone = load_onnx_yolo(2)
    images = [person_canvas(corner) for corner in CORNERS]
    alone_answers = [_key(lone.detect(image)) for image in images]
    assert alone_answers == [_key(shared[0].detect(image)) for image in images]
    runs = []
    lock = threading.Lock()

    def observe(_frames: int, _seconds: float, alone: bool) -> None:
        with lock:
            runs.append(alone)
    batching = BatchingDetector(shared, max_batch=1, window_s=0.0, max_per_robot=16,
                                on_batch=observe, lone=lone)
    # One at a time, each frame is alone in the service.
    assert [_key(batching.detect(image, TIMEOUT_S)) for image in images] == alone_answers
    assert runs == [True] * len(images)
    runs.clear()
    assert _detect_at_once(batching, images, robots=len(images)) == alone_answers
    assert not all(runs), 'eight frames at once all ran alone'
