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

import math
import time

from geometry_msgs.msg import Quaternion
from liquid_edge_sim.people import astronaut_cutout
from liquid_edge_sim.sim_camera_node import SimCameraNode, yaw_from_quaternion
from liquid_edge_sim.world import Person, WalkingPath, Waypoint, World
from liquid_edge_toolkit.main import start_lifecycle
from liquid_edge_toolkit.pytest_plugin import change_state, spin_until
from nav_msgs.msg import Odometry
import pytest
from rclpy.parameter import Parameter
from rclpy.qos import qos_profile_sensor_data
from sensor_msgs.msg import CameraInfo, CompressedImage, JointState
from vision_msgs.msg import Detection2DArray


@pytest.fixture
def graph(ros_context, ros_graph):
    """Start the sim camera, one person 3 m ahead, and a probe (driver and viewer)."""
    executor, probe, add = ros_graph
    world = World([Person('ahead', astronaut_cutout(),
                          WalkingPath([Waypoint(3.0, 0.0), Waypoint(3.0, 1e-6)], 1.0))])
    camera = add(SimCameraNode(world=world, context=ros_context,
                               parameter_overrides=[Parameter('fps', value=30.0)]))
    assert start_lifecycle(camera)
    received = {'images': [], 'infos': [], 'truths': []}
    probe.create_subscription(CompressedImage, 'camera/image_raw/compressed',
                              received['images'].append, qos_profile_sensor_data)
    probe.create_subscription(CameraInfo, 'camera/camera_info', received['infos'].append,
                              qos_profile_sensor_data)
    probe.create_subscription(Detection2DArray, 'sim/ground_truth', received['truths'].append,
                              10)
    return executor, probe, received


def last_centre_x(received):
    detections = received['truths'][-1].detections
    return detections[0].bbox.center.position.x if detections else None


def test_yaw_from_quaternion():
    half = 0.35
    assert yaw_from_quaternion(0.0, 0.0, math.sin(half), math.cos(half)) == pytest.approx(0.7)


def test_publishes_what_the_camera_node_publishes(graph):
    executor, _, received = graph
    assert spin_until(executor, lambda: received['images'] and received['infos']
                      and received['truths'])
    image, info = received['images'][-1], received['infos'][-1]
    assert image.format == 'jpeg' and bytes(image.data[:2]) == b'\xff\xd8'
    assert (info.width, info.height) == (640, 480)
    assert info.k[0] == pytest.approx(320.0 / math.tan(1.085 / 2.0))
    truth_stamps = {(t.header.stamp.sec, t.header.stamp.nanosec) for t in received['truths']}
    assert (image.header.stamp.sec, image.header.stamp.nanosec) in truth_stamps
    truth = received['truths'][-1].detections[0]
    assert truth.id == 'ahead'
    assert truth.results[0].hypothesis.class_id == 'person'
    assert truth.bbox.center.position.x == pytest.approx(320.0)


def test_renders_from_the_driver_pose(graph):
    executor, probe, received = graph
    odom_pub = probe.create_publisher(Odometry, 'odom', 10)
    joints_pub = probe.create_publisher(JointState, 'joint_states', 10)
    assert spin_until(executor, lambda: received['truths'])

    # Chassis turned 0.2 rad left: the person ahead moves right in the image.
    odom = Odometry()
    odom.pose.pose.orientation = Quaternion(z=math.sin(0.1), w=math.cos(0.1))
    assert spin_until(executor, lambda: odom_pub.publish(odom)
                      or (last_centre_x(received) or 0.0) > 400.0)

    # Gimbal (prefixed joint names) turned back 0.2 rad right: centred again.
    joints = JointState(name=['robot1/gimbal_yaw_joint', 'robot1/gimbal_pitch_joint'],
                        position=[-0.2, 0.0])
    assert spin_until(executor, lambda: joints_pub.publish(joints)
                      or abs((last_centre_x(received) or 0.0) - 320.0) < 1.0)


def test_lifecycle_services_stop_and_restart_rendering_and_ground_truth(graph):
    executor, probe, received = graph
    assert spin_until(executor, lambda: received['truths'])
    assert change_state(probe, executor, 'camera', 'deactivate')
    stopped_ns = time.time_ns()
    for transition in ('cleanup', 'configure', 'activate'):
        assert change_state(probe, executor, 'camera', transition)

    def after_stop(messages):
        return [m for m in messages
                if m.header.stamp.sec * 10**9 + m.header.stamp.nanosec > stopped_ns]
    assert spin_until(executor, lambda: after_stop(received['images'])
                      and after_stop(received['truths']))


def test_camera_tilt_is_a_validated_parameter(ros_context, ros_graph):
    camera = ros_graph.add(SimCameraNode(context=ros_context))
    assert camera.set_parameters([Parameter('camera_tilt', value=0.1)])[0].successful
    assert camera.sim_source.camera_tilt == pytest.approx(0.1)
    assert not camera.set_parameters([Parameter('camera_tilt', value=2.0)])[0].successful
    assert camera.sim_source.camera_tilt == pytest.approx(0.1)
    assert camera.get_parameter('world_seed').value == 0
