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
Run the LIQUID EDGE closed-loop simulation, one process per node (a real ROS 2 install).

The same composition as `make demo` (liquid_edge_sim.demo), which runs it in one process:
two edge sites on this machine (each: face, YOLO and ingress services), the simulated
Robomaster driver, the simulated camera (the real camera node rendering the simulated world
from the driver's pose), the edge bridge with both edges and follow-target. Parameters come
from ``config/robot.yaml``; the simulation's own values are set here. Kill one edge's
``objectdetection`` process to see the failover; with ``use_debug:=true``, watch
``debug_image/compressed`` in rqt_image_view. The camera, driver, bridge and follow_target are
lifecycle nodes that configure and activate themselves unless ``autostart:=false``.

    ros2 launch launch/sim.launch.py                  (or: liquid_edge_bringup sim.launch.py)
    ros2 launch launch/sim.launch.py start_edges:=false \
        edges:="{edge-a: {address: 'host:50051', color: '#00c853'}}"
"""
from launch import LaunchDescription
from launch.actions import DeclareLaunchArgument, ExecuteProcess, OpaqueFunction
from launch.conditions import IfCondition
from launch.substitutions import LaunchConfiguration
from launch_ros.actions import LifecycleNode
from liquid_edge_bridge.edge_config import edge_parameters
from liquid_edge_bringup.launch_args import (debug_image, declare_params_file,
                                             declare_run_options, node_options)
import yaml

# The demo's two sites: name, colour, and the base of their ports (ingress, face = +2,
# YOLO = +4; metrics 9000 + the same offsets), so both run side by side on loopback.
EDGE_SITES = (('edge-a', '#00c853', 50051), ('edge-b', '#2962ff', 50061))
# A service drains twice this on SIGINT (NOT_SERVING window, then grace): well inside the
# 5 s launch waits before escalating to SIGTERM. No load balancer watches these.
DRAIN_SECONDS = 1.0


def edge_services(name: str, color: str, base_port: int):
    """Return the three services of one edge site as processes, started with start_edges."""
    face, yolo = base_port + 2, base_port + 4
    identity = ['--site', name, '--color', color, '--host', '127.0.0.1',
                '--drain-seconds', str(DRAIN_SECONDS)]

    def service(command, port, *extra):
        return ExecuteProcess(
            cmd=[command, *identity, '--port', str(port), '--metrics-port',
                 str(port - 50051 + 9051), *extra],
            name=f'{name}-{command}', output='screen',
            condition=IfCondition(LaunchConfiguration('start_edges')))

    return [
        service('facedetection', face),
        service('yolodetection', yolo),
        service('objectdetection', base_port, '--face-host', f'127.0.0.1:{face}',
                '--yolo-host', f'127.0.0.1:{yolo}'),
    ]


def generate_launch_description():
    """Describe the edges and the robot nodes of the simulation (debug_image on demand)."""
    arg = LaunchConfiguration
    arguments = [
        DeclareLaunchArgument('namespace', default_value='',
                              description='Robot namespace, one per robot'),
        declare_params_file(),
        DeclareLaunchArgument('start_edges', default_value='true',
                              description='Start the two edge sites on this machine'),
        DeclareLaunchArgument(
            'edges', default_value=str({name: {'address': f'127.0.0.1:{port}', 'color': color}
                                        for name, color, port in EDGE_SITES}),
            description='The edges, a YAML mapping in order of preference: name: {address: '
            "'host:port', color: '#rrggbb', tls: {ca: ..., cert: ..., key: ...}}"),
        DeclareLaunchArgument('world_seed', default_value='0',
                              description="Seed of the simulated people's walks"),
        DeclareLaunchArgument('wakeup_duration', default_value='3.0',
                              description='Still time after start before searching, s'),
    ] + declare_run_options()
    common = node_options()
    edges = [process for site in EDGE_SITES for process in edge_services(*site)]
    nodes = [
        LifecycleNode(package='liquid_edge_robomaster', executable='robomaster_driver',
                      name='robomaster_driver',
                      parameters=[arg('params_file'), {'backend': 'sim',
                                                       'autostart': arg('autostart')}],
                      **common),
        LifecycleNode(package='liquid_edge_sim', executable='sim_camera', name='camera',
                      parameters=[arg('params_file'), {'world_seed': arg('world_seed'),
                                                       'autostart': arg('autostart')}],
                      **common),
        OpaqueFunction(function=lambda context: [LifecycleNode(
            package='liquid_edge_bridge', executable='edge_bridge', name='edge_bridge',
            parameters=[arg('params_file'), {
                **edge_parameters(yaml.safe_load(arg('edges').perform(context))),
                'engines': ['yolo'], 'class_names': ['person'],
                'autostart': arg('autostart')}],
            **common)]),
        LifecycleNode(package='liquid_edge_follow', executable='follow_target',
                      name='follow_target',
                      parameters=[arg('params_file'), {'target_class': 'person',
                                                       'wakeup_duration': arg('wakeup_duration'),
                                                       'autostart': arg('autostart')}],
                      **common),
        debug_image(),
    ]
    return LaunchDescription(arguments + edges + nodes)
