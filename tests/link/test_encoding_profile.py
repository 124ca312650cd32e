"""
The encoding profile: measured against a real YOLO service, and the shipped one usable.

`measure` runs on a few rendered frames against a real EdgeStack on loopback; the shipped
config/encoding_profile.yaml must load into the bridge's controller and span the grid.
"""
import pathlib

import grpc
from liquid_edge.stack import EdgeStack
from liquid_edge_bridge.encoding_controller import EncodingController, EncodingProfile
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_sim.encoding_profile import (found_people, measure, QUALITIES,
                                              rendered_frames, SIZES)

SHIPPED = pathlib.Path(__file__).resolve().parents[2] / 'config' / 'encoding_profile.yaml'


def test_the_shipped_profile_covers_the_grid_and_drives_the_controller():
    profile = EncodingProfile.load(str(SHIPPED))
    assert sorted(point.key for point in profile.points) == sorted(
        (quality, width, height) for width, height in SIZES for quality in QUALITIES)
    for width, height in SIZES:
        by_quality = sorted((p for p in profile.points if (p.width, p.height) == (width,
                                                                                  height)),
                            key=lambda point: point.quality)
        assert [p.bytes_mean for p in by_quality] == sorted(p.bytes_mean for p in by_quality)
    best = max(point.recall for point in profile.points)
    assert best >= 0.6  # the detector sees the simulated people
    assert EncodingController(profile).settings.quality in QUALITIES


def test_found_people_counts_each_detection_once():
    boxes = [(0, 0, 10, 10), (5, 5, 10, 10)]
    assert found_people(boxes, [(7, 7)]) == 1
    assert found_people(boxes, [(7, 7), (8, 8)]) == 2
    assert found_people(boxes, [(50, 50)]) == 0


def test_measure_against_a_real_yolo_service():
    frames = rendered_frames(3, seed=1)
    with EdgeStack('profile-test', '#808080') as edge, \
            grpc.insecure_channel(edge.yolo_address) as channel:
        points = measure(frames, v1_grpc.DetectorStub(channel), sizes=((640, 480),),
                         qualities=(30, 95))
    low, high = points
    assert (low['quality'], high['quality']) == (30, 95)
    assert low['bytes_mean'] < high['bytes_mean'] <= high['bytes_p95']
    assert high['recall'] > 0.0
