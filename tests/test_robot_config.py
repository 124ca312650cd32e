"""
Check config/robot.yaml, what the robot runs on, against the nodes that read it.

Every key it sets must be declared by its node (ROS would silently ignore a typo) and every
value must pass that node's validation. The file is loaded as `ros2 launch` gives it:
`--params-file`.
"""
import pathlib

from liquid_edge_bridge.bridge_node import BridgeNode
from liquid_edge_bridge.debug_image_node import DebugImageNode
from liquid_edge_camera.camera_node import CameraNode
from liquid_edge_follow.follow_node import FollowNode
from liquid_edge_robomaster.driver_node import DriverNode
import pytest
import rclpy
import yaml

CONFIG = pathlib.Path(__file__).resolve().parents[1] / 'config' / 'robot.yaml'

# Only what cannot exist here is overridden: the robot (sdk) and the Raspicam (picamera2).
NODES = {
    'camera': (CameraNode, {'source': 'file'}),
    'edge_bridge': (BridgeNode, {}),
    'debug_image': (DebugImageNode, {}),
    'follow_target': (FollowNode, {}),
    'robomaster_driver': (DriverNode, {'backend': 'sim'}),
}


def configured_parameters():
    """Map node name -> the parameters robot.yaml sets for it."""
    document = yaml.safe_load(CONFIG.read_text())
    return {key.rsplit('/', 1)[-1]: _flat(value['ros__parameters'])
            for key, value in document.items()}


def _flat(parameters: dict, prefix: str = '') -> dict:
    """Return nested keys (``edge-a: {address: ...}``) as ROS names them: ``edge-a.address``."""
    flat = {}
    for name, value in parameters.items():
        if isinstance(value, dict):
            flat.update(_flat(value, f'{prefix}{name}.'))
        else:
            flat[f'{prefix}{name}'] = value
    return flat


def test_config_names_exactly_the_robot_nodes():
    assert set(configured_parameters()) == set(NODES)


@pytest.mark.parametrize('node_name', sorted(NODES))
def test_every_configured_parameter_is_declared_and_accepted(node_name, tmp_path):
    node_class, overrides = NODES[node_name]
    if 'source' in overrides:
        overrides = {**overrides, 'path': str(tmp_path / 'missing.avi')}
    context = rclpy.Context()
    rclpy.init(context=context, args=['--ros-args', '--params-file', str(CONFIG)])
    try:
        node = node_class(
            context=context, namespace='robot1',
            parameter_overrides=[rclpy.parameter.Parameter(name, value=value)
                                 for name, value in overrides.items()])
        try:
            expected = configured_parameters()[node_name]
            undeclared = sorted(name for name in expected if not node.has_parameter(name))
            assert undeclared == [], f'{node_name}: robot.yaml sets undeclared {undeclared}'
            for name, value in expected.items():
                if name not in overrides:
                    assert node.get_parameter(name).value == value, name
        finally:
            node.destroy_node()
    finally:
        rclpy.shutdown(context=context)
