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

"""run_node's exit codes, LifecycleNode's hooks, descriptors, QoS, diagnostics, spin_until."""

import os
import signal
import subprocess
import sys

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from lifecycle_msgs.srv import GetState
from liquid_edge_toolkit.diagnostics import PERIOD_PARAMETER, Updater
from liquid_edge_toolkit.lifecycle import LifecycleNode
from liquid_edge_toolkit.parameters import descriptor
from liquid_edge_toolkit.pytest_plugin import lifecycle_state, spin_until
from liquid_edge_toolkit.qos import LATCHED, SENSOR_DATA
from rclpy.lifecycle import TransitionCallbackReturn
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import DurabilityPolicy, ReliabilityPolicy


# run_node runs in a child process: rclpy's global context must not outlive a test here
# (the flake8 test forks workers, which must not inherit live rcl handles).
RUN_NODE = """
import sys
import rclpy
from rclpy.lifecycle import LifecycleNode, TransitionCallbackReturn
from rclpy.node import Node
from liquid_edge_toolkit.main import declare_autostart, run_node
from liquid_edge_toolkit.parameters import ConfigurationError


class Stopping(Node):
    def __init__(self, action):
        super().__init__('toolkit_probe')
        self.create_timer(0.01, action)

    def destroy_node(self):
        print('destroyed')
        super().destroy_node()


class Refusing(LifecycleNode):
    def __init__(self):
        super().__init__('toolkit_lifecycle_probe')
        declare_autostart(self)

    def on_configure(self, state):
        return TransitionCallbackReturn.FAILURE


def refuse():
    raise ConfigurationError('max_speed must be positive')


def fail():
    raise RuntimeError('a bug')


makers = {'refuse': refuse, 'stop': lambda: Stopping(rclpy.shutdown),
          'fail': lambda: Stopping(fail), 'refuse_configure': Refusing}
sys.exit(run_node(makers[sys.argv[1]], 'probe', args=sys.argv[2:]))
"""


def run_node_in_child(case, *arguments):
    """Run run_node on one of RUN_NODE's cases; return the finished process."""
    return subprocess.run([sys.executable, '-c', RUN_NODE, case, *arguments],
                          env={**os.environ}, capture_output=True, text=True, timeout=60)


def test_configuration_error_while_building_exits_1():
    finished = run_node_in_child('refuse')
    assert finished.returncode == 1
    assert 'FATAL' in finished.stderr and 'max_speed must be positive' in finished.stderr


def test_shutdown_during_spin_exits_0_and_destroys_the_node():
    finished = run_node_in_child('stop')
    assert finished.returncode == 0, finished.stderr
    assert 'destroyed' in finished.stdout
    assert 'Traceback' not in finished.stderr


def test_run_time_error_is_not_reported_as_configuration():
    finished = run_node_in_child('fail')
    assert finished.returncode == 1
    assert 'RuntimeError: a bug' in finished.stderr and 'FATAL' not in finished.stderr


def test_lifecycle_node_refusing_to_configure_at_autostart_exits_1():
    finished = run_node_in_child('refuse_configure')
    assert finished.returncode == 1
    assert 'refused to configure or activate' in finished.stderr


