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

"""
ROS node `debug_image`: the annotated camera view for rqt, launched with ``use_debug:=true``.

camera/image_raw/compressed, `detections`, `edge/active` and `follow/state` in;
`debug_image/compressed` out, drawn by debug_image.py. At most `max_rate` times a second, and
only while someone subscribes, the newest camera frame is drawn with the last detections (as
long as they are at most `max_box_age` older than the frame), the last follow state and the
last active edge: the view holds steady between the edge's answers instead of flickering.
A plain node, not a lifecycle one: it holds no device or channel, and no node depends on it.
"""
import time
from typing import Optional, Tuple

from liquid_edge_bridge.conversions import detections_from_msg
from liquid_edge_bridge.debug_image import Overlay, render_debug_image
from liquid_edge_bridge.detections import CenteredDetection
from liquid_edge_bridge.sliding_window import SlidingWindow
from liquid_edge_interfaces.msg import ActiveEdge, FollowState
from liquid_edge_toolkit.main import run_node
from liquid_edge_toolkit.parameters import descriptor
from liquid_edge_toolkit.qos import LATCHED, SENSOR_DATA
from rclpy.node import Node
from sensor_msgs.msg import CompressedImage
from vision_msgs.msg import Detection2DArray

# The detections rate drawn as fps is counted over this window.
FPS_WINDOW_S = 2.0


class DebugImageNode(Node):
    """Draw the newest camera frame with the last detections, follow state and edge."""

    def __init__(self, **kwargs):
        """Declare the parameters, subscribe to the inputs, start the drawing timer."""
        super().__init__('debug_image', **kwargs)
        d = descriptor
        self.declare_parameters('', [
            ('max_rate', 10.0, d('Maximum rate of debug_image/compressed, Hz', True,
                                 float_range=(0.1, 60.0))),
            ('jpeg_quality', 80, d('JPEG quality of the debug image', True,
                                   integer_range=(1, 100))),
            ('max_box_age', 1.0, d('Detections are drawn on camera frames up to this much '
                                   'newer than the frame they were found on, s', True,
                                   float_range=(0.0, 10.0))),
        ])
        self._quality = self.get_parameter('jpeg_quality').value
        self._max_box_age_ns = int(self.get_parameter('max_box_age').value * 1e9)
        self._frame: Optional[CompressedImage] = None  # the newest frame, until drawn
        self._boxes: Tuple[int, Tuple[CenteredDetection, ...]] = (0, ())  # (stamp ns, boxes)
        self._answers = SlidingWindow(FPS_WINDOW_S)
        self._active: Optional[ActiveEdge] = None
        self._state: Optional[FollowState] = None
        self._publisher = self.create_publisher(
            CompressedImage, 'debug_image/compressed', SENSOR_DATA)
        self.create_subscription(CompressedImage, 'camera/image_raw/compressed',
                                 self._on_frame, SENSOR_DATA)
        self.create_subscription(Detection2DArray, 'detections', self._on_detections, 5)
        self.create_subscription(ActiveEdge, 'edge/active', self._on_active, LATCHED)
        self.create_subscription(FollowState, 'follow/state', self._on_state, 10)
        self.create_timer(1.0 / self.get_parameter('max_rate').value, self._on_timer)

    def _on_frame(self, frame: CompressedImage) -> None:
        self._frame = frame

    def _on_detections(self, array: Detection2DArray) -> None:
        self._boxes = (_ns(array.header.stamp), detections_from_msg(array))
        self._answers.add(time.monotonic(), 1.0)

    def _on_active(self, active: ActiveEdge) -> None:
        self._active = active

    def _on_state(self, state: FollowState) -> None:
        self._state = state

    def _on_timer(self) -> None:
        frame, self._frame = self._frame, None
        if frame is None or self._publisher.get_subscription_count() == 0:
            return
        stamp_ns, boxes = self._boxes
        if _ns(frame.header.stamp) - stamp_ns > self._max_box_age_ns:
            boxes = ()
        try:
            jpeg = render_debug_image(bytes(frame.data), boxes, self._overlay(), self._quality)
        except ValueError as error:
            self.get_logger().warning(f'debug image: {error}', throttle_duration_sec=5.0)
            return
        self._publisher.publish(CompressedImage(header=frame.header, format='jpeg', data=jpeg))

    def _overlay(self) -> Overlay:
        state, active = self._state, self._active
        serving = active is not None and active.reachable
        # Highlight a box only while the follower has a target (its box size is 0 otherwise).
        target = state is not None and state.target_box.size_x > 0.0
        return Overlay(
            state=state.state_name if state else '',
            edge_name=active.name if serving else '',
            edge_rgb=(active.color.r, active.color.g, active.color.b) if serving else None,
            latency_s=active.latency if serving and active.latency > 0.0 else None,
            fps=self._answers.rate(time.monotonic()),
            target_class=state.target_class if target else '',
            target_x_px=state.target_box.center.position.x if target else None)


def _ns(stamp) -> int:
    return stamp.sec * 1_000_000_000 + stamp.nanosec


def main(args=None) -> int:
    """Run the debug image node until shutdown."""
    return run_node(DebugImageNode, 'debug_image', args)
