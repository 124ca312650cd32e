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
launch_testing: sim.launch.py runs the closed loop, one process per node, real edges.

Runs where launch_testing and launch_ros are installed (a ROS 2 install from apt); skipped
with the reason otherwise (here `make demo` composes the same nodes in one process).
"""
import os
import pathlib
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
from rclpy.qos import QoSDurabilityPolicy, QoSProfile  # noqa: E402
from vision_msgs.msg import Detection2DArray  # noqa: E402

LAUNCH_FILE = pathlib.Path(__file__).resolve().parents[1] / 'launch' / 'sim.launch.py'
LATCHED = QoSProfile(depth=1, durability=QoSDurabilityPolicy.TRANSIENT_LOCAL)


@pytest.mark.launch_test
def generate_test_description():
    """Launch the simulation: two edge sites, sim driver and camera, bridge, follow."""
    sim = IncludeLaunchDescription(PythonLaunchDescriptionSource(os.fspath(LAUNCH_FILE)),
                                   launch_arguments={'wakeup_duration': '1.0'}.items())
    return LaunchDescription([sim, launch_testing.actions.ReadyToTest()])


class TestSimLaunch(unittest.TestCase):
    """The launched simulation detects the person and follows it."""

    def test_person_detected_and_followed(self):
        """A person detection arrives from a reachable edge and the robot follows."""
        received = wait_for_messages(
            '', {'detections': (Detection2DArray, 10), 'edge/active': (ActiveEdge, LATCHED),
                 'follow/state': (FollowState, 10)},
            accept={'detections': lambda m: any(
                        d.results and d.results[0].hypothesis.class_id == 'person'
                        for d in m.detections),
                    'edge/active': lambda m: m.reachable,
                    'follow/state': lambda m: m.state == FollowState.FOLLOW},
            timeout=120.0)
        self.assertEqual(set(received), {'detections', 'edge/active', 'follow/state'})
        self.assertIn(received['edge/active'].name, ('edge-a', 'edge-b'))


@launch_testing.post_shutdown_test()
class TestCleanShutdown(unittest.TestCase):
    """Every process stops cleanly on launch's SIGINT: exit code 0, none killed."""

    def test_exit_codes(self, proc_info):
        """No process exited with an error or had to be escalated to SIGTERM/SIGKILL."""
        launch_testing.asserts.assertExitCodes(proc_info)
