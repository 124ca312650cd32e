"""run_node's exit codes, the descriptor builder and the pytest plugin's spin_until."""

from liquid_edge_toolkit.main import run_node
from liquid_edge_toolkit.parameters import ConfigurationError, descriptor
from liquid_edge_toolkit.pytest_plugin import spin_until
from liquid_edge_toolkit.qos import LATCHED, SENSOR_DATA
import pytest
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, ReliabilityPolicy


class StoppingNode(Node):
    """Shuts rclpy down from its first timer tick, as a SIGINT or SIGTERM does."""

    destroyed = 0

    def __init__(self, action):
        super().__init__('toolkit_probe')
        self.create_timer(0.01, action)

    def destroy_node(self):
        type(self).destroyed += 1
        super().destroy_node()


def test_configuration_error_while_building_exits_1():
    def refuse():
        raise ConfigurationError('max_speed must be positive')
    assert run_node(refuse, 'probe', args=[]) == 1
    assert not rclpy.ok()


def test_shutdown_during_spin_exits_0_and_destroys_the_node():
    StoppingNode.destroyed = 0
    assert run_node(lambda: StoppingNode(rclpy.shutdown), 'probe', args=[]) == 0
    assert StoppingNode.destroyed >= 1
    assert not rclpy.ok()


def test_run_time_error_is_not_reported_as_configuration():
    def fail():
        raise RuntimeError('a bug')
    with pytest.raises(RuntimeError, match='a bug'):
        run_node(lambda: StoppingNode(fail), 'probe', args=[])
    assert not rclpy.ok()


def test_descriptor_carries_ranges_and_read_only():
    built = descriptor('speed', True, float_range=(0, 2))
    assert built.read_only and built.description == 'speed'
    assert (built.floating_point_range[0].from_value,
            built.floating_point_range[0].to_value) == (0.0, 2.0)
    assert descriptor('count', integer_range=(1, 8)).integer_range[0].to_value == 8


def test_profiles_say_what_they_carry():
    assert SENSOR_DATA.reliability == ReliabilityPolicy.BEST_EFFORT and SENSOR_DATA.depth == 1
    assert LATCHED.durability == DurabilityPolicy.TRANSIENT_LOCAL


def test_spin_until_is_bounded_and_reports(ros_context):
    executor = SingleThreadedExecutor(context=ros_context)
    node = Node('spin_probe', context=ros_context)
    executor.add_node(node)
    ticks = []
    node.create_timer(0.01, lambda: ticks.append(1))
    try:
        assert spin_until(executor, lambda: len(ticks) >= 3)
        assert not spin_until(executor, lambda: False, timeout=0.1)
    finally:
        executor.shutdown()
        node.destroy_node()
