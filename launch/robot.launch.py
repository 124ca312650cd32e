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
Bring up the LIQUID EDGE robot: camera, bridge, follow, driver and robot_state_publisher.

robot_state_publisher publishes the S1's URDF (liquid_edge_description). Run from the
repository (``ros2 launch launch/robot.launch.py``) or from the installed bringup package
(``ros2 launch liquid_edge_bringup robot.launch.py``). Every parameter lives in
``config/robot.yaml``; the arguments below override the ones people change per run. The
``namespace`` also prefixes every TF frame (``robot1/base_link``), so two robots on one network
never publish the same ``odom -> base_link``. ``local_edge:=true`` also starts the local
standby edge, the same YOLO service (``yolodetection``, ONNX Runtime, a 320x320 input) on
127.0.0.1:``local_edge_port``, and gives the bridge its address. ``use_debug:=true`` also
starts ``debug_image``, the annotated camera view for rqt (``debug_image/compressed``).
The camera, driver, bridge and follow_target are lifecycle nodes: with ``autostart:=true`` (the
default) each configures and activates itself at start; ``autostart:=false`` leaves them
unconfigured for ``ros2 lifecycle set`` or a lifecycle manager (nav2_lifecycle_manager given
their names). ``edges:=...`` replaces the edges of ``params_file`` (a YAML mapping, see below).
"""
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, OpaqueFunction
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode, Node
from liquid_edge_bridge.edge_config import edge_parameters
from liquid_edge_bringup.launch_args import (debug_image, declare_params_file,
                                             declare_run_options, node_options)
from liquid_edge_description import frame_prefix, urdf_path
import yaml


def robot_nodes(context):
    """Return the robot's nodes; frame names take the namespace as prefix."""
    arg = LaunchConfiguration
    prefix = frame_prefix(arg('namespace').perform(context))
    with open(urdf_path()) as file:
        description = file.read()
    common = node_options()
    bridge = {'autostart': arg('autostart')}
    edges = arg('edges').perform(context)
    if edges:
        bridge.update(edge_parameters(yaml.safe_load(edges)))
    local_edge = arg('local_edge').perform(context).lower() in ('true', '1')
    port = arg('local_edge_port').perform(context)
    if local_edge:
        bridge['local_edge_address'] = f'127.0.0.1:{port}'
    nodes = [
        Node(package='robot_state_publisher', executable='robot_state_publisher',
             name='robot_state_publisher',
             parameters=[{'robot_description': description, 'frame_prefix': prefix}],
             **common),
        LifecycleNode(package='liquid_edge_camera', executable='camera_node', name='camera',
                      parameters=[arg('params_file'), {'source': arg('camera_source'),
                                                       'path': arg('camera_path'),
                                                       'frame_id': prefix + 'camera_optical_frame',
                                                       'autostart': arg('autostart')}],
                      **common),
        LifecycleNode(package='liquid_edge_bridge', executable='edge_bridge',
                      name='edge_bridge', parameters=[arg('params_file'), bridge], **common),
        LifecycleNode(package='liquid_edge_follow', executable='follow_target',
                      name='follow_target',
                      parameters=[arg('params_file'), {'target_class': arg('target_class'),
                                                       'autostart': arg('autostart')}],
                      **common),
        LifecycleNode(package='liquid_edge_robomaster', executable='robomaster_driver',
                      name='robomaster_driver',
                      parameters=[arg('params_file'), {'backend': arg('driver_backend'),
                                                       'tf_prefix': prefix.rstrip('/'),
                                                       'autostart': arg('autostart')}],
                      **common),
        debug_image(),
    ]
    if local_edge:
        nodes.append(ExecuteProcess(
            name='local_edge', output='screen',
            cmd=['yolodetection', '--host', '127.0.0.1', '--port', port, '--site', 'local',
                 '--color', '#ffab00', '--backend', 'onnxruntime', '--input-size', '320']))
    return nodes


def generate_launch_description():
    """Describe the robot nodes in one namespace, parameters from robot.yaml."""
    arguments = [
        DeclareLaunchArgument('namespace', default_value='',
                              description='Robot namespace, one per robot; also TF prefix'),
        declare_params_file(),
        DeclareLaunchArgument(
            'edges', default_value='',
            description='The edges, a YAML mapping in order of preference: name: {address: '
            "'host:port', color: '#rrggbb', tls: {ca: ..., cert: ..., key: ...}}; "
            "'' = those of params_file"),
        DeclareLaunchArgument('target_class', default_value='person',
                              description='Class to follow: person, face or any COCO name'),
        DeclareLaunchArgument('camera_source', default_value='picamera2',
                              description='Camera source: picamera2, v4l2 or file'),
        DeclareLaunchArgument('camera_path', default_value='',
                              description='Video file for camera_source:=file'),
        DeclareLaunchArgument('driver_backend', default_value='sdk',
                              description='Robomaster backend: sdk (the robot) or sim'),
        DeclareLaunchArgument('local_edge', default_value='false',
                              description='Also run the local standby edge (YOLO) here'),
        DeclareLaunchArgument('local_edge_port', default_value='50061',
                              description='Port of the local standby edge on 127.0.0.1'),
    ] + declare_run_options()
    return LaunchDescription(arguments + [OpaqueFunction(function=robot_nodes)])
