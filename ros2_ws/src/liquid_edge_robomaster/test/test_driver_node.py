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

"""Driver node over real DDS on loopback, with the sim backend and the SDK stand-in."""

import importlib.util
import math
import os
import subprocess
import sys
import time

from diagnostic_msgs.msg import DiagnosticArray
from fake_robomaster import FakeSdk
from geometry_msgs.msg import Twist
from liquid_edge_interfaces.msg import ArmorHit, LEDEffect
from liquid_edge_robomaster.armor import ArmorHitEvent, IR
from liquid_edge_robomaster.backends import BackendError, SimBackend
from liquid_edge_robomaster.driver_node import DriverNode
from liquid_edge_robomaster.leds import LedEffect
from liquid_edge_toolkit.main import start_lifecycle
from liquid_edge_toolkit.pytest_plugin import change_state, lifecycle_state, spin_until
from liquid_edge_toolkit.qos import LATCHED
from nav_msgs.msg import Odometry
import pytest
from rclpy.exceptions import InvalidParameterValueException
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node
from rclpy.parameter import Parameter
from rclpy.qos import QoSDurabilityPolicy, QoSProfile, QoSReliabilityPolicy
from std_msgs.msg import Bool


def stamp_seconds(msg):
    """Return a message's header stamp in seconds."""
    return msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9


class Harness:
    """An executor, a probe node publishing commands and recording what the driver says."""

    def __init__(self, context):
        self.executor = SingleThreadedExecutor(context=context)
        self.probe = Node('driver_probe', context=context)
        self.executor.add_node(self.probe)
        self.nodes = [self.probe]
        self.odom = []
        self.connected = []
        self.hits = []
        self.probe.create_subscription(Odometry, 'odom', self.odom.append, 10)
        # Depth 10 on this side, so that a short False between two Trues is kept.
        self.probe.create_subscription(
            Bool, 'connected', lambda msg: self.connected.append(msg.data),
            QoSProfile(depth=10, reliability=QoSReliabilityPolicy.RELIABLE,
                       durability=QoSDurabilityPolicy.TRANSIENT_LOCAL))
        self.probe.create_subscription(ArmorHit, 'armor_hit', self.hits.append, 10)
        self.cmd_vel = self.probe.create_publisher(Twist, 'cmd_vel', 1)
        self.leds = self.probe.create_publisher(LEDEffect, 'leds/effect', 1)

    def add(self, node, activate=True):
        """Spin ``node`` with the probe; configure and activate it unless told not to."""
        self.nodes.append(node)
        self.executor.add_node(node)
        assert not activate or start_lifecycle(node)
        return node

    def spin_until(self, condition, timeout=10.0):
        return spin_until(self.executor, condition, timeout)

    def drive(self, twist, seconds):
        """Publish ``twist`` at 20 Hz for ``seconds``, spinning; return the last send time."""
        end = time.monotonic() + seconds
        last = None
        while time.monotonic() < end:
            self.cmd_vel.publish(twist)
            last = self.probe.get_clock().now().nanoseconds * 1e-9
            spin_until(self.executor, lambda: False, 0.05)
        return last

    def close(self):
        self.executor.shutdown()
        for node in self.nodes:
            node.destroy_node()


@pytest.fixture
def harness(ros_context):
    """Yield a Harness; every node added to it is destroyed afterwards."""
    harness = Harness(ros_context)
    yield harness
    harness.close()


def sim_driver(context, backend=None, **parameters):
    """Return a driver node on the sim backend with parameter overrides."""
    overrides = [Parameter('backend', value='sim')] + [
        Parameter(name, value=value) for name, value in parameters.items()]
    return DriverNode(backend=backend, context=context, parameter_overrides=overrides)


def twist(vx=0.0, wz=0.0):
    msg = Twist()
    msg.linear.x = vx
    msg.angular.z = wz
    return msg


