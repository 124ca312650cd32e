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
The simulated camera node: the real camera node, its source the rendered world.

Subscribes to `odom` and `joint_states` (from the simulated driver) to know where the camera
is, publishes what the camera node always publishes (`camera/image_raw/compressed`,
`camera/camera_info`, `/diagnostics`), and also the ground truth of each frame on
`sim/ground_truth` (vision_msgs/Detection2DArray, the frame's header; one detection per person
in view, `id` the person, `bbox` the person's whole picture in pixels, which may reach beyond
the frame), so tools and tests can tell what the detections should have been.
"""
import math
from typing import Optional

from liquid_edge_camera.camera_node import CameraNode
from liquid_edge_sim.render import CameraModel
from liquid_edge_sim.sim_camera import DEFAULT_CAMERA_TILT, GroundTruthFrame, SimCameraSource
from liquid_edge_sim.world import default_world, World
from liquid_edge_toolkit.main import run_node
from liquid_edge_toolkit.parameters import descriptor
from nav_msgs.msg import Odometry
from rcl_interfaces.msg import SetParametersResult
from rclpy.lifecycle import LifecycleState, TransitionCallbackReturn
from rclpy.time import Time
from sensor_msgs.msg import JointState
from vision_msgs.msg import Detection2D, Detection2DArray, ObjectHypothesisWithPose

GIMBAL_YAW_JOINT = 'gimbal_yaw_joint'
GIMBAL_PITCH_JOINT = 'gimbal_pitch_joint'


def yaw_from_quaternion(x: float, y: float, z: float, w: float) -> float:
    """Rotation about z (rad, counter-clockwise) of a quaternion (REP-103 yaw)."""
    return math.atan2(2.0 * (w * z + x * y), 1.0 - 2.0 * (y * y + z * z))


def ground_truth_to_msg(truth: GroundTruthFrame, frame_id: str,
                        camera: CameraModel) -> Detection2DArray:
    """One Detection2D per person in view; bbox is the person's unclipped picture."""
    array = Detection2DArray()
    array.header.stamp = Time(nanoseconds=truth.stamp_ns).to_msg()
    array.header.frame_id = frame_id
    for person in truth.people:
        detection = Detection2D()
        detection.header = array.header
        detection.id = person.person_id
        detection.bbox.center.position.x = person.centre_x
        detection.bbox.center.position.y = person.centre_y
        detection.bbox.size_x = person.full_width
        detection.bbox.size_y = person.full_height
        hypothesis = ObjectHypothesisWithPose()
        hypothesis.hypothesis.class_id = 'person'
        hypothesis.hypothesis.score = 1.0
        # The person's depth along the optical axis, m, for tools that want distance.
        hypothesis.pose.pose.position.z = person.distance
        detection.results.append(hypothesis)
        array.detections.append(detection)
    return array


class SimCameraNode(CameraNode):
    """
    CameraNode whose frames are rendered from the simulated world at the robot's pose.

    :param world: the scene to render; None builds the default scene from ``world_seed``.
    :param kwargs: passed to :class:`rclpy.lifecycle.LifecycleNode` (``parameter_overrides``,
        ...).

    The camera's lifecycle, and: configure builds the scene and the camera model and the
    ground-truth publisher; activate also follows ``odom`` and ``joint_states``.
    """

    def __init__(self, world: Optional[World] = None, **kwargs):
        self._given_world = world
        self._sim_source = SimCameraSource(world if world is not None else default_world())
        super().__init__(source=self._sim_source, **kwargs)
        self.declare_parameter('world_seed', 0, descriptor(
            "seed of the default scene's walks (ignored when given a world)", read_only=True,
            integer_range=(0, 2**31 - 1)))
        self.declare_parameter('camera_tilt', DEFAULT_CAMERA_TILT, descriptor(
            'upward tilt of the camera with the gimbal at rest, rad (the S1 camera looks up '
            'at a standing person from 0.3 m)', float_range=(-1.0, 1.0)))
        self.declare_parameter('mount_height', 0.3, descriptor(
            'camera height above the floor, m', read_only=True, float_range=(0.05, 2.0)))
        self.add_on_set_parameters_callback(self._on_set_sim_parameters)
        self._sim_source.camera_tilt = self.get_parameter('camera_tilt').value
        self._sim_source.on_frame = self._publish_ground_truth
        self._gimbal = [0.0, 0.0]

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Configure the camera, then build the scene, the camera model and ground truth."""
        result = super().on_configure(state)
        if result != TransitionCallbackReturn.SUCCESS:
            return result
        if self._given_world is None:
            self._sim_source.world = default_world(self.get_parameter('world_seed').value)
        self._sim_source.camera = CameraModel(
            width=self.get_parameter('width').value,
            height=self.get_parameter('height').value,
            horizontal_fov=self.get_parameter('horizontal_fov').value,
            mount_height=self.get_parameter('mount_height').value)
        self._truth_pub = self.create_publisher(Detection2DArray, 'sim/ground_truth', 10)
        self._outputs.append(self._truth_pub)
        return result

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Follow the driver's pose, then capture and publish as the camera does."""
        self._inputs += [
            self.create_subscription(Odometry, 'odom', self._on_odom, 10),
            self.create_subscription(JointState, 'joint_states', self._on_joint_states, 10)]
        return super().on_activate(state)

    @property
    def sim_source(self) -> SimCameraSource:
        """Return the source rendering this camera's frames (for in-process observers)."""
        return self._sim_source

    def _on_set_sim_parameters(self, parameters) -> SetParametersResult:
        for parameter in parameters:
            if parameter.name == 'camera_tilt':
                self._sim_source.camera_tilt = parameter.value
        return SetParametersResult(successful=True)

    def _on_odom(self, msg: Odometry) -> None:
        q = msg.pose.pose.orientation
        try:
            self._sim_source.set_robot_pose(msg.pose.pose.position.x, msg.pose.pose.position.y,
                                            yaw_from_quaternion(q.x, q.y, q.z, q.w))
        except ValueError as error:
            self.get_logger().warning(f'sim camera: odom ignored: {error}',
                                      throttle_duration_sec=5.0)

    def _on_joint_states(self, msg: JointState) -> None:
        # A driver with a tf_prefix names its joints '<prefix>/gimbal_yaw_joint'.
        for name, position in zip(msg.name, msg.position):
            if name.rsplit('/', 1)[-1] == GIMBAL_YAW_JOINT:
                self._gimbal[0] = position
            elif name.rsplit('/', 1)[-1] == GIMBAL_PITCH_JOINT:
                self._gimbal[1] = position
        try:
            self._sim_source.set_gimbal(*self._gimbal)
        except ValueError as error:
            self.get_logger().warning(f'sim camera: joint_states ignored: {error}',
                                      throttle_duration_sec=5.0)

    def _publish_ground_truth(self, truth: GroundTruthFrame) -> None:
        self._truth_pub.publish(ground_truth_to_msg(
            truth, self.get_parameter('frame_id').value, self._sim_source.camera))


def main(args=None) -> int:
    """Run the simulated camera until shutdown."""
    return run_node(SimCameraNode, 'camera', args)
