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
Robomaster S1 driver node: ROS topics in, a :class:`RobotBackend` (sdk or sim) out.

Interface as jeguzzi/robomaster_ros where they overlap: subscribes ``cmd_vel`` (Twist, SI),
``cmd_gimbal`` (GimbalCommand, rad/s), ``leds/effect`` (LEDEffect), ``leds/color``
(ColorRGBA); publishes ``odom`` (odom -> base_link), ``joint_states`` (gimbal joints),
``connected`` (Bool, latched), ``armor_hit``, ``/diagnostics`` and, when tf2_ros is importable,
the TF odom -> base_link. Speed caps are enforced here; a quiet ``cmd_vel`` (or
``cmd_gimbal``) for ``cmd_timeout`` stops the chassis (or the gimbal); a lost link drops
commands, publishes ``connected`` false and reconnects with back-off.

A lifecycle node (``ros2 lifecycle set /robomaster_driver configure``, ...) that brings itself
up unless ``autostart`` is false: configure validates and builds the backend, activate
connects and subscribes, deactivate stops the chassis and gimbal, LEDs off, and closes the
link, cleanup releases the backend.
"""

import math
import sys
from typing import Callable, List, Optional

from diagnostic_msgs.msg import DiagnosticStatus
from geometry_msgs.msg import TransformStamped, Twist
from liquid_edge_interfaces.msg import ArmorHit, GimbalCommand, LEDEffect
from liquid_edge_toolkit.diagnostics import make_updater
from liquid_edge_toolkit.lifecycle import LifecycleNode
from liquid_edge_toolkit.main import run_node
from liquid_edge_toolkit.parameters import add_parameter_callbacks, descriptor
from liquid_edge_toolkit.qos import COMMANDS, LATCHED
from nav_msgs.msg import Odometry
from rclpy.lifecycle import LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from sensor_msgs.msg import JointState
from std_msgs.msg import Bool, ColorRGBA

from .armor import ArmorHitEvent
from .backends import (
    BackendConfig, BackendError, BACKENDS, make_backend, RobotBackend, SdkUnavailableError)
from .chassis import cap_velocity, ChassisVelocity
from .connection import ConnectionSupervisor, ReconnectBackoff
from .deadman import DeadManSwitch
from .gimbal import cap_rates, GimbalRates, HOLD
from .leds import ALL, LedCommand, LedEffect, make_led_command
from .robot_state import RobotState

CONN_TYPES = ('rndis', 'ap', 'sta')
#: Seconds between checks that the link is still up.
LINK_CHECK_PERIOD = 0.2
#: The reconnection back-off grows from reconnect_period up to this many times it.
RECONNECT_BACKOFF_FACTOR = 8.0

_OK = DiagnosticStatus.OK
_ERROR = DiagnosticStatus.ERROR


def yaw_to_quaternion(yaw: float):
    """Return (x, y, z, w) of a rotation by ``yaw`` about z."""
    return 0.0, 0.0, math.sin(yaw / 2.0), math.cos(yaw / 2.0)


class DriverNode(LifecycleNode):
    """
    Drive a Robomaster S1 from ROS.

    :param backend: a ready :class:`RobotBackend` (the closed-loop simulation passes its
        :class:`~liquid_edge_robomaster.backends.sim.SimBackend`); when given, the ``backend``
        parameter is not used.
    :param kwargs: passed to :class:`rclpy.lifecycle.LifecycleNode`.

    A lifecycle node: configure builds the backend (it fails, saying how to install the SDK
    and that backend:=sim exists, when the robomaster package is missing); activate connects
    and subscribes; deactivate stops the chassis and gimbal, switches the LEDs off and closes
    the link; cleanup releases the backend.
    """

    def __init__(self, backend: Optional[RobotBackend] = None, **kwargs):
        super().__init__('robomaster_driver', **kwargs)
        self._given_backend = backend
        self._backend: Optional[RobotBackend] = None
        self._supervisor: Optional[ConnectionSupervisor] = None
        self._chassis_deadman: Optional[DeadManSwitch] = None
        self._gimbal_deadman: Optional[DeadManSwitch] = None
        # Not _publishers/_subscriptions: rclpy's Node keeps its own lists under those names.
        self._command_inputs = []
        self._state_publishers = []
        self._tf_broadcaster = None
        if backend is not None:
            backend.on_armor_hit(self._publish_armor_hit)
        self._commands_dropped = 0
        self._deadman_stops = 0
        # A state chosen through the lifecycle is OK; a lost or refused link is an ERROR.
        self._status = (_OK, 'unconfigured')
        add_parameter_callbacks(self, self._check_parameter, self._apply_parameters)
        self._declare_parameters()
        self._diagnostics = make_updater(self)
        self._diagnostics.add('robomaster', self._diagnose)

    # Lifecycle: configure builds the backend, activate connects and starts the topics,
    # deactivate stops the robot and lets go of the link, cleanup releases the backend.

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Read the parameters, build the backend and the publishers."""
        def value(name):
            return self.get_parameter(name).value

        self._max_linear = value('max_linear_speed')
        self._max_angular = value('max_angular_speed')
        self._max_gimbal = value('max_gimbal_speed')
        self._odom_period = 1.0 / value('odom_rate')
        self._odom_frame = self._frame('odom')
        self._base_frame = self._frame('base_link')
        # Joint names match the URDF as they are (liquid_edge_description): only frames take
        # the prefix, as robot_state_publisher's frame_prefix does.
        self._joint_names = ['gimbal_yaw_joint', 'gimbal_pitch_joint']
        try:
            self._backend = self._given_backend
            if self._backend is None:
                self._backend = make_backend(value('backend'), BackendConfig(
                    conn_type=value('conn_type'), serial_number=value('serial_number')))
        except SdkUnavailableError as error:
            self.get_logger().error(f'robomaster_driver: {error}')
            return TransitionCallbackReturn.FAILURE
        # Two stops on a quiet cmd_vel: the host's dead-man below and the robot's own watchdog.
        self._backend.command_timeout = value('cmd_timeout')
        self._chassis_deadman = DeadManSwitch(value('cmd_timeout'))
        self._gimbal_deadman = DeadManSwitch(value('cmd_timeout'))
        self._led_command: Optional[LedCommand] = None
        self._led_shown = True
        self._connected_published: Optional[bool] = None
        self._last_tick: Optional[float] = None

        self._odom_pub = self.create_publisher(Odometry, 'odom', 10)
        self._joint_pub = self.create_publisher(JointState, 'joint_states', 10)
        self._connected_pub = self.create_publisher(Bool, 'connected', LATCHED)
        self._hit_pub = self.create_publisher(ArmorHit, 'armor_hit', 10)
        self._state_publishers = [self._odom_pub, self._joint_pub, self._connected_pub,
                                  self._hit_pub]
        self._tf_broadcaster = self._make_tf_broadcaster() if value('publish_tf') else None
        if self._given_backend is None:
            self._backend.on_armor_hit(self._publish_armor_hit)  # a new backend: register
        self._diagnostics.setHardwareID(self._backend.description)
        self._publish_connected(False)
        self._set_status(_OK, 'inactive: not connected')
        self.get_logger().info(
            f'robomaster_driver: {self._backend.description}; caps {self._max_linear} m/s, '
            f'{self._max_angular} rad/s, gimbal {self._max_gimbal} rad/s; '
            f'cmd_timeout {value("cmd_timeout")} s')
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Connect (with back-off, on the link thread), subscribe to commands, start odom."""
        self._command_inputs = [
            self.create_subscription(Twist, 'cmd_vel', self._on_cmd_vel, COMMANDS),
            self.create_subscription(GimbalCommand, 'cmd_gimbal', self._on_cmd_gimbal,
                                     COMMANDS),
            self.create_subscription(LEDEffect, 'leds/effect', self._on_led_effect, COMMANDS),
            self.create_subscription(ColorRGBA, 'leds/color', self._on_led_color, COMMANDS),
            self.create_timer(self._odom_period, self._on_tick),
        ]
        period = self.get_parameter('reconnect_period').value
        self._supervisor = ConnectionSupervisor(
            self._backend, ReconnectBackoff(period, RECONNECT_BACKOFF_FACTOR * period),
            LINK_CHECK_PERIOD, self._on_link_change)
        self._supervisor.start()
        return TransitionCallbackReturn.SUCCESS

    def _stop(self) -> None:
        """Deactivate: stop the chassis and gimbal, LEDs off, close the link, stop the topics."""
        self._destroy_entities(self._command_inputs)
        self._command_inputs = []
        if self._supervisor is None:
            return
        if self.connected:
            self._send(self._backend.stop)
            self._send(self._backend.gimbal_speed, HOLD)
            self._send(self._backend.set_led, make_led_command(ALL, LedEffect.OFF, 0.0, 0.0, 0.0))
        supervisor, self._supervisor = self._supervisor, None
        supervisor.stop()
        if self.context.ok():
            self._publish_connected(False)
            self._set_status(_OK, 'inactive: not connected')

    def _release(self) -> None:
        """Cleanup: release the publishers and the backend."""
        if self._tf_broadcaster is not None:
            self._state_publishers.append(self._tf_broadcaster.pub_tf)
            self._tf_broadcaster = None
        self._destroy_entities(self._state_publishers)
        self._state_publishers = []
        self._backend = None
        self._chassis_deadman = self._gimbal_deadman = None
        if self.context.ok():
            self._set_status(_OK, 'unconfigured')

    def _declare_parameters(self) -> None:
        self.declare_parameters('', [
            ('backend', 'sdk', descriptor(
                f'robot backend: {", ".join(sorted(BACKENDS))}; ignored when the node is '
                'given a backend object (simulation)', read_only=True)),
            ('conn_type', 'rndis', descriptor(
                "SDK link: rndis (USB), ap (the robot's Wi-Fi) or sta (a router)",
                read_only=True)),
            ('serial_number', '', descriptor(
                'robot serial number (up to 14 characters); empty: the first robot found',
                read_only=True)),
            ('cmd_timeout', 0.3, descriptor(
                'dead-man: seconds without cmd_vel (cmd_gimbal) before the chassis (gimbal) '
                "stops; also given to the SDK with every chassis speed, so the robot's own "
                'watchdog stops it if this node stalls', float_range=(0.05, 5.0))),
            ('max_linear_speed', 1.5, descriptor(
                'cap on the planar chassis speed, m/s', float_range=(0.0, 3.5))),
            ('max_angular_speed', 3.0, descriptor(
                'cap on the chassis yaw rate, rad/s', float_range=(0.0, 10.4))),
            ('max_gimbal_speed', 2.0, descriptor(
                'cap on each gimbal axis rate, rad/s', float_range=(0.0, 6.2))),
            ('odom_rate', 30.0, descriptor(
                'odom, joint_states and TF rate, Hz; the sim backend integrates at it',
                read_only=True, float_range=(1.0, 100.0))),
            ('reconnect_period', 1.0, descriptor(
                'first wait between reconnection attempts, s; doubles up to 8 times it',
                read_only=True, float_range=(0.1, 60.0))),
            ('tf_prefix', '', descriptor(
                'prefix of every frame name ("robot1" gives robot1/base_link), as '
                "robot_state_publisher's frame_prefix; joint names are not prefixed",
                read_only=True)),
            ('publish_tf', True, descriptor(
                'broadcast TF odom -> base_link (needs tf2_ros)', read_only=True)),
        ])

    def _frame(self, name: str) -> str:
        prefix = self.get_parameter('tf_prefix').value.strip('/')
        return f'{prefix}/{name}' if prefix else name

    def _check_parameter(self, parameter: Parameter) -> str:
        """Return why a value is refused, or '' (ranges are checked by the descriptors)."""
        if parameter.name == 'backend' and self._given_backend is None \
                and parameter.value not in BACKENDS:
            return (f'backend {parameter.value!r} is unknown; use one of '
                    f'{", ".join(sorted(BACKENDS))}')
        if parameter.name == 'conn_type' and parameter.value not in CONN_TYPES:
            return f'conn_type {parameter.value!r} is unknown; use one of {", ".join(CONN_TYPES)}'
        if parameter.name == 'serial_number' and len(parameter.value) > 14:
            return f'serial_number has at most 14 characters, got {len(parameter.value)}'
        return ''

    def _apply_parameters(self, parameters: List[Parameter]) -> None:
        """Take a run-time change of a speed cap or of cmd_timeout into use (configured)."""
        if self._chassis_deadman is None:
            return  # read again by on_configure
        for parameter in parameters:
            if parameter.name == 'cmd_timeout':
                self._backend.command_timeout = parameter.value
                self._chassis_deadman.timeout = parameter.value
                self._gimbal_deadman.timeout = parameter.value
            elif parameter.name == 'max_linear_speed':
                self._max_linear = parameter.value
            elif parameter.name == 'max_angular_speed':
                self._max_angular = parameter.value
            elif parameter.name == 'max_gimbal_speed':
                self._max_gimbal = parameter.value

    def _make_tf_broadcaster(self):
        try:
            from tf2_ros import TransformBroadcaster
        except ImportError:
            self.get_logger().warning(
                'TF odom -> base_link is off: tf2_ros is not importable (install '
                'ros-$ROS_DISTRO-tf2-ros); odom still carries the pose')
            return None
        return TransformBroadcaster(self)

    def _now(self) -> float:
        return self.get_clock().now().nanoseconds * 1e-9

    @property
    def connected(self) -> bool:
        """Whether the robot link is up."""
        return self._supervisor is not None and self._supervisor.connected

    def _send(self, command: Callable, *arguments) -> None:
        """Hand a command to the backend if the link is up; a failure triggers reconnection."""
        if not self.connected:
            self._commands_dropped += 1
            return
        try:
            command(*arguments)
        except BackendError as error:
            self._commands_dropped += 1
            self.get_logger().warning(f'robot command failed: {error}')
            self._supervisor.report_lost()

    def _on_cmd_vel(self, msg: Twist) -> None:
        try:
            velocity = cap_velocity(
                ChassisVelocity(vx=msg.linear.x, vy=msg.linear.y, wz=msg.angular.z),
                self._max_linear, self._max_angular)
        except ValueError as error:
            self.get_logger().warning(f'cmd_vel ignored: {error}', throttle_duration_sec=1.0)
            return
        self._chassis_deadman.command_received(self._now())
        self._send(self._backend.drive, velocity)

    def _on_cmd_gimbal(self, msg: GimbalCommand) -> None:
        try:
            rates = cap_rates(GimbalRates(yaw=msg.yaw_speed, pitch=msg.pitch_speed),
                              self._max_gimbal)
        except ValueError as error:
            self.get_logger().warning(f'cmd_gimbal ignored: {error}', throttle_duration_sec=1.0)
            return
        self._gimbal_deadman.command_received(self._now())
        self._send(self._backend.gimbal_speed, rates)

    def _on_led_effect(self, msg: LEDEffect) -> None:
        try:
            command = make_led_command(
                msg.mask, msg.effect, msg.color.r, msg.color.g, msg.color.b,
                msg.t1, msg.t2, msg.submask)
        except ValueError as error:
            self.get_logger().warning(f'leds/effect ignored: {error}')
            return
        self._show_led(command)

    def _on_led_color(self, msg: ColorRGBA) -> None:
        effect = LedEffect.OFF if msg.r == msg.g == msg.b == 0.0 else LedEffect.ON
        try:
            command = make_led_command(ALL, effect, msg.r, msg.g, msg.b)
        except ValueError as error:
            self.get_logger().warning(f'leds/color ignored: {error}')
            return
        self._show_led(command)

    def _show_led(self, command: LedCommand) -> None:
        # Kept, so that the LEDs show it again after a reconnection.
        self._led_command = command
        self._led_shown = self.connected
        self._send(self._backend.set_led, command)

    def _on_link_change(self, connected: bool, reason: str) -> None:
        """Supervisor thread: publish the new link state and report it once."""
        if not self.context.ok():
            return  # shutting down: nothing may publish any more
        if connected:
            self._led_shown = False
        self._publish_connected(connected)
        self._set_status(_OK if connected else _ERROR, reason)

    def _publish_connected(self, connected: bool) -> None:
        if connected != self._connected_published:
            self._connected_published = connected
            self._connected_pub.publish(Bool(data=connected))

    def _set_status(self, level: bytes, message: str) -> None:
        if (level, message) == self._status:
            return
        self._status = (level, message)
        # rclpy ties a severity to each logging call site, hence two calls.
        if level == _OK:
            self.get_logger().info(f'robomaster: {message}')
        else:
            self.get_logger().error(f'robomaster: {message}')
        self._diagnostics.force_update()

    def _on_tick(self) -> None:
        now = self._now()
        if self._chassis_deadman.should_stop(now):
            self._deadman_stops += 1
            self._send(self._backend.stop)
        if self._gimbal_deadman.should_stop(now):
            self._send(self._backend.gimbal_speed, HOLD)
        dt = 0.0 if self._last_tick is None else now - self._last_tick
        self._last_tick = now
        if not self.connected:
            return
        if not self._led_shown and self._led_command is not None:
            self._led_shown = True
            self._send(self._backend.set_led, self._led_command)
        # A late tick integrates its real dt, capped so a stalled process does not jump.
        self._backend.update(min(max(dt, 0.0), 5.0 * self._odom_period))
        self._publish_state(self._backend.state())

    def _publish_state(self, state: RobotState) -> None:
        stamp = self.get_clock().now().to_msg()
        qx, qy, qz, qw = yaw_to_quaternion(state.yaw)
        odom = Odometry()
        odom.header.stamp = stamp
        odom.header.frame_id = self._odom_frame
        odom.child_frame_id = self._base_frame
        odom.pose.pose.position.x = state.x
        odom.pose.pose.position.y = state.y
        orientation = odom.pose.pose.orientation
        orientation.x, orientation.y, orientation.z, orientation.w = qx, qy, qz, qw
        odom.twist.twist.linear.x = state.velocity.vx
        odom.twist.twist.linear.y = state.velocity.vy
        odom.twist.twist.angular.z = state.velocity.wz
        self._odom_pub.publish(odom)

        joints = JointState(name=list(self._joint_names),
                            position=[state.gimbal_yaw, state.gimbal_pitch])
        joints.header.stamp = stamp
        self._joint_pub.publish(joints)

        if self._tf_broadcaster is not None:
            transform = TransformStamped()
            transform.header = odom.header
            transform.child_frame_id = self._base_frame
            transform.transform.translation.x = state.x
            transform.transform.translation.y = state.y
            transform.transform.rotation = odom.pose.pose.orientation
            self._tf_broadcaster.sendTransform(transform)

    def _publish_armor_hit(self, hit: ArmorHitEvent) -> None:
        if self._supervisor is None:
            return  # not active
        msg = ArmorHit(type=hit.type, location=hit.location, level=hit.level)
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.header.frame_id = self._base_frame
        self._hit_pub.publish(msg)

    def _diagnose(self, stat):
        """Diagnostic task: the link's state and what was dropped or stopped."""
        level, message = self._status
        stat.summary(level, message)
        stat.add('connected', self.connected)
        stat.add('commands_dropped', self._commands_dropped)
        stat.add('deadman_stops', self._deadman_stops)
        return stat


def main(args=None) -> int:
    """Run the driver until shutdown; exit 1 with one message if it cannot start."""
    return run_node(DriverNode, 'robomaster_driver', args)


if __name__ == '__main__':
    sys.exit(main())