def yaw_of(msg):
    q = msg.pose.pose.orientation
    return 2.0 * math.atan2(q.z, q.w)


def test_sim_driver_integrates_forward_velocity_into_odom(ros_context, harness):
    harness.add(sim_driver(ros_context))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    harness.drive(twist(vx=0.5), 1.5)

    cruising = [msg for msg in harness.odom
                if msg.twist.twist.linear.x == pytest.approx(0.5)]
    assert len(cruising) >= 10, 'the chassis never reached 0.5 m/s'
    first, last = cruising[0], cruising[-1]
    elapsed = stamp_seconds(last) - stamp_seconds(first)
    travelled = last.pose.pose.position.x - first.pose.pose.position.x
    assert travelled > 0.0
    assert travelled == pytest.approx(0.5 * elapsed, rel=0.05, abs=0.01)
    assert abs(last.pose.pose.position.y) < 1e-6
    assert last.header.frame_id == 'odom' and last.child_frame_id == 'base_link'


def test_sim_driver_integrates_yaw_rate_counter_clockwise(ros_context, harness):
    harness.add(sim_driver(ros_context))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    harness.drive(twist(wz=0.5), 1.5)

    turning = [msg for msg in harness.odom if msg.twist.twist.angular.z == pytest.approx(0.5)]
    assert len(turning) >= 10
    first, last = turning[0], turning[-1]
    elapsed = stamp_seconds(last) - stamp_seconds(first)
    assert yaw_of(last) - yaw_of(first) == pytest.approx(0.5 * elapsed, rel=0.05, abs=0.01)
    assert yaw_of(last) > 0.0


def test_deadman_stops_the_chassis_after_cmd_timeout(ros_context, harness):
    harness.add(sim_driver(ros_context, cmd_timeout=0.3))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    last_command = harness.drive(twist(vx=0.5), 1.0)

    assert harness.spin_until(lambda: any(
        stamp_seconds(msg) > last_command and msg.twist.twist.linear.x == 0.0
        for msg in harness.odom), timeout=5.0), 'the chassis kept moving without cmd_vel'
    after = [msg for msg in harness.odom if stamp_seconds(msg) > last_command]
    slowing = next(msg for msg in after if msg.twist.twist.linear.x < 0.5)
    stopped = next(msg for msg in after if msg.twist.twist.linear.x == 0.0)
    # Correctness bounds, not a benchmark: braking must not start before cmd_timeout, and
    # the robot must be still within cmd_timeout + braking (0.5 m/s at 2 m/s^2) + slack.
    assert stamp_seconds(slowing) - last_command >= 0.3 - 0.05
    assert stamp_seconds(stopped) - last_command <= 0.3 + 0.25 + 0.5


def test_speed_caps_are_enforced(ros_context, harness):
    harness.add(sim_driver(ros_context, max_linear_speed=0.3))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    harness.drive(twist(vx=2.0), 1.0)
    speeds = [msg.twist.twist.linear.x for msg in harness.odom]
    assert max(speeds) == pytest.approx(0.3)


def test_connected_is_latched_for_a_late_subscriber(ros_context, harness):
    harness.add(sim_driver(ros_context))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    late = []
    harness.probe.create_subscription(Bool, 'connected', lambda msg: late.append(msg.data),
                                      LATCHED)
    assert harness.spin_until(lambda: late)
    assert late == [True]


class UnpluggedOnceBackend(SimBackend):
    """A simulated robot whose first reconnection after a lost link fails, like a cable."""

    def __init__(self):
        super().__init__()
        self.refusals = 0

    def drop_link(self):
        self.refusals = 1
        super().drop_link()

    def connect(self):
        if self.refusals:
            self.refusals -= 1
            raise BackendError('cable unplugged')
        super().connect()


