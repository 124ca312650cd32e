"""LIQUID EDGE protocol: the original wire format and the versioned v1 API.

``legacy_pb2``/``legacy_pb2_grpc`` are the original messages and services (no proto
package); ``detection_v1_pb2``/``detection_v1_pb2_grpc`` are ``liquidedge.v1``.
"""
from liquid_edge_protocol import detection_v1_pb2, detection_v1_pb2_grpc  # noqa: F401
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc  # noqa: F401

#: Default ports of the original system, kept.
OBJECT_DETECTION_PORT = 50051
FACE_DETECTION_PORT = 50053
YOLO_DETECTION_PORT = 50055
