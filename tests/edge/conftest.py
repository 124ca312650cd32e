"""Real photos and real in-process edge servers on 127.0.0.1 for the edge tests."""
from collections.abc import Callable, Iterator

import cv2
from edge_harness import encode, identity, load_tiny_yolo, MAX_PIXELS, person_canvas, Photo
from edge_harness import settings
import grpc
from liquid_edge.face_service import build_face_server
from liquid_edge.ingress import build_ingress_server
from liquid_edge.server import EdgeServer
from liquid_edge.yolo_service import build_yolo_server
import pytest
import skimage.data


@pytest.fixture(scope='session')
def astronaut() -> Photo:
    """Return skimage's astronaut photo: one clearly visible frontal face."""
    bgr = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    return Photo(bgr, encode(bgr))


@pytest.fixture(scope='session')
def person() -> Photo:
    """Return a 640x480 frame with a small astronaut (a person YOLOv3-tiny finds)."""
    bgr = person_canvas()
    return Photo(bgr, encode(bgr))


@pytest.fixture(scope='session')
def start_server() -> Iterator[Callable[[EdgeServer], str]]:
    """Start a server built by a test; every one is stopped at the end of the session."""
    started = []

    def start(server: EdgeServer) -> str:
        server.start()
        started.append(server)
        return f'127.0.0.1:{server.port}'

    yield start
    for server in started:
        server.stop(0)


@pytest.fixture(scope='session')
def face_address(start_server) -> str:
    """Start a face backend with two Haar detectors."""
    return start_server(build_face_server(settings(), identity(), max_pixels=MAX_PIXELS,
                                          workers=2))


@pytest.fixture(scope='session')
def yolo_address(start_server) -> str:
    """Start a YOLO backend with two YOLOv3-tiny detectors."""
    return start_server(build_yolo_server(settings(), identity(), max_pixels=MAX_PIXELS,
                                          load=load_tiny_yolo, workers=2))


@pytest.fixture(scope='session')
def ingress_address(start_server, face_address, yolo_address) -> str:
    """Start the ingress over the face and YOLO backends."""
    return start_server(build_ingress_server(settings(), identity(),
                                             face_address=face_address,
                                             yolo_address=yolo_address,
                                             max_pixels=MAX_PIXELS))


@pytest.fixture
def channel_to() -> Iterator[Callable[[str], grpc.Channel]]:
    """Open channels to addresses; all are closed after the test."""
    channels = []

    def open_channel(address: str) -> grpc.Channel:
        channels.append(grpc.insecure_channel(address))
        return channels[-1]

    yield open_channel
    for channel in channels:
        channel.close()
