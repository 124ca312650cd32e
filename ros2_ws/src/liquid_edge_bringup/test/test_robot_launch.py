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
launch_testing: robot.launch.py brings up the robot's nodes and they talk to each other.

Runs where launch_testing and launch_ros are installed (a ROS 2 install from apt); skipped
with the reason otherwise. The robot runs with the simulated driver and a video file, and
with ``use_debug:=true`` so that the debug image node is launched too.
"""
import os
import pathlib
import tempfile
import unittest

import pytest

launch_testing = pytest.importorskip(
    'launch_testing', reason='launch_testing is not installed (ROS 2 from apt provides it)')
launch_ros = pytest.importorskip(
    'launch_ros', reason='launch_ros is not installed (ROS 2 from apt provides it)')

from launch import LaunchDescription  # noqa: E402, I100
from launch.actions import IncludeLaunchDescription  # noqa: E402
from launch.launch_description_sources import PythonLaunchDescriptionSource  # noqa: E402
import launch_testing.actions  # noqa: E402
import launch_testing.asserts  # noqa: E402
from liquid_edge_interfaces.msg import ActiveEdge, FollowState  # noqa: E402
from liquid_edge_toolkit.pytest_plugin import wait_for_messages  # noqa: E402
from rclpy.qos import qos_profile_sensor_data, QoSDurabilityPolicy, QoSProfile  # noqa: E402
from sensor_msgs.msg import CompressedImage  # noqa: E402
from std_msgs.msg import Bool  # noqa: E402

LATCHED = QoSProfile(depth=1, durability=QoSDurabilityPolicy.TRANSIENT_LOCAL)

LAUNCH_FILE = pathlib.Path(__file__).resolve().parents[1] / 'launch' / 'robot.launch.py'


def _write_video(path):
    """Write a short real video (the astronaut photo) for the file camera source."""
    import cv2
    from skimage import data
    frame = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (640, 480))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), 15.0, (640, 480))
    for _ in range(30):
        writer.write(frame)
    writer.release()


@pytest.mark.launch_test
def generate_test_description():
    """Launch the robot: sim driver, file camera, an edge address where nothing listens."""
    video = pathlib.Path(tempfile.mkdtemp()) / 'astronaut.avi'
    _write_video(video)
    robot = IncludeLaunchDescription(
        PythonLaunchDescriptionSource(os.fspath(LAUNCH_FILE)),
        launch_arguments={
            'namespace': 'robot1',
            'driver_backend': 'sim',
            'camera_source': 'file',
            'camera_path': os.fspath(video),
            'edges': "{edge-a: {address: '127.0.0.1:1', color: '#00c853'}}",
            'use_debug': 'true',
        }.items())
    return LaunchDescription([robot, launch_testing.actions.ReadyToTest()])


class TestRobotLaunch(unittest.TestCase):
    """The launched nodes publish what the architecture promises."""

    def test_topics_flow(self):
        """Camera frames, their debug view, follow state, the driver, the edge unreachable."""
        topics = {'camera/image_raw/compressed': (CompressedImage, qos_profile_sensor_data),
                  'debug_image/compressed': (CompressedImage, qos_profile_sensor_data),
                  'follow/state': (FollowState, 10),
                  'connected': (Bool, LATCHED),
                  'edge/active': (ActiveEdge, LATCHED)}
        received = wait_for_messages(
            'robot1', topics, timeout=30.0,
            accept={'connected': lambda m: m.data, 'edge/active': lambda m: not m.reachable})
        self.assertEqual(set(received), set(topics))
        self.assertEqual(received['camera/image_raw/compressed'].format, 'jpeg')


@launch_testing.post_shutdown_test()
class TestCleanShutdown(unittest.TestCase):
    """Every process stops cleanly on launch's SIGINT: exit code 0, none killed."""

    def test_exit_codes(self, proc_info):
        """No process exited with an error or had to be escalated to SIGTERM/SIGKILL."""
        launch_testing.asserts.assertExitCodes(proc_info)