def test_lost_link_publishes_false_then_reconnects(ros_context, harness):
    backend = UnpluggedOnceBackend()
    harness.add(sim_driver(ros_context, backend=backend, reconnect_period=0.2))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    before = len(harness.connected)
    backend.drop_link()
    assert harness.spin_until(lambda: harness.connected[before:] == [False, True])
    harness.cmd_vel.publish(twist(vx=0.2))
    assert harness.spin_until(lambda: backend.state().velocity.vx > 0.0)


def test_armor_hit_and_led_effect_pass_through(ros_context, harness):
    backend = SimBackend()
    harness.add(sim_driver(ros_context, backend=backend))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    backend.inject_armor_hit(ArmorHitEvent(location=16, type=IR))
    assert harness.spin_until(lambda: harness.hits)
    assert (harness.hits[0].location, harness.hits[0].type) == (16, IR)

    effect = LEDEffect(mask=LEDEffect.BOTTOM, effect=LEDEffect.FLASH, t1=0.1, t2=0.1)
    effect.color.g = 1.0
    harness.leds.publish(effect)
    assert harness.spin_until(lambda: backend.led is not None)
    assert backend.led.effect == LedEffect.FLASH and backend.led.mask == LEDEffect.BOTTOM


def test_sdk_backend_gets_converted_commands(ros_context, harness, monkeypatch):
    fake_sdk = FakeSdk().install(monkeypatch)
    harness.add(DriverNode(context=ros_context, parameter_overrides=[
        Parameter('backend', value='sdk'), Parameter('conn_type', value='sta')]))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    assert fake_sdk.calls_named('robot.initialize') == [{'conn_type': 'sta', 'sn': None}]
    harness.cmd_vel.publish(twist(vx=0.4, wz=-1.0))
    assert harness.spin_until(lambda: fake_sdk.calls_named('chassis.drive_speed'))
    call = fake_sdk.calls_named('chassis.drive_speed')[0]
    assert call['x'] == pytest.approx(0.4)
    assert call['z'] == pytest.approx(math.degrees(1.0))


def test_stalled_driver_leaves_the_robot_a_timeout_to_stop_on(ros_context, harness, monkeypatch):
    fake_sdk = FakeSdk().install(monkeypatch)
    driver = harness.add(DriverNode(context=ros_context, parameter_overrides=[
        Parameter('backend', value='sdk'), Parameter('cmd_timeout', value=0.25)]))
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])

    def last_moving_command(speed):
        moving = [call for call in fake_sdk.calls_named('chassis.drive_speed')
                  if call['x'] == pytest.approx(speed)]
        return moving[-1] if moving else None

    harness.cmd_vel.publish(twist(vx=0.4))
    assert harness.spin_until(lambda: last_moving_command(0.4))
    # The driver stalls here (nothing spins it, so no dead-man tick of this process follows):
    # the command the robot holds must carry its own stop.
    assert last_moving_command(0.4)['timeout'] == 0.25

    assert driver.set_parameters([Parameter('cmd_timeout', value=0.5)])[0].successful
    harness.cmd_vel.publish(twist(vx=0.2))
    assert harness.spin_until(lambda: last_moving_command(0.2))
    assert last_moving_command(0.2)['timeout'] == 0.5


def driver_status(diagnostics):
    """Return the message of the newest driver status on /diagnostics, or ''."""
    return next((status.message for array in reversed(diagnostics) for status in array.status
                 if status.name == 'robomaster_driver: robomaster'), '')


