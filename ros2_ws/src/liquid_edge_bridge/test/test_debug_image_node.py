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

"""debug_image node over real DDS: the annotated view, boxes held between answers, bad frames."""

import itertools

from builtin_interfaces.msg import Time
import cv2
from liquid_edge_bridge.conversions import color_msg, detections_to_msg
from liquid_edge_bridge.debug_image_node import DebugImageNode
from liquid_edge_bridge.detections import CenteredDetection
from liquid_edge_interfaces.msg import ActiveEdge, FollowState
from liquid_edge_toolkit.pytest_plugin import spin_until
from liquid_edge_toolkit.qos import LATCHED, SENSOR_DATA
import numpy as np
import pytest
from rcl_interfaces.msg import Log
from rclpy.qos import DurabilityPolicy, QoSProfile
from sensor_msgs.msg import CompressedImage
from std_msgs.msg import Header
from vision_msgs.msg import Detection2DArray

# A person whose box's left border is the column x = 200, rows 100..400.
PERSON = CenteredDetection('person', 0, 0.9, 260.0, 250.0, 120.0, 300.0)
BORDER = (250, 200)  # (row, column) on the box's left border
EDGE_DOT = (12, 12)  # the active edge's colour in the status bar
STAMP = Time(sec=1000)
FRAME_PERIOD_S = 0.05
_namespaces = itertools.count()


def later(seconds: float) -> Time:
    """Return STAMP plus ``seconds``."""
    return Time(sec=STAMP.sec + int(seconds), nanosec=int(seconds % 1 * 1e9))


def grey_frame() -> bytes:
    """Return a 640x480 mid-grey JPEG: any red or green on it is the overlay's."""
    ok, jpeg = cv2.imencode('.jpg', np.full((480, 640, 3), 128, dtype=np.uint8))
    assert ok
    return jpeg.tobytes()


def is_red(pixel) -> bool:
    """Return whether a BGR pixel is the followed target's red."""
    return pixel[2] > 200 and pixel[0] < 80 and pixel[1] < 80


class Rig:
    """The node under test; the probe plays camera, bridge and follower and keeps the view."""

    def __init__(self, graph, context):
        self.graph = graph
        namespace = f'/debug_image_test_{next(_namespaces)}'
        self.node = graph.add(DebugImageNode(context=context, namespace=namespace))
        probe = graph.probe
        self.frame_data = grey_frame()
        self.frame_stamp = STAMP  # of every frame the camera publishes from now on
        self.views = []           # (stamp, decoded image) of each debug image received
        self.logs = []
        self.camera = probe.create_publisher(
            CompressedImage, f'{namespace}/camera/image_raw/compressed', SENSOR_DATA)
        self.inputs = [
            probe.create_publisher(Detection2DArray, f'{namespace}/detections', 5),
            probe.create_publisher(ActiveEdge, f'{namespace}/edge/active', LATCHED),
            probe.create_publisher(FollowState, f'{namespace}/follow/state', 10),
        ]
        probe.create_subscription(CompressedImage, f'{namespace}/debug_image/compressed',
                                  self._on_view, SENSOR_DATA)
        probe.create_subscription(
            Log, '/rosout', self.logs.append,
            QoSProfile(depth=100, durability=DurabilityPolicy.TRANSIENT_LOCAL))
        assert spin_until(graph.executor, lambda: all(
            publisher.get_subscription_count() > 0 for publisher in [self.camera] + self.inputs)
        ), 'the node did not subscribe to its inputs'
        probe.create_timer(FRAME_PERIOD_S, self._publish_frame)

    def publish_answer(self) -> None:
        """Publish, once: the person detected on the frame of STAMP, a green edge, following."""
        detections, active, state = self.inputs
        detections.publish(detections_to_msg(
            Header(stamp=STAMP, frame_id='camera_optical_frame'), [PERSON]))
        active.publish(ActiveEdge(reachable=True, name='edge-a', address='127.0.0.1:50051',
                                  color=color_msg((0.0, 1.0, 0.0)), latency=0.042))
        message = FollowState(state=FollowState.FOLLOW, state_name='follow',
                              target_class='person')
        message.target_box.center.position.x = PERSON.center_x
        message.target_box.center.position.y = PERSON.center_y
        message.target_box.size_x, message.target_box.size_y = PERSON.width, PERSON.height
        state.publish(message)

    def view_of(self, stamp: Time, boxed=None):
        """Wait for a view of the frame of ``stamp`` (with the box drawn or not, if given)."""
        def found():
            return next((image for view_stamp, image in reversed(self.views)
                         if view_stamp == stamp
                         and (boxed is None or is_red(image[BORDER]) == boxed)), None)
        assert spin_until(self.graph.executor, lambda: found() is not None), \
            f'no debug image of the frame of {stamp}' + (
                '' if boxed is None else f' {"with" if boxed else "without"} the box')
        return found()

    def _publish_frame(self) -> None:
        message = CompressedImage(format='jpeg', data=self.frame_data)
        message.header.stamp = self.frame_stamp
        message.header.frame_id = 'camera_optical_frame'
        self.camera.publish(message)

    def _on_view(self, message: CompressedImage) -> None:
        assert message.format == 'jpeg'
        assert message.header.frame_id == 'camera_optical_frame'
        image = cv2.imdecode(np.frombuffer(bytes(message.data), np.uint8), cv2.IMREAD_COLOR)
        self.views.append((message.header.stamp, image))


@pytest.fixture
def rig(ros_graph, ros_context):
    """Give a Rig in a namespace of its own."""
    return Rig(ros_graph, ros_context)


def test_frame_and_detections_give_the_annotated_view(rig):
    rig.publish_answer()
    image = rig.view_of(STAMP, boxed=True)
    assert image.shape == (480, 640, 3)
    assert image[EDGE_DOT][1] > 200 and image[EDGE_DOT][2] < 80  # the active edge, green


def test_last_boxes_are_drawn_on_later_frames_until_max_box_age(rig):
    rig.publish_answer()
    rig.view_of(STAMP, boxed=True)
    rig.frame_stamp = later(0.5)  # no new detections: the last ones are held
    image = rig.view_of(rig.frame_stamp)
    assert is_red(image[BORDER])
    assert image[EDGE_DOT][1] > 200  # the edge is held too
    rig.frame_stamp = later(1.5)  # beyond max_box_age (1 s) of the detections' frame
    image = rig.view_of(rig.frame_stamp)
    assert not is_red(image[BORDER])
    assert image[EDGE_DOT][1] > 200


def test_a_frame_that_is_not_a_jpeg_is_logged_and_the_next_one_drawn(rig):
    rig.frame_data = b'not a jpeg'

    def logged():
        return any('debug_image' in log.name and 'not a decodable image' in log.msg
                   for log in rig.logs)
    assert spin_until(rig.graph.executor, logged), 'no warning about the bad frame'
    rig.frame_data = grey_frame()
    rig.frame_stamp = later(0.1)
    rig.view_of(rig.frame_stamp)
