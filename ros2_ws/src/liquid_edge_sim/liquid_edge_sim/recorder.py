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
A node that listens to a closed-loop run and keeps its timeline and some robot-view frames.

It only subscribes, as rqt would: follow/state, edge/active, detections (each one's capture
stamp to its arrival: the latency of every figure), cmd_vel, leds/effect, sim/ground_truth,
camera/capture_settings, camera/camera_info and the camera JPEGs (the size of each; one kept
every `frame_period` seconds, with the detections, state and edge of that moment, for the
robot-view GIF).

The rendered frame (`image_size`) is the timeline's pixel space: when the camera publishes a
smaller picture (capture settings), the followed box is scaled back to it.
"""
from dataclasses import dataclass, field
import time
from typing import Optional

from geometry_msgs.msg import Twist
from liquid_edge_interfaces.msg import ActiveEdge, CaptureSettings, FollowState, LEDEffect
from liquid_edge_sim.metrics import (CaptureSample, DetectionSample, EdgeSample, FrameSample,
                                     LedSample, OutageEvent, StateSample, Timeline,
                                     TruthSample, VelocitySample)
from liquid_edge_sim.world import TARGET_ID
from liquid_edge_toolkit.qos import LATCHED
from rclpy.node import Node
from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from rclpy.time import Time
from sensor_msgs.msg import CameraInfo, CompressedImage
from vision_msgs.msg import Detection2DArray

_RELIABLE = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE)
# A frame whose detections have not come back after this long never will.
_UNANSWERED_AFTER_NS = 5_000_000_000


@dataclass
class ViewFrame:
    """
    One robot-view frame kept for the GIF.

    It starts with the latest detections, state and edge known when it was captured, so no
    frame shows less than the robot knew; its own detections, and the robot's state when they
    came back (the edge answers after the frame was taken), replace them when they arrive.
    """

    t: float
    jpeg: bytes
    boxes: list[tuple[float, float, float, float]] = field(default_factory=list)  # px
    state: str = ''
    target_box: Optional[tuple[float, float, float, float]] = None
    edge: str = ''
    edge_rgb: tuple[float, float, float] = (0.5, 0.5, 0.5)
    latency: Optional[float] = None
    track_id: str = ''
    match_score: float = 0.0
    coasting: bool = False


class ClosedLoopRecorder(Node):
    """Records the run's timeline; `t` of every sample is seconds since this node started."""

    def __init__(self, image_size: tuple[int, int] = (640, 480), frame_period: float = 0.25,
                 target_id: str = TARGET_ID, started: Optional[float] = None,
                 link_phases: tuple[tuple[float, str], ...] = (), **kwargs):
        """
        Subscribe to everything the metrics and the GIF need (image_size in px).

        `started` is the run's start on time.monotonic() (default: now), the origin of the
        timeline and of the link schedule, whose `link_phases` (start s, name) it records.
        """
        super().__init__('closed_loop_recorder', **kwargs)
        if not frame_period > 0.0:
            raise ValueError(f'frame_period must be > 0 s, got {frame_period}')
        if min(image_size) <= 0:
            raise ValueError(f'image_size must be positive, got {image_size}')
        self.timeline = Timeline(image_size=tuple(image_size), target_id=target_id,
                                 link_phases=tuple(link_phases))
        self.frames: list[ViewFrame] = []
        self._frames_by_stamp: dict[int, ViewFrame] = {}
        self._frame_period = frame_period
        self._started = time.monotonic() if started is None else started
        self._published_width = image_size[0]
        self._edge = ('', (0.5, 0.5, 0.5))
        self._boxes: list[tuple[float, float, float, float]] = []
        self.create_subscription(FollowState, 'follow/state', self._on_state, _RELIABLE)
        self.create_subscription(ActiveEdge, 'edge/active', self._on_active_edge, LATCHED)
        self.create_subscription(Detection2DArray, 'detections', self._on_detections,
                                 _RELIABLE)
        self.create_subscription(Twist, 'cmd_vel', self._on_cmd_vel, _RELIABLE)
        self.create_subscription(LEDEffect, 'leds/effect', self._on_led, _RELIABLE)
        self.create_subscription(Detection2DArray, 'sim/ground_truth', self._on_truth,
                                 _RELIABLE)
        self.create_subscription(CompressedImage, 'camera/image_raw/compressed',
                                 self._on_image, qos_profile_sensor_data)
        self.create_subscription(CameraInfo, 'camera/camera_info', self._on_camera_info,
                                 qos_profile_sensor_data)
        self.create_subscription(CaptureSettings, 'camera/capture_settings',
                                 self._on_capture_settings, LATCHED)

    def now(self) -> float:
        """Seconds since the recorder started: the timeline's clock."""
        return time.monotonic() - self._started

    def mark_outage(self, edges: tuple[str, ...], up: bool = False) -> None:
        """Note that `edges` were taken down (or brought back up) now."""
        self.timeline.outages.append(OutageEvent(self.now(), tuple(edges), up))

    def _on_state(self, msg: FollowState) -> None:
        box = msg.target_box
        scale = self.timeline.image_size[0] / self._published_width
        self.timeline.states.append(StateSample(
            self.now(), msg.state_name, msg.horizontal_error, msg.distance_error,
            (box.center.position.x * scale, box.center.position.y * scale,
             box.size_x * scale, box.size_y * scale)
            if box.size_x > 0.0 and box.size_y > 0.0 else None,
            msg.target_id, msg.match_score, msg.coasting, msg.local_standby,
            msg.cmd_vel.linear.x))

    def _on_active_edge(self, msg: ActiveEdge) -> None:
        self.timeline.edges.append(EdgeSample(self.now(), msg.name, msg.reachable))
        self.timeline.standby.append((self.now(), msg.reachable and msg.local))
        self._edge = (msg.name if msg.reachable else '', (msg.color.r, msg.color.g, msg.color.b))

    def _on_detections(self, msg: Detection2DArray) -> None:
        stamp_ns = Time.from_msg(msg.header.stamp).nanoseconds
        # The capture stamp is the camera's wall clock (time.time_ns()), as on the robot.
        self.timeline.capture_latencies.append((self.now(), (time.time_ns() - stamp_ns) * 1e-9))
        self.timeline.detections.append(DetectionSample(self.now(), stamp_ns,
                                                        len(msg.detections)))
        self._boxes = [(d.bbox.center.position.x, d.bbox.center.position.y,
                        d.bbox.size_x, d.bbox.size_y) for d in msg.detections]
        frame = self._frames_by_stamp.pop(stamp_ns, None)
        if frame is None:
            return
        frame.boxes = self._boxes
        self._fill(frame)

    def _fill(self, frame: ViewFrame) -> None:
        """Give a view frame the latest detections, state, edge and latency."""
        frame.boxes = self._boxes
        state = self.timeline.states[-1] if self.timeline.states else None
        if state is not None:
            frame.state, frame.target_box = state.state, state.target_box
            frame.track_id, frame.match_score = state.track_id, state.match_score
            frame.coasting = state.coasting
        frame.edge, frame.edge_rgb = self._edge
        latencies = self.timeline.capture_latencies
        frame.latency = latencies[-1][1] if latencies else None

    def _on_cmd_vel(self, msg: Twist) -> None:
        self.timeline.velocities.append(VelocitySample(self.now(), msg.linear.x, msg.angular.z))

    def _on_led(self, msg: LEDEffect) -> None:
        self.timeline.leds.append(LedSample(self.now(), msg.effect, msg.t1))

    def _on_truth(self, msg: Detection2DArray) -> None:
        self.timeline.truths.append(TruthSample(
            self.now(), Time.from_msg(msg.header.stamp).nanoseconds,
            {d.id: (d.bbox.center.position.x, d.bbox.center.position.y, d.bbox.size_x,
                    d.bbox.size_y) for d in msg.detections},
            {d.id: d.results[0].pose.pose.position.z for d in msg.detections if d.results}))

    def _on_camera_info(self, msg: CameraInfo) -> None:
        if msg.width > 0:
            self._published_width = msg.width

    def _on_capture_settings(self, msg: CaptureSettings) -> None:
        self.timeline.capture_settings.append(CaptureSample(
            self.now(), msg.quality, msg.width, msg.height, msg.fps))

    def _on_image(self, msg: CompressedImage) -> None:
        now = self.now()
        stamp_ns = Time.from_msg(msg.header.stamp).nanoseconds
        self.timeline.frames.append(FrameSample(now, stamp_ns, len(msg.data)))
        if self.frames and now - self.frames[-1].t < self._frame_period:
            return
        frame = ViewFrame(now, bytes(msg.data))
        self._fill(frame)
        self.frames.append(frame)
        # Frames whose detections never come back (edge down) must not pile up.
        for old in [s for s in self._frames_by_stamp if s < stamp_ns - _UNANSWERED_AFTER_NS]:
            del self._frames_by_stamp[old]
        self._frames_by_stamp[stamp_ns] = frame
