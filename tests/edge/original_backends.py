"""Face and YOLO backends that speak only the original backend protocol, as the original does.

Real detectors (Haar at scale 1.3 on the full grey image, YOLOv3-tiny on OpenCV DNN) behind a
plain grpc.server with the original FaceDetection and YoloDetection services and nothing else:
no v1 API, no health, so our ingress must talk to them as an original ingress would.
"""
from concurrent import futures
import threading

import cv2
from edge_harness import load_tiny_yolo
import grpc
from liquid_edge.face import FaceDetector
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
import numpy as np

# The original YOLO backend's colour: the mean of a 4x4 patch at the box centre.
_PATCH = 4


def _centre_rgb(image: np.ndarray, x: int, y: int, w: int, h: int) -> tuple[int, int, int]:
    left = min(max(x + w // 2 - _PATCH // 2, 0), image.shape[1] - _PATCH)
    top = min(max(y + h // 2 - _PATCH // 2, 0), image.shape[0] - _PATCH)
    blue, green, red = image[top:top + _PATCH, left:left + _PATCH].reshape(-1, 3).mean(axis=0)
    return int(red), int(green), int(blue)


def _decode(frame: legacy_pb2.VideoFrame) -> np.ndarray:
    return cv2.imdecode(np.frombuffer(frame.img, dtype=np.uint8), cv2.IMREAD_COLOR)


class OriginalFaceBackend(legacy_pb2_grpc.FaceDetectionServicer):
    """``FaceDetection.FaceDetect`` with the original's own messages."""

    def __init__(self):
        self._detector = FaceDetector()
        self._lock = threading.Lock()

    def FaceDetect(self, request, context):  # noqa: N802 (gRPC method name)
        """Detect faces on the full-size frame; every face has confidence 1."""
        image = _decode(request.frame)
        with self._lock:
            found = self._detector.detect(image)
        faces = []
        for face in found[:request.max_results or None]:
            box = (int(face.x), int(face.y), int(face.width), int(face.height))
            red, green, blue = _centre_rgb(image, *box)
            faces.append(legacy_pb2.DetectedFace(confidence=face.score, x=box[0], y=box[1],
                                                 w=box[2], h=box[3], r=red, g=green, b=blue))
        return legacy_pb2.FaceDetectionResponse(number=request.frame.number,
                                                timestamp=request.frame.timestamp, faces=faces)


class OriginalYoloBackend(legacy_pb2_grpc.YoloDetectionServicer):
    """``YoloDetection.YoloDetect`` with the original's own messages."""

    def __init__(self):
        self._detector = load_tiny_yolo()
        self._lock = threading.Lock()

    def YoloDetect(self, request, context):  # noqa: N802 (gRPC method name)
        """Detect objects on the frame with YOLOv3-tiny on OpenCV DNN."""
        image = _decode(request.frame)
        with self._lock:
            found = self._detector.detect(image)
        yolos = []
        for found_object in found[:request.max_results or None]:
            box = (int(found_object.x), int(found_object.y), int(found_object.width),
                   int(found_object.height))
            red, green, blue = _centre_rgb(image, *box)
            yolos.append(legacy_pb2.DetectedYolo(
                name=found_object.class_name, confidence=found_object.score, x=box[0],
                y=box[1], w=box[2], h=box[3], r=red, g=green, b=blue))
        return legacy_pb2.YoloDetectionResponse(number=request.frame.number,
                                                timestamp=request.frame.timestamp, yolos=yolos)


class OriginalBackends:
    """Both original backends on their own 127.0.0.1 ports; ``stop()`` ends them."""

    def __init__(self):
        self._servers = []
        self.face_address = self._serve(lambda server: (
            legacy_pb2_grpc.add_FaceDetectionServicer_to_server(OriginalFaceBackend(), server)))
        self.yolo_address = self._serve(lambda server: (
            legacy_pb2_grpc.add_YoloDetectionServicer_to_server(OriginalYoloBackend(), server)))

    def _serve(self, add) -> str:
        server = grpc.server(futures.ThreadPoolExecutor(max_workers=10))
        add(server)
        port = server.add_insecure_port('127.0.0.1:0')
        server.start()
        self._servers.append(server)
        return f'127.0.0.1:{port}'

    def stop(self) -> None:
        """Stop both servers at once."""
        for server in self._servers:
            server.stop(0).wait()
