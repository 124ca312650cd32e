# Copyright 2026 LIQUID EDGE founders
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""v1 DetectResponse → plain detections → vision_msgs Detection2DArray."""
from builtin_interfaces.msg import Time
from liquid_edge_bridge.conversions import color_msg, described_detections_to_msg, \
    detections_from_msg, detections_to_msg
from liquid_edge_bridge.detections import answer_from_response
from liquid_edge_protocol import detection_v1_pb2 as v1
import pytest
from std_msgs.msg import Header


def response():
    return v1.DetectResponse(
        request_id='42', image_width=640, image_height=480, partial=True,
        edge=v1.EdgeIdentity(site='edge-a', host='pod-1', color='#00c853'),
        timings=v1.StageTimings(total_ms=12.5),
        detections=[
            v1.Detection(engine=v1.ENGINE_YOLO, class_id=0, class_name='person', score=0.9,
                         box_px=v1.Box(x=100, y=50, width=200, height=300)),
            v1.Detection(engine=v1.ENGINE_FACE, class_id=0, class_name='face', score=1.0,
                         box_px=v1.Box(x=150, y=60, width=40, height=40)),
        ])


def test_answer_carries_centred_pixel_boxes_and_edge_identity():
    answer = answer_from_response(response())
    assert answer.request_id == '42' and answer.partial
    assert (answer.image_width, answer.image_height) == (640, 480)
    assert (answer.edge_site, answer.edge_color) == ('edge-a', '#00c853')
    person = answer.detections[0]
    assert person.class_name == 'person' and person.score == pytest.approx(0.9)
    assert (person.center_x, person.center_y, person.width, person.height) == (200, 200, 200, 300)
    assert answer.edge_total_ms == pytest.approx(12.5)


def test_detection_array_copies_the_image_header_and_fills_the_hypothesis():
    header = Header(stamp=Time(sec=12, nanosec=345), frame_id='camera_optical_frame')
    array = detections_to_msg(header, answer_from_response(response()).detections)
    assert array.header == header
    assert len(array.detections) == 2
    person = array.detections[0]
    assert person.header == header
    assert person.results[0].hypothesis.class_id == 'person'
    assert person.results[0].hypothesis.score == pytest.approx(0.9)
    assert (person.bbox.center.position.x, person.bbox.center.position.y) == (200.0, 200.0)
    assert (person.bbox.size_x, person.bbox.size_y) == (200.0, 300.0)
    assert array.detections[1].results[0].hypothesis.class_id == 'face'


def test_detection_array_reads_back_as_the_boxes_drawn_on_the_debug_image():
    detections = answer_from_response(response()).detections
    boxes = detections_from_msg(detections_to_msg(Header(), detections))
    assert [(b.class_name, b.center_x, b.center_y, b.width, b.height) for b in boxes] == \
        [(d.class_name, d.center_x, d.center_y, d.width, d.height) for d in detections]
    assert boxes[0].score == pytest.approx(0.9) and boxes[0].class_id == -1


def test_no_edge_is_grey():
    grey = color_msg(None)
    assert (grey.r, grey.g, grey.b, grey.a) == pytest.approx((0.5, 0.5, 0.5, 1.0))
    assert color_msg((1.0, 0.0, 0.0)).r == 1.0


def test_integer_boxes_become_float_fields():
    from liquid_edge_bridge.detections import CenteredDetection
    array = detections_to_msg(Header(), [CenteredDetection('face', 0, 1, 10, 20, 5, 6)])
    bbox = array.detections[0].bbox
    assert (bbox.center.position.x, bbox.size_y) == (10.0, 6.0)


def described_response():
    """Return a response: person and car from YOLO, a face with another descriptor kind."""
    return v1.DetectResponse(
        backends=[v1.BackendStatus(engine=v1.ENGINE_YOLO, appearance_model=v1.ModelInfo(
                      name='hs-histogram', version='1-2x8x4')),
                  v1.BackendStatus(engine=v1.ENGINE_FACE, appearance_model=v1.ModelInfo(
                      name='other', version='9'))],
        detections=[
            v1.Detection(engine=v1.ENGINE_YOLO, class_name='person', score=0.9,
                         box_px=v1.Box(x=0, y=0, width=10, height=20), appearance=[0.6, 0.8]),
            v1.Detection(engine=v1.ENGINE_YOLO, class_name='car', score=0.9,
                         box_px=v1.Box(x=0, y=0, width=10, height=20)),
            v1.Detection(engine=v1.ENGINE_FACE, class_name='face', score=0.9,
                         box_px=v1.Box(x=0, y=0, width=10, height=20), appearance=[1.0, 0.0]),
        ])


def test_described_detections_carry_one_row_per_detection_of_one_kind():
    answer = answer_from_response(described_response())
    assert answer.descriptor == ('hs-histogram', '1-2x8x4')
    # The face's vector is of another kind: dropped, never mixed with the others.
    assert [d.appearance for d in answer.detections] == [
        pytest.approx((0.6, 0.8)), (), ()]
    msg = described_detections_to_msg(Header(frame_id='cam'), answer.detections,
                                      answer.descriptor)
    assert len(msg.detections.detections) == 3 and msg.detections.header.frame_id == 'cam'
    assert (msg.descriptor_name, msg.descriptor_version, msg.descriptor_size) == (
        'hs-histogram', '1-2x8x4', 2)
    assert list(msg.descriptors) == pytest.approx([0.6, 0.8, 0.0, 0.0, 0.0, 0.0])


def test_no_descriptor_gives_an_empty_table():
    answer = answer_from_response(response())
    msg = described_detections_to_msg(Header(), answer.detections, answer.descriptor)
    assert (msg.descriptor_name, msg.descriptor_size, len(msg.descriptors)) == ('', 0, 0)
    assert len(msg.detections.detections) == 2
