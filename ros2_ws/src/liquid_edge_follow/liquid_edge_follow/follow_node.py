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
ROS 2 node `follow_target`: detections in, cmd_vel / cmd_gimbal / LED effect out.

A thin adapter: it reads parameters, feeds detections to the tracker, the target identity
(target.py) and the state machine, and turns the state machine's directive into commands
through the control law. While the target's track coasts through missed frames (at most
track_timeout), the law acts on its predicted box; frames older than detection_timeout are
ignored, and none for that long stops the robot.

Subscribes: ``detections/described`` (liquid_edge_interfaces/DescribedDetections; plain
``detections``, vision_msgs/Detection2DArray, with appearance_input false),
``camera/camera_info`` (each frame's size: detections of a smaller frame are scaled to
image_width x image_height, the pixels tracks are kept in; ``follow/state`` gives the target
box in the newest frame's pixels), ``odom`` and ``joint_states`` (the robot's own turn, for
prediction),
``armor_hit``, ``edge/active`` (latched). Publishes: ``cmd_vel`` (every tick while the
chassis moves, one zero Twist when it stops), ``cmd_gimbal`` (pitch with
gimbal_pitch_tracking, yaw too with gimbal_tracking; one zero command when it stops),
``leds/effect`` (on change and every led_refresh_period), ``follow/state`` (every tick),
``/diagnostics`` (1 Hz). Services: ``follow/explore`` (std_srvs/SetBool) enters or leaves
manual explore mode, in which this node leaves the chassis to someone else;
``follow/select_target`` (liquid_edge_interfaces/SelectTarget: a track id or an image point)
and ``follow/forget_target`` (std_srvs/Trigger) choose or reset whom to follow.