def test_without_autostart_it_waits_unconfigured_and_sigint_exits_0(ros_graph):
    executor, probe, _ = ros_graph
    child = subprocess.Popen(
        [sys.executable, '-c', RUN_NODE, 'refuse_configure', '--ros-args', '-p',
         'autostart:=false', '-r', '__ns:=/toolkit_test'],
        env={**os.environ}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert lifecycle_state(probe, executor, '/toolkit_test/toolkit_lifecycle_probe',
                               timeout=30.0) == 'unconfigured'
    finally:
        child.send_signal(signal.SIGINT)
        _, stderr = child.communicate(timeout=30)
    assert child.returncode == 0, stderr
    assert 'Traceback' not in stderr


class Recording(LifecycleNode):
    """A LIQUID EDGE lifecycle node that records which of its hooks ran."""

    def __init__(self, **kwargs):
        super().__init__('toolkit_recording', **kwargs)
        self.hooks = []

    def _stop(self):
        self.hooks.append('stop')

    def _release(self):
        self.hooks.append('release')


def test_deactivate_stops_cleanup_releases_and_shutdown_does_both(ros_context, ros_graph):
    node = ros_graph.add(Recording(context=ros_context))
    for transition, hooks in (('configure', []), ('activate', []), ('deactivate', ['stop']),
                              ('cleanup', ['release'])):
        node.hooks.clear()
        assert getattr(node, f'trigger_{transition}')() == TransitionCallbackReturn.SUCCESS
        assert node.hooks == hooks, transition
    node.trigger_configure()
    node.trigger_activate()
    node.hooks.clear()
    assert node.trigger_shutdown() == TransitionCallbackReturn.SUCCESS
    assert node.hooks == ['stop', 'release']


def test_destroying_an_active_node_stops_it_first(ros_context):
    node = Recording(context=ros_context)
    node.trigger_configure()
    node.trigger_activate()
    node.destroy_node()
    assert node.hooks == ['stop']


def test_a_node_without_hooks_goes_through_every_transition(ros_context, ros_graph):
    node = ros_graph.add(LifecycleNode('toolkit_hookless', context=ros_context))
    for transition in ('configure', 'activate', 'deactivate', 'cleanup', 'shutdown'):
        assert getattr(node, f'trigger_{transition}')() == TransitionCallbackReturn.SUCCESS


def test_destroy_entities_destroys_each_kind(ros_context, ros_graph):
    node = ros_graph.add(LifecycleNode('toolkit_entities', context=ros_context))
    timer = node.create_timer(10.0, lambda: None)
    service = node.create_service(GetState, 'entities/get_state', lambda _, response: response)
    publisher = node.create_publisher(DiagnosticArray, 'entities/out', 1)
    subscription = node.create_subscription(DiagnosticArray, 'entities/in', lambda _: None, 1)
    node._destroy_entities([timer, service, publisher, subscription])
    assert timer not in node.timers and service not in node.services
    assert publisher not in node.publishers and subscription not in node.subscriptions


def test_descriptor_carries_ranges_and_read_only():
    built = descriptor('speed', True, float_range=(0, 2))
    assert built.read_only and built.description == 'speed'
    assert (built.floating_point_range[0].from_value,
            built.floating_point_range[0].to_value) == (0.0, 2.0)
    assert descriptor('count', integer_range=(1, 8)).integer_range[0].to_value == 8


def test_profiles_say_what_they_carry():
    assert SENSOR_DATA.reliability == ReliabilityPolicy.BEST_EFFORT and SENSOR_DATA.depth == 1
    assert LATCHED.durability == DurabilityPolicy.TRANSIENT_LOCAL


def test_spin_until_is_bounded_and_reports(ros_graph):
    executor, probe, _ = ros_graph
    ticks = []
    probe.create_timer(0.01, lambda: ticks.append(1))
    assert spin_until(executor, lambda: len(ticks) >= 3)
    assert not spin_until(executor, lambda: False, timeout=0.1)


def test_updater_publishes_every_task_named_after_the_node(ros_context, ros_graph):
    executor, probe, add = ros_graph
    node = add(Node('diagnosed', context=ros_context, parameter_overrides=[
        Parameter(PERIOD_PARAMETER, value=0.1)]))
    arrays = []
    probe.create_subscription(DiagnosticArray, '/diagnostics', arrays.append, 10)
    updater = Updater(node, period=5.0)
    updater.setHardwareID('s1')

    def link(stat):
        stat.summary(DiagnosticStatus.WARN, 'slow')
        stat.add('latency_ms', 120)
        return stat

    updater.add('link', link)
    updater.add('silent', lambda stat: stat)
    # The parameter (0.1 s) wins over the constructor's period (5 s).
    assert node.get_parameter(PERIOD_PARAMETER).value == 0.1
    assert spin_until(executor, lambda: len(arrays) >= 2)
    link_status, silent = arrays[-1].status
    assert (link_status.name, link_status.level, link_status.message) == \
        ('diagnosed: link', DiagnosticStatus.WARN, 'slow')
    assert link_status.hardware_id == 's1'
    assert [(v.key, v.value) for v in link_status.values] == [('latency_ms', '120')]
    assert (silent.level, silent.message) == (DiagnosticStatus.ERROR, 'No message was set')
