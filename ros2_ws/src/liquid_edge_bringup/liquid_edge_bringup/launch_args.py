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
The launch arguments robot.launch.py and sim.launch.py share, and what they switch on.

``params_file``, ``use_debug``, ``autostart`` and ``log_level`` mean the same in both files;
``node_options`` gives every node the ``namespace`` (each file declares its own, the robot's
also prefixes the TF frames) and the ``log_level``; ``debug_image`` is the node that
``use_debug:=true`` starts. Installed with liquid_edge_bringup, so the launch files import it
whether they run from the repository's launch/ or from the installed share.
"""
import os
from typing import Any, Dict, List

from ament_index_python.packages import get_package_share_directory
from launch.actions import DeclareLaunchArgument
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import Node


def declare_params_file() -> DeclareLaunchArgument:
    """Declare ``params_file``: the parameters of every node, the installed robot.yaml."""
    share = get_package_share_directory('liquid_edge_bringup')
    return DeclareLaunchArgument('params_file',
                                 default_value=os.path.join(share, 'config', 'robot.yaml'),
                                 description='Parameters of every node')


def declare_run_options() -> List[DeclareLaunchArgument]:
    """Declare ``use_debug``, ``autostart`` and ``log_level``."""
    return [
        DeclareLaunchArgument('use_debug', default_value='false',
                              description='Also run debug_image: the annotated camera view '
                              'for rqt on debug_image/compressed'),
        DeclareLaunchArgument('autostart', default_value='true',
                              description='Configure and activate the lifecycle nodes at start; '
                              'false: leave them unconfigured for a lifecycle manager'),
        DeclareLaunchArgument('log_level', default_value='info'),
    ]


def node_options() -> Dict[str, Any]:
    """Return the keyword arguments of every node: namespace, log level, output on screen."""
    arg = LaunchConfiguration
    return {
        'namespace': arg('namespace'),
        'output': 'screen',
        'emulate_tty': True,
        'arguments': ['--ros-args', '--log-level', arg('log_level')],
    }


def debug_image() -> Node:
    """Return the ``debug_image`` node (the annotated view for rqt), run with use_debug:=true."""
    arg = LaunchConfiguration
    return Node(package='liquid_edge_bridge', executable='debug_image', name='debug_image',
                parameters=[arg('params_file')], condition=IfCondition(arg('use_debug')),
                **node_options())