A lifecycle node that brings itself up unless ``autostart`` is false: configure reads the
parameters and creates the publishers; activate starts following from wakeup (subscriptions,
services, tick); deactivate publishes one zero command and leaves the robot still.
"""
import math
import sys
from typing import Any, Dict, List, Optional, Tuple

from diagnostic_msgs.msg import DiagnosticStatus, KeyValue
from geometry_msgs.msg import Twist
from liquid_edge_follow.box import Box
from liquid_edge_follow.control import escape_velocity, follow_command, FollowCommand, \
    search_velocity, Velocity, WholeAspect
from liquid_edge_follow.frame_sizes import FrameSizes
from liquid_edge_follow.led import led_effect_for, LedEffect, NO_EDGE_COLOR
from liquid_edge_follow.local_standby import standby_velocity
from liquid_edge_follow.motion import AngleHistory, image_x_after_turn, image_y_after_tilt
from liquid_edge_follow.parameters import FollowSettings, PARAMETERS, ParameterSpec, \
    settings_from_parameters
from liquid_edge_follow.state_machine import Directive, FollowStateMachine, Motion, State
from liquid_edge_follow.target import TargetIdentity, TargetView
from liquid_edge_follow.tracker import MultiObjectTracker
from liquid_edge_interfaces.msg import ActiveEdge, ArmorHit, DescribedDetections, \
    FollowState, GimbalCommand, LEDEffect
from liquid_edge_interfaces.srv import SelectTarget
from liquid_edge_toolkit.diagnostics import make_updater
from liquid_edge_toolkit.lifecycle import LifecycleNode
from liquid_edge_toolkit.main import run_node
from liquid_edge_toolkit.parameters import descriptor
from liquid_edge_toolkit.qos import COMMANDS, LATCHED
from nav_msgs.msg import Odometry
import numpy as np
from rcl_interfaces.msg import ParameterDescriptor, SetParametersResult
from rclpy.lifecycle import LifecycleState, TransitionCallbackReturn
from rclpy.parameter import Parameter
from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from rclpy.time import Time
from sensor_msgs.msg import CameraInfo, JointState
from std_srvs.srv import SetBool, Trigger
from vision_msgs.msg import Detection2DArray


def _descriptor(spec: ParameterSpec) -> ParameterDescriptor:
    """Build the ParameterDescriptor of one table entry, with its range."""
    ranged = spec.minimum is not None
    limits = (spec.minimum, spec.maximum)
    return descriptor(
        spec.description, spec.read_only,
        float_range=limits if ranged and isinstance(spec.default, float) else None,
        integer_range=limits if ranged and isinstance(spec.default, int) else None)


def _seconds(stamp) -> float:
    """Convert a builtin_interfaces/Time to seconds."""
    return Time.from_msg(stamp).nanoseconds * 1e-9


def _yaw(q) -> float:
    """Rotation about z (rad, counter-clockwise) of a geometry_msgs/Quaternion."""
    return math.atan2(2.0 * (q.w * q.z + q.x * q.y), 1.0 - 2.0 * (q.y * q.y + q.z * q.z))


class FollowNode(LifecycleNode):
    """Follows one person (or object) of the target class, on the state machine's orders."""

    def __init__(self, **kwargs):
        """Declare and validate parameters; the lifecycle transitions do the rest."""
        super().__init__('follow_target', **kwargs)
        self._settings: Optional[FollowSettings] = None
        self._edge: Optional[ActiveEdge] = None
        self._inputs = []   # what activate creates and deactivate destroys
        self.add_on_set_parameters_callback(self._on_set_parameters)
        try:
            self.declare_parameters(
                '', [(s.name, s.default, _descriptor(s)) for s in PARAMETERS])
        except Exception:
            self.destroy_node()   # release the node's handles before refusing to start
            raise
        self._diagnostics = make_updater(self)
        self._diagnostics.setHardwareID('none')
        self._diagnostics.add('follow target', self._diagnose)

    # Lifecycle

    def on_configure(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Read the parameters (validated as they were set) and create the publishers."""
        self._settings = settings_from_parameters(self._parameter_values())
        self._cmd_vel_pub = self.create_publisher(Twist, 'cmd_vel', COMMANDS)
        self._gimbal_pub = self.create_publisher(GimbalCommand, 'cmd_gimbal', COMMANDS)
        self._led_pub = self.create_publisher(LEDEffect, 'leds/effect', COMMANDS)
        self._state_pub = self.create_publisher(FollowState, 'follow/state', 10)
        return TransitionCallbackReturn.SUCCESS

    def on_activate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Follow from wakeup on: wire the inputs, services and the tick."""
        settings = self._settings
        now = self._now()
        self._machine = FollowStateMachine(settings.state_machine, now)
        self._tracker = MultiObjectTracker(settings.tracker)
        self._identity = TargetIdentity(settings.identity)
        self._target: Optional[TargetView] = None
        self._target_aspect = WholeAspect()
        self._chassis_yaw = AngleHistory()
        self._gimbal_yaw = AngleHistory()
        self._gimbal_pitch = AngleHistory()
        self._frames = FrameSizes(settings.image_size)
        self._focal_per_width: Optional[float] = None
        self._last_frame_stamp: Optional[float] = None
        self._chassis_moving = True     # so the first tick sends one zero Twist
        self._gimbal_moving = False
        self._led_sent: Optional[LedEffect] = None
        self._led_sent_at = now

        detections_qos = QoSProfile(depth=5, reliability=ReliabilityPolicy.RELIABLE)
        if settings.appearance_input:
            detections = self.create_subscription(
                DescribedDetections, 'detections/described', self._on_described_detections,
                detections_qos)
        else:
            detections = self.create_subscription(
                Detection2DArray, 'detections', self._on_detections, detections_qos)
        self._inputs = [
            detections,
            self.create_subscription(Odometry, 'odom', self._on_odom, 10),
            self.create_subscription(JointState, 'joint_states', self._on_joint_states, 10),
            self.create_subscription(CameraInfo, 'camera/camera_info', self._on_camera_info,
                                     qos_profile_sensor_data),
            self.create_subscription(ArmorHit, 'armor_hit', self._on_armor_hit, 10),
            self.create_subscription(ActiveEdge, 'edge/active', self._on_active_edge, LATCHED),
            self.create_service(SetBool, 'follow/explore', self._on_explore),
            self.create_service(SelectTarget, 'follow/select_target', self._on_select_target),
            self.create_service(Trigger, 'follow/forget_target', self._on_forget_target),
            self.create_timer(1.0 / settings.tick_rate, self._on_tick),
        ]
        self.get_logger().info(
            f"following '{settings.target_class}'; wakeup for "
            f'{settings.state_machine.wakeup_duration:g} s')
        return TransitionCallbackReturn.SUCCESS

    def _stop(self) -> None:
        """Deactivate: one zero command (chassis, and gimbal if it moved), then still."""
        if not self._inputs:
            return
        self._destroy_entities(self._inputs)
        self._inputs = []
        if not self.context.ok():
            return
        self._cmd_vel_pub.publish(Twist())
        if self._gimbal_moving:
            self._gimbal_pub.publish(GimbalCommand())
        self._chassis_moving = self._gimbal_moving = False

    def _release(self) -> None:
        """Cleanup: release the publishers."""
        if self._settings is None:
            return
        self._destroy_entities(
            (self._cmd_vel_pub, self._gimbal_pub, self._led_pub, self._state_pub))
        self._settings = None

    # Parameters

    def _parameter_values(self) -> Dict[str, Any]:
        """Read the current values of the declared parameters."""
        return {s.name: self.get_parameter(s.name).value
                for s in PARAMETERS if self.has_parameter(s.name)}

    def _on_set_parameters(self, parameters: List[Parameter]) -> SetParametersResult:
        """Accept a change only if the whole parameter set stays valid, then apply it."""
        values = {**self._parameter_values(), **{p.name: p.value for p in parameters}}
        try:
            settings = settings_from_parameters(values)
        except ValueError as error:
            return SetParametersResult(successful=False, reason=str(error))
        if self._settings is not None:
            self._apply_settings(settings)
        return SetParametersResult(successful=True)

    def _apply_settings(self, settings: FollowSettings) -> None:
        """Use new settings from now on; a new target class drops the current target."""
        if not self._inputs:
            self._settings = settings   # not following: activate builds from them
            return
        if settings.target_class != self._settings.target_class:
            self._target = None
            self._identity.forget()
            self.get_logger().info(f"now following '{settings.target_class}'")
        self._machine.config = settings.state_machine
        self._tracker.config = settings.tracker
        self._identity.config = settings.identity
        self._settings = settings

    # Inputs

    def _now(self) -> float:
        """Read the node clock, seconds."""
        return self.get_clock().now().nanoseconds * 1e-9

    def _image_size(self) -> Tuple[int, int]:
        """Return the reference size (the parameters): the pixels boxes are tracked in."""
        return self._frames.reference

    def _frame_size(self) -> Tuple[int, int]:
        """Return the size of the newest camera frame, the reference until one arrives."""
        return self._frames.latest or self._frames.reference

    def _on_described_detections(self, msg: DescribedDetections) -> None:
        """Take one frame of detections with their appearance descriptors."""
        size = msg.descriptor_size
        count = len(msg.detections.detections)
        rows: List[Optional[np.ndarray]] = [None] * count
        if size and len(msg.descriptors) == size * count:
            table = np.asarray(msg.descriptors, np.float32).reshape(count, size)
            rows = [row if np.any(row) else None for row in table]
        elif size:
            self.get_logger().warning(
                f'descriptors ignored: {len(msg.descriptors)} floats for {count} detections '
                f'of {size}', throttle_duration_sec=5.0)
        self._on_detections(msg.detections, rows)

    def _on_detections(self, msg: Detection2DArray,
                       appearances: Optional[List[Optional[np.ndarray]]] = None) -> None:
        """Track the objects of one frame, pick the target, tell the state machine."""
        now = self._now()
        stamp = _seconds(msg.header.stamp)
        timeout = self._settings.state_machine.detection_timeout
        if now - stamp > timeout:
            self.get_logger().warning(
                f'detections captured {now - stamp:.2f} s ago (> detection_timeout '
                f'{timeout:g} s): ignored; is the clock of the camera host in sync?',
                throttle_duration_sec=5.0)
            return
        if self._last_frame_stamp is not None and stamp <= self._last_frame_stamp:
            self.get_logger().warning('detections out of order (stamp not newer than the '
                                      'last frame): ignored', throttle_duration_sec=5.0)
            return
        self._last_frame_stamp = stamp
        size = self._frames.size_at(stamp)
        boxes = []
        for index, detection in enumerate(msg.detections):
            try:
                if not detection.results:
                    raise ValueError('no class hypothesis in results')
                boxes.append(self._frames.to_reference(Box(
                    detection.results[0].hypothesis.class_id,
                    detection.bbox.center.position.x, detection.bbox.center.position.y,
                    detection.bbox.size_x, detection.bbox.size_y,
                    detection.results[0].hypothesis.score,
                    appearances[index] if appearances else None), size))
            except ValueError as error:
                self.get_logger().warning(f'detection skipped: {error}',
                                          throttle_duration_sec=5.0)
        ego = self._ego_shift(stamp)
        tracks = self._tracker.update(boxes, stamp, ego)
        previous_id = self._target.track.track_id if self._target else None
        self._target = self._identity.update(tracks, self._settings.target_class, stamp, ego,
                                             self._settings.tracker.timeout)
        target_id = self._target.track.track_id if self._target else None
        if target_id is not None and target_id != previous_id:
            score = self._target.match_score
            self.get_logger().info(f'target locked: {target_id}' + (
                '' if score is None else f' (appearance match {score:.2f})'))
        elif target_id is None and previous_id is not None:
            self.get_logger().info(f'target lost: {previous_id}')
        error = None
        if self._target is not None:
            error = self._target.box.center_x / self._image_size()[0] - 0.5
        self._machine.detections(now, stamp, error, self._identity.likely_in_view)

    def _ego_shift(self, stamp: float):
        """Return where image point (x, y) seen at `since` appears at `stamp` (turn, tilt)."""
        width, height = self._image_size()
        focal = width * self._focal_per_width if self._focal_per_width else (
            width / 2.0 / math.tan(self._settings.horizontal_fov / 2))

        def shift(x: float, y: float, since: float) -> Tuple[float, float]:
            rotation = (self._chassis_yaw.rotation(since, stamp)
                        + self._gimbal_yaw.rotation(since, stamp))
            tilt = self._gimbal_pitch.rotation(since, stamp)
            return (image_x_after_turn(x, rotation, focal, width / 2.0),
                    image_y_after_tilt(y, tilt, focal, height / 2.0))
        return shift

    def _on_odom(self, msg: Odometry) -> None:
        """Keep the chassis yaw, for the image shift of the robot's own turn."""
        self._chassis_yaw.add(_seconds(msg.header.stamp), _yaw(msg.pose.pose.orientation))

    def _on_joint_states(self, msg: JointState) -> None:
        """Keep the gimbal yaw and pitch (joints ...gimbal_yaw_joint, ...gimbal_pitch_joint)."""
        for name, position in zip(msg.name, msg.position):
            if name.endswith('gimbal_yaw_joint'):
                self._gimbal_yaw.add(_seconds(msg.header.stamp), position)
            elif name.endswith('gimbal_pitch_joint'):
                self._gimbal_pitch.add(_seconds(msg.header.stamp), position)

    def _on_camera_info(self, msg: CameraInfo) -> None:
        """Keep the size of each frame (its detections are in its pixels) and the focal."""
        if msg.width > 0 and msg.height > 0:
            self._frames.add(_seconds(msg.header.stamp), (msg.width, msg.height))
            if msg.k[0] > 0.0:
                self._focal_per_width = float(msg.k[0]) / msg.width

    def _on_armor_hit(self, msg: ArmorHit) -> None:
        """Escape away from the hit side."""
        self.get_logger().info(f'armor hit on sensors {msg.location:#04x}')
        self._machine.armor_hit(self._now(), msg.location)

    def _on_active_edge(self, msg: ActiveEdge) -> None:
        """Remember which edge serves us: the LED colour, the speeds on the local standby."""
        self._edge = msg

    def _on_explore(self, request: SetBool.Request,
                    response: SetBool.Response) -> SetBool.Response:
        """Enter or leave manual explore mode."""
        state = self._machine.set_explore(self._now(), request.data).state
        response.success = (state is State.EXPLORE) == request.data
        response.message = f'state {state.name.lower()}'
        return response

    def _on_select_target(self, request: SelectTarget.Request,
                          response: SelectTarget.Response) -> SelectTarget.Response:
        """Follow the track with this id, or the smallest live one under the image point."""
        tracks = [t for t in self._tracker.tracks
                  if t.class_name == self._settings.target_class]
        if request.track_id:
            chosen = next((t for t in tracks if t.track_id == request.track_id), None)
            where = f'track {request.track_id!r}'
        else:
            x, y = self._frames.point_to_reference(request.x, request.y, self._frame_size())
            under = [t for t in tracks if t.box.contains(x, y)]
            chosen = min(under, key=lambda t: t.box.area, default=None)
            where = f'a {self._settings.target_class} at ({request.x:g}, {request.y:g}) px'
        if chosen is None:
            response.success = False
            response.message = (f'no {where} among the live tracks '
                                f'{[t.track_id for t in tracks]}')
            return response
        self._identity.select(chosen)
        self._target = None   # steered by from the next detections frame on
        self.get_logger().info(f'target selected: {chosen.track_id}')
        response.success = True
        response.track_id = chosen.track_id
        response.message = f'following {chosen.track_id}'
        return response

    def _on_forget_target(self, request: Trigger.Request,
                          response: Trigger.Response) -> Trigger.Response:
        """Follow nobody: the next person acquired is the largest one in view."""
        forgotten = self._identity.track_id
        self._identity.forget()
        self._target = None
        self.get_logger().info(f'target forgotten: {forgotten or "none"}')
        response.success = True
        response.message = f'forgot {forgotten or "no target"}'
        return response

    # Outputs

    def _edge_color(self) -> Tuple[float, float, float, float]:
        """Return the serving edge's colour, grey when no edge answers."""
        if self._edge is None or not self._edge.reachable:
            return NO_EDGE_COLOR
        c = self._edge.color
        return (c.r, c.g, c.b, c.a)

    def _on_tick(self) -> None:
        """Run the timed transitions and publish what the current state commands."""
        now = self._now()
        directive = self._machine.tick(now)
        command = None
        if directive.state is State.FOLLOW and self._target is not None:
            width, height = self._image_size()
            box = self._target.box
            growth = self._target.track.velocity_h / height
            aspect = self._target_aspect.update(self._target.track.track_id, box, height,
                                                self._target.coasting)
            command = follow_command(box, width, height, self._settings.control, growth,
                                     aspect)
        on_local = self._edge is not None and self._edge.reachable and self._edge.local
        twist = self._publish_chassis(directive, command, on_local)
        self._publish_gimbal(command)
        self._publish_state(directive, command, on_local, twist)
        self._publish_led(directive.state, now)

    def _publish_chassis(self, directive: Directive, command: Optional[FollowCommand],
                         on_local: bool) -> Twist:
        """
        Command every tick while moving; one zero Twist when the chassis must stop.

        Return this tick's command, a zero Twist while the chassis stands.
        """
        velocity = None
        if directive.motion is Motion.FOLLOW:
            velocity = command.velocity if command else Velocity()
        elif directive.motion is Motion.SEARCH:
            velocity = search_velocity(directive.turn_direction,
                                       self._settings.search_turn_speed)
        elif directive.motion is Motion.ESCAPE:
            velocity = escape_velocity(directive.hit_location, self._settings.hit_escape_speed)
        if directive.motion in (Motion.FOLLOW, Motion.SEARCH):
            velocity = standby_velocity(velocity, on_local, self._settings.local_speed_scale)
        twist = Twist()
        if velocity is None and not self._chassis_moving:
            return twist
        self._chassis_moving = velocity is not None
        velocity = velocity or Velocity()
        twist.linear.x = velocity.linear_x
        twist.linear.y = velocity.linear_y
        twist.angular.z = velocity.angular_z
        self._cmd_vel_pub.publish(twist)
        return twist

    def _publish_gimbal(self, command: Optional[FollowCommand]) -> None:
        """Track the target with the gimbal as asked; one zero command when it stops."""
        settings = self._settings
        tracking = command is not None and (settings.gimbal_tracking
                                            or settings.gimbal_pitch_tracking)
        if not tracking and not self._gimbal_moving:
            return
        self._gimbal_moving = tracking
        msg = GimbalCommand()
        if tracking:
            msg.yaw_speed = command.gimbal.yaw if settings.gimbal_tracking else 0.0
            msg.pitch_speed = command.gimbal.pitch
        self._gimbal_pub.publish(msg)

    def _publish_state(self, directive: Directive, command: Optional[FollowCommand],
                       on_local: bool, twist: Twist) -> None:
        """Publish the state, the target, the errors the control law acts on and its command."""
        msg = FollowState()
        msg.header.stamp = self.get_clock().now().to_msg()
        msg.state = int(directive.state)
        msg.state_name = directive.state.name.lower()
        msg.target_class = self._settings.target_class
        msg.no_edge_reason = self._no_edge_reason()
        msg.local_standby = on_local
        msg.cmd_vel = twist
        if self._target:
            msg.target_id = self._target.track.track_id
            box = self._frames.from_reference(self._target.box, self._frame_size())
            msg.target_box.center.position.x = box.center_x
            msg.target_box.center.position.y = box.center_y
            msg.target_box.size_x = box.width
            msg.target_box.size_y = box.height
            msg.match_score = float(self._target.match_score or 0.0)
            msg.coasting = self._target.coasting
        if command is not None:
            msg.horizontal_error = command.horizontal_error
            msg.distance_error = command.distance_error
        self._state_pub.publish(msg)

    def _publish_led(self, state: State, now: float) -> None:
        """Publish the state's LED effect on change, and again every led_refresh_period."""
        effect = led_effect_for(state, self._edge_color())
        if effect == self._led_sent and now - self._led_sent_at < \
                self._settings.led_refresh_period:
            return
        msg = LEDEffect()
        msg.mask = effect.mask
        msg.effect = effect.effect
        msg.color.r, msg.color.g, msg.color.b, msg.color.a = effect.color
        msg.t1 = effect.t1
        msg.t2 = effect.t2
        self._led_pub.publish(msg)
        self._led_sent, self._led_sent_at = effect, now

    def _no_edge_reason(self) -> str:
        """Return why no edge serves the robot (the bridge's reason), or '' when one does."""
        if self._edge is None:
            return 'no edge/active received yet: is edge_bridge running?'
        return '' if self._edge.reachable else self._edge.reason or 'no edge reachable'

    def _diagnose(self, status):
        """Diagnostic task: state, target, detection age and edge; warn while blind."""
        if not self._inputs:
            status.summary(DiagnosticStatus.OK, 'inactive: not following'
                           if self._settings else 'unconfigured')
            return status
        now = self._now()
        machine = self._machine
        status.level, status.message = DiagnosticStatus.OK, machine.state.name.lower()
        age = None if machine.last_detections_stamp is None else \
            now - machine.last_detections_stamp
        if machine.state not in (State.WAKEUP, State.EXPLORE) and machine.detections_stale(now):
            status.level = DiagnosticStatus.WARN
            status.message = 'no fresh detections: robot stopped'
        elif self._edge is None or not self._edge.reachable:
            status.level = DiagnosticStatus.WARN
            status.message = f'{status.message}; {self._no_edge_reason()}'
        width, height = self._frame_size()
        status.values = [
            KeyValue(key='state', value=machine.state.name.lower()),
            KeyValue(key='target_class', value=self._settings.target_class),
            KeyValue(key='target_id',
                     value=self._target.track.track_id if self._target else ''),
            KeyValue(key='tracks', value=str(len(self._tracker.tracks))),
            KeyValue(key='detection_age_s', value='none' if age is None else f'{age:.3f}'),
            KeyValue(key='image_size', value=f'{width}x{height} from '
                     + ('camera_info' if self._frames.latest else 'parameters')),
            KeyValue(key='edge', value=self._edge.name if self._edge and self._edge.reachable
                     else 'none'),
        ]
        return status


def main(args=None) -> int:
    """Run the follow_target node until shutdown; exit 1 on invalid parameters."""
    return run_node(FollowNode, 'follow_target', args)


if __name__ == '__main__':
    sys.exit(main())