def test_lifecycle_transitions_over_the_standard_services(ros_context, harness, monkeypatch):
    fake_sdk = FakeSdk().install(monkeypatch)
    driver = harness.add(DriverNode(context=ros_context, parameter_overrides=[
        Parameter('backend', value='sdk')]), activate=False)
    name = driver.get_fully_qualified_name()
    probe, executor = harness.probe, harness.executor
    diagnostics = []
    probe.create_subscription(DiagnosticArray, '/diagnostics', diagnostics.append, 10)
    assert lifecycle_state(probe, executor, name) == 'unconfigured'
    assert change_state(probe, executor, name, 'configure')
    assert lifecycle_state(probe, executor, name) == 'inactive'
    assert fake_sdk.calls_named('robot.initialize') == []  # configure does not connect

    assert change_state(probe, executor, name, 'activate')
    assert harness.spin_until(lambda: harness.connected and harness.connected[-1])
    harness.cmd_vel.publish(twist(vx=0.3))
    assert harness.spin_until(lambda: fake_sdk.calls_named('chassis.drive_speed'))
    assert harness.spin_until(lambda: driver_status(diagnostics) == 'connected')

    assert change_state(probe, executor, name, 'deactivate')
    assert fake_sdk.calls_named('chassis.drive_speed')[-1]['x'] == 0.0
    assert fake_sdk.calls_named('chassis.drive_speed')[-1]['timeout'] > 0.0
    assert fake_sdk.calls_named('led.set_led')[-1]['effect'] is fake_sdk.led.EFFECT_OFF
    assert fake_sdk.calls_named('robot.close') == [{}]
    assert harness.spin_until(lambda: harness.connected[-1] is False)
    assert harness.spin_until(lambda: driver_status(diagnostics).startswith('inactive'))

    assert change_state(probe, executor, name, 'cleanup')
    assert lifecycle_state(probe, executor, name) == 'unconfigured'
    assert change_state(probe, executor, name, 'configure')
    assert change_state(probe, executor, name, 'activate')
    assert harness.spin_until(lambda: harness.connected[-1] is True)


def test_missing_sdk_refuses_to_configure(ros_context, harness, monkeypatch):
    monkeypatch.setitem(sys.modules, 'robomaster', None)
    driver = harness.add(DriverNode(context=ros_context, parameter_overrides=[
        Parameter('backend', value='sdk')]), activate=False)
    assert not change_state(harness.probe, harness.executor,
                            driver.get_fully_qualified_name(), 'configure')
    assert lifecycle_state(harness.probe, harness.executor,
                           driver.get_fully_qualified_name()) == 'unconfigured'


def test_main_exits_1_when_it_cannot_configure():
    if importlib.util.find_spec('robomaster') is not None:
        pytest.skip('the robomaster SDK is installed: backend sdk would configure')
    finished = subprocess.run(
        [sys.executable, '-m', 'liquid_edge_robomaster.driver_node', '--ros-args',
         '-p', 'backend:=sdk', '-r', '__ns:=/main_test'],
        env={**os.environ}, capture_output=True, text=True, timeout=60)
    assert finished.returncode == 1
    assert 'pip install robomaster' in finished.stderr
    assert 'refused to configure or activate' in finished.stderr


@pytest.mark.parametrize('name, value, expected', [
    ('backend', 'tank', "backend 'tank' is unknown; use one of sdk, sim"),
    ('conn_type', 'usb', "conn_type 'usb' is unknown; use one of rndis, ap, sta"),
    ('cmd_timeout', 0.0, 'cmd_timeout out of range'),
    ('max_linear_speed', 9.0, 'max_linear_speed out of range'),
])
def test_bad_parameter_at_start_is_refused_clearly(ros_context, name, value, expected):
    overrides = [Parameter('backend', value='sim'), Parameter(name, value=value)]
    with pytest.raises(InvalidParameterValueException) as caught:
        DriverNode(context=ros_context, parameter_overrides=overrides)
    assert expected in str(caught.value)


def test_bad_parameter_at_run_time_is_refused(ros_context, harness):
    driver = harness.add(sim_driver(ros_context))
    results = driver.set_parameters([
        Parameter('max_angular_speed', value=50.0), Parameter('backend', value='sdk'),
        Parameter('cmd_timeout', value=0.5)])
    assert not results[0].successful and 'out of range' in results[0].reason
    assert not results[1].successful and 'read-only' in results[1].reason
    assert results[2].successful
    assert driver.get_parameter('cmd_timeout').value == 0.5
