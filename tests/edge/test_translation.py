"""Translation between detections, v1 messages and the original protocol."""
from liquid_edge.detection import Detection
from liquid_edge.identity import EdgeIdentity, parse_color
from liquid_edge.translation import detection_from_v1, detection_to_v1, legacy_objects
from liquid_edge.translation import legacy_response, mean_colour_at_centre
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import legacy_pb2
import numpy as np
import pytest

PERSON = Detection(class_id=0, class_name='person', score=0.75, x=40.0, y=20.0, width=40.0,
                   height=60.0)


def _image_with_patch() -> np.ndarray:
    image = np.zeros((100, 200, 3), dtype=np.uint8)
    image[:, :] = (255, 255, 255)
    image[35:66, 45:76] = (10, 20, 30)  # BGR around the box centre (60, 50)
    return image


def test_v1_box_is_in_pixels_and_normalised_and_round_trips():
    message = detection_to_v1(PERSON, v1.ENGINE_YOLO, 200, 100)
    assert message.engine == v1.ENGINE_YOLO and message.class_name == 'person'
    assert (message.box_norm.x, message.box_norm.y, message.box_norm.width,
            message.box_norm.height) == pytest.approx((0.2, 0.2, 0.2, 0.6))
    assert detection_from_v1(message) == PERSON


def test_mean_colour_is_taken_at_the_box_centre_as_rgb():
    assert mean_colour_at_centre(_image_with_patch(), PERSON) == (30, 20, 10)


def test_mean_colour_from_a_reduced_image_scales_the_box():
    half = _image_with_patch()[::2, ::2]
    assert mean_colour_at_centre(half, PERSON, scale=0.5) == (30, 20, 10)


def test_mean_colour_of_a_box_at_the_border_stays_inside_the_image():
    corner = Detection(0, 'face', 1.0, x=195.0, y=-5.0, width=10.0, height=10.0)
    assert mean_colour_at_centre(_image_with_patch(), corner) == (255, 255, 255)


def test_legacy_objects_keep_order_engine_and_integer_boxes():
    face = Detection(0, 'face', 1.0, x=1.4, y=2.6, width=10.5, height=9.49)
    objects = legacy_objects([(v1.ENGINE_FACE, face), (v1.ENGINE_YOLO, PERSON)],
                             _image_with_patch())
    assert [(o.name, o.eng) for o in objects] == [
        ('face', legacy_pb2.DetectedObject.FACE), ('person', legacy_pb2.DetectedObject.YOLO)]
    assert (objects[0].x, objects[0].y, objects[0].w, objects[0].h) == (1, 3, 10, 9)
    assert (objects[1].r, objects[1].g, objects[1].b) == (30, 20, 10)


def test_legacy_response_echoes_the_frame_and_names_the_edge():
    identity = EdgeIdentity(site='edge-a', color='#ff0000', host='vm', ipv4='10.1.2.3')
    response = legacy_response(7, 123456789, [], identity)
    assert (response.number, response.timestamp, response.name) == (7, 123456789, 'edge-a')
    assert response.ipv4 == (10 << 24) | (1 << 16) | (2 << 8) | 3


def test_colours_must_be_rrggbb():
    assert parse_color('#A0b1C2') == '#a0b1c2'
    with pytest.raises(ValueError, match='not of the form #rrggbb'):
        parse_color('red')
