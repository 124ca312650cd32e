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
The S1 URDF against what the nodes publish, over real DDS.

robot_state_publisher and tf2 are not needed: the URDF is parsed with xml.etree. Every
joint the driver names on joint_states is a movable URDF joint and the reverse; odom's child
frame is the URDF's root; the camera's CameraInfo frame is a URDF link with the REP-103
optical rotation; a namespace gives one prefix to all of them.
"""

import math
import os
import time
import xml.etree.ElementTree as ElementTree

from liquid_edge_camera.camera_node import CameraNode
from liquid_edge_camera.sources import Frame, FrameSource
from liquid_edge_description import frame_prefix, urdf_path
from liquid_edge_robomaster.driver_node import DriverNode
from liquid_edge_toolkit.main import start_lifecycle
from liquid_edge_toolkit.pytest_plugin import spin_until
from liquid_edge_toolkit.qos import SENSOR_DATA
from nav_msgs.msg import Odometry
import numpy as np
import pytest
from rclpy.parameter import Parameter
from sensor_msgs.msg import CameraInfo, JointState
import yaml


@pytest.fixture(scope='module')
def urdf():
    """Parse the installed URDF."""
    return ElementTree.parse(urdf_path()).getroot()


def links(urdf):
    return {link.get('name') for link in urdf.iter('link')}


def joints(urdf, movable):
    return {joint.get('name'): joint for joint in urdf.iter('joint')
            if (joint.get('type') != 'fixed') == movable}


def root_link(urdf):
    children = {joint.find('child').get('link') for joint in urdf.iter('joint')}
    (root,) = links(urdf) - children
    return root


class GreySource(FrameSource):
    """A grey frame on every read: only CameraInfo matters here."""

    def open(self):  # noqa: A003 - the FrameSource interface's name
        """Nothing to open."""

    def read(self):
        return Frame(image=np.full((48, 64, 3), 128, np.uint8), stamp_ns=time.time_ns())

    def close(self):
        """Nothing to close."""


def test_urdf_is_one_tree_with_the_frames_the_stack_names(urdf):
    names = links(urdf)
    for joint in urdf.iter('joint'):
        assert joint.find('parent').get('link') in names
        assert joint.find('child').get('link') in names
    assert root_link(urdf) == 'base_link'
    assert {'camera_link', 'camera_optical_frame'} <= names


def test_camera_optical_frame_is_rotated_as_rep_103_says(urdf):
    (joint,) = [joint for joint in urdf.iter('joint')
                if joint.find('child').get('link') == 'camera_optical_frame']
    roll, pitch, yaw = (float(value) for value in joint.find('origin').get('rpy').split())
    assert roll == pytest.approx(-math.pi / 2, abs=1e-4)
    assert pitch == 0.0
    assert yaw == pytest.approx(-math.pi / 2, abs=1e-4)


@pytest.mark.parametrize('namespace', ['', '/robot1'])
def test_driver_names_the_urdf_joints_and_root(ros_context, ros_graph, urdf, namespace):
    executor, probe, add = ros_graph
    prefix = frame_prefix(namespace)
    states, odometry = [], []
    topic = f'{namespace}/urdf_test' if namespace else '/urdf_test'
    probe.create_subscription(JointState, f'{topic}/joint_states', states.append, 10)
    probe.create_subscription(Odometry, f'{topic}/odom', odometry.append, 10)
    driver = add(DriverNode(context=ros_context, namespace=topic, parameter_overrides=[
        Parameter('backend', value='sim'), Parameter('publish_tf', value=False),
        Parameter('tf_prefix', value=prefix.rstrip('/'))]))
    assert start_lifecycle(driver)
    assert spin_until(executor, lambda: states and odometry)
    assert set(states[-1].name) == set(joints(urdf, movable=True))
    assert odometry[-1].child_frame_id == prefix + root_link(urdf)
    assert odometry[-1].header.frame_id == prefix + 'odom'


def test_camera_info_frame_is_the_urdf_optical_frame(ros_context, ros_graph, urdf):
    executor, probe, add = ros_graph
    infos = []
    probe.create_subscription(
        CameraInfo, '/urdf_test/camera/camera_info', infos.append, SENSOR_DATA)
    camera = add(CameraNode(source=GreySource(), context=ros_context, namespace='/urdf_test',
                            parameter_overrides=[Parameter('width', value=64),
                                                 Parameter('height', value=48)]))
    assert start_lifecycle(camera)
    assert spin_until(executor, lambda: infos)
    assert infos[-1].header.frame_id == 'camera_optical_frame'
    assert infos[-1].header.frame_id in links(urdf)


def test_robot_yaml_names_the_urdf_optical_frame(urdf):
    path = os.path.join(os.environ['LIQUID_EDGE_ROOT'], 'config', 'robot.yaml')
    with open(path) as file:
        config = yaml.safe_load(file)
    assert config['/**/camera']['ros__parameters']['frame_id'] in links(urdf)
