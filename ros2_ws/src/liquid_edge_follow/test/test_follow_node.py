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

"""The follow_target node over real DDS: detections in, cmd_vel / LEDs / state out."""
import os
import subprocess
import sys

from geometry_msgs.msg import Twist
from liquid_edge_follow.follow_node import FollowNode
from liquid_edge_interfaces.msg import ActiveEdge, ArmorHit, DescribedDetections, FollowState, \
    GimbalCommand, LEDEffect
from liquid_edge_interfaces.srv import SelectTarget
from liquid_edge_toolkit.main import start_lifecycle
from liquid_edge_toolkit.pytest_plugin import change_state, lifecycle_state, spin_until
from liquid_edge_toolkit.qos import LATCHED
import pytest
import rclpy
from rclpy.exceptions import InvalidParameterValueException
from rclpy.executors import SingleThreadedExecutor
from rclpy.parameter import Parameter
from rclpy.parameter_client import AsyncParameterClient
from rclpy.qos import qos_profile_sensor_data, QoSProfile, ReliabilityPolicy
from sensor_msgs.msg import CameraInfo
from std_srvs.srv import SetBool, Trigger
from vision_msgs.msg import Detection2D, Detection2DArray, ObjectHypothesisWithPose

RELIABLE = QoSProfile(depth=100, reliability=ReliabilityPolicy.RELIABLE)
GREEN = (0.0, 0.78, 0.33, 1.0)


class Probe:
    """The follow node plus a probe node that plays bridge and driver, on one executor."""

    def __init__(self, context, **parameters):
        """Start the node under test with ``parameters`` and wire the probe's topics."""
        self.node = FollowNode(context=context, parameter_overrides=[
            Parameter(name, value=value) for name, value in parameters.items()])
        assert start_lifecycle(self.node)
        self.probe = rclpy.create_node('follow_probe', context=context)
        self.executor = SingleThreadedExecutor(context=context)
        self.executor.add_node(self.node)
        self.executor.add_node(self.probe)
        # (class, cx, cy, w, h) boxes published at 15 Hz, each with an appearance descriptor;
        # [] for empty frames. `box` sets a single one.
        self.boxes = None
        self.last_stamp = None
        self.frames = 0
        self.camera_info = None
        self.cmd_vel, self.leds, self.states = [], [], []
        self.detections_pub = self.probe.create_publisher(
            DescribedDetections, 'detections/described', QoSProfile(depth=5))
        self.edge_pub = self.probe.create_publisher(ActiveEdge, 'edge/active', LATCHED)
        self.hit_pub = self.probe.create_publisher(ArmorHit, 'armor_hit', 10)
        self.camera_pub = self.probe.create_publisher(
            CameraInfo, 'camera/camera_info', qos_profile_sensor_data)
        self.probe.create_subscription(Twist, 'cmd_vel', self._record(self.cmd_vel), RELIABLE)
        self.probe.create_subscription(LEDEffect, 'leds/effect', self._record(self.leds),
                                       RELIABLE)
        self.probe.create_subscription(FollowState, 'follow/state', self._record(self.states),
                                       RELIABLE)
        self.probe.create_timer(1.0 / 15.0, self._publish_frame)

    def now(self) -> float:
        """Probe clock in seconds (the same system clock the node judges stamps by)."""
        return self.probe.get_clock().now().nanoseconds * 1e-9

    def _record(self, store):
        """Build a callback that stores (receipt time, message)."""
        return lambda msg: store.append((self.now(), msg))

    def _publish_frame(self):
        """Play the camera and the bridge: one detections frame of ``self.box`` if set."""
        stamp = self.probe.get_clock().now().to_msg()
        if self.camera_info is not None:
            self.camera_info.header.stamp = stamp
            self.camera_pub.publish(self.camera_info)
        if self.boxes is None:
            return
        msg = Detection2DArray()
        msg.header.stamp = stamp
        msg.header.frame_id = 'camera_optical_frame'
        described = DescribedDetections(descriptor_name='test', descriptor_version='1',
                                        descriptor_size=3)
        for box in self.boxes:
            detection = Detection2D()
            hypothesis = ObjectHypothesisWithPose()
            hypothesis.hypothesis.class_id = box[0]
            hypothesis.hypothesis.score = 0.9
            detection.results.append(hypothesis)
            (detection.bbox.center.position.x, detection.bbox.center.position.y,
             detection.bbox.size_x, detection.bbox.size_y) = box[1:5]
            msg.detections.append(detection)
            described.descriptors.extend(box[5] if len(box) > 5 else (1.0, 0.0, 0.0))
        described.detections = msg
        self.detections_pub.publish(described)
        self.frames += 1
        self.last_stamp = msg.header.stamp.sec + msg.header.stamp.nanosec * 1e-9

    @property
    def box(self):
        """Return the single box published, None when none is."""
        return self.boxes[0] if self.boxes else self.boxes

    @box.setter
    def box(self, value):
        self.boxes = value if value is None or value == [] else [value]

    def spin_until(self, condition, timeout=10.0):
        """Spin both nodes until ``condition()`` is true; fail after ``timeout`` s."""
        assert spin_until(self.executor, condition, timeout), \
            f'condition not met in {timeout} s'

    def state(self):
        """Last published follow state name, or None."""
        return self.states[-1][1].state_name if self.states else None

    def publish_edge(self, color=GREEN, reachable=True, reason='', local=False):
        """Play the bridge announcing the edge that serves us."""
        msg = ActiveEdge(reachable=reachable, name='edge-a' if reachable else '',
                         reason=reason, local=local)
        msg.color.r, msg.color.g, msg.color.b, msg.color.a = color
        self.edge_pub.publish(msg)

    def close(self):
        """Stop spinning and destroy both nodes."""
        self.executor.shutdown()
        self.node.destroy_node()
        self.probe.destroy_node()


@pytest.fixture
def probe(ros_context, request):
    """Probe around a follow node with the test's parameter overrides."""
    marker = request.node.get_closest_marker('follow_parameters')
    probe = Probe(ros_context, **(marker.kwargs if marker else {}))
    yield probe
    probe.close()


def color_of(led):
    """RGBA tuple of an LEDEffect."""
    return (led.color.r, led.color.g, led.color.b, led.color.a)


@pytest.mark.follow_parameters(wakeup_duration=30.0)
def test_person_on_the_right_far_away_turns_right_and_drives_forward(probe):
    probe.spin_until(lambda: probe.leds and probe.state() == 'wakeup')
    assert probe.leds[-1][1].effect == LEDEffect.FLASH
    assert color_of(probe.leds[-1][1]) == pytest.approx((0.5, 0.5, 0.5, 1.0))
    probe.box = ('person', 560.0, 260.0, 40.0, 100.0)
    probe.spin_until(lambda: probe.cmd_vel and probe.cmd_vel[-1][1].angular.z < 0.0
                     and probe.cmd_vel[-1][1].linear.x > 0.0 and probe.state() == 'follow')
    state = probe.states[-1][1]
    assert (state.state, state.target_class) == (FollowState.FOLLOW, 'person')
    assert state.target_id and state.horizontal_error > 0.0 and state.distance_error > 0.0
    box = state.target_box
    assert (box.center.position.x, box.center.position.y, box.size_x, box.size_y) == \
        pytest.approx((560.0, 260.0, 40.0, 100.0))
    probe.publish_edge(GREEN)
    probe.spin_until(lambda: probe.leds[-1][1].effect == LEDEffect.ON
                     and color_of(probe.leds[-1][1]) == pytest.approx(GREEN))


def test_person_on_the_left_too_close_turns_left_and_backs_up(probe):
    probe.box = ('person', 80.0, 240.0, 200.0, 460.0)
    probe.spin_until(lambda: probe.cmd_vel and probe.cmd_vel[-1][1].angular.z > 0.0
                     and probe.cmd_vel[-1][1].linear.x < 0.0)


def test_on_the_local_standby_the_speeds_are_scaled_and_follow_state_says_so(probe):
    probe.box = ('person', 560.0, 260.0, 40.0, 100.0)
    probe.publish_edge(GREEN)
    probe.spin_until(lambda: probe.cmd_vel and probe.cmd_vel[-1][1].linear.x > 0.0)
    full = probe.cmd_vel[-1][1]
    probe.publish_edge(GREEN, local=True)
    probe.spin_until(lambda: probe.states[-1][1].local_standby)
    probe.spin_until(lambda: probe.cmd_vel[-1][0] > probe.states[-1][0])
    capped = probe.cmd_vel[-1][1]
    # local_speed_scale 0.5 (its default); the box stands still, so the command is the same.
    assert (capped.linear.x, capped.angular.z) == \
        pytest.approx((0.5 * full.linear.x, 0.5 * full.angular.z))
    state = next(state for _, state in reversed(probe.states) if state.local_standby)
    assert (state.cmd_vel.linear.x, state.cmd_vel.angular.z) == \
        pytest.approx((capped.linear.x, capped.angular.z))


def test_camera_info_image_size_wins_over_the_parameters(probe):
    probe.camera_info = CameraInfo(width=1280, height=960)
    # Right of centre in a 640 px image (the parameter), left of centre in 1280 px.
    probe.box = ('person', 560.0, 480.0, 100.0, 300.0)
    probe.spin_until(lambda: probe.cmd_vel and probe.cmd_vel[-1][1].angular.z > 0.0)


def test_a_change_of_frame_size_keeps_the_target_and_its_place(probe):
    # The bridge's adaptive encoding shrinks the camera's frames from 640x480 to 512x384:
    # the same person, 0.8 times the pixels, is the same track. Another person stood where
    # her box lands in the smaller frame's pixels, and no appearance tells them apart.
    her = him = (0.0, 0.0, 0.0)
    probe.camera_info = CameraInfo(width=640, height=480)
    probe.boxes = [('person', 560.0, 260.0, 60.0, 150.0, her),
                   ('person', 448.0, 208.0, 48.0, 120.0, him)]
    probe.spin_until(lambda: probe.state() == 'follow' and probe.states[-1][1].target_id)
    target = probe.states[-1][1].target_id
    assert probe.states[-1][1].target_box.center.position.x == pytest.approx(560.0, abs=1.0)
    error = probe.states[-1][1].horizontal_error
    probe.camera_info = CameraInfo(width=512, height=384)
    probe.boxes = [('person', 448.0, 208.0, 48.0, 120.0, her)]   # he walked off
    frames = probe.frames
    probe.spin_until(lambda: probe.frames >= frames + 15)
    assert {s.target_id for _, s in probe.states[-10:]} == {target}
    # follow/state gives her box in the newest frame's pixels, the error is unchanged.
    assert probe.states[-1][1].target_box.center.position.x == pytest.approx(448.0, abs=1.0)
    assert probe.states[-1][1].horizontal_error == pytest.approx(error, abs=0.01)


def test_other_classes_are_not_followed(probe):
    probe.box = ('dog', 560.0, 260.0, 40.0, 100.0)
    probe.spin_until(lambda: len(probe.states) > 40)
    assert {s.state_name for _, s in probe.states} == {'wakeup'}
    assert all(t.linear.x == t.angular.z == 0.0 for _, t in probe.cmd_vel)


@pytest.mark.follow_parameters(detection_timeout=0.5)
def test_robot_stops_within_the_timeout_when_detections_stop(probe):
    probe.box = ('person', 560.0, 260.0, 40.0, 100.0)
    probe.spin_until(lambda: probe.state() == 'follow' and probe.cmd_vel
                     and probe.cmd_vel[-1][1].angular.z < 0.0)
    probe.box = None
    last_stamp = probe.last_stamp
    moving_count = len(probe.cmd_vel)
    probe.spin_until(lambda: probe.cmd_vel[-1][1].angular.z == 0.0)
    stopped_at = probe.cmd_vel[-1][0]
    stopped_count = len(probe.cmd_vel)
    assert stopped_count > moving_count
    # Correctness bounds: never before the timeout; within it plus a few ticks of slack.
    assert 0.5 <= stopped_at - last_stamp <= 0.5 + 0.5
    probe.spin_until(lambda: probe.state() == 'idle')
    ticks = len(probe.states)
    probe.spin_until(lambda: len(probe.states) > ticks + 20)
    assert len(probe.cmd_vel) == stopped_count
    assert probe.leds[-1][1].effect == LEDEffect.BREATH


@pytest.mark.follow_parameters(gimbal_tracking=True, detection_timeout=0.5)
def test_gimbal_tracks_the_target_and_stops_with_the_chassis(probe):
    gimbal = []
    probe.probe.create_subscription(GimbalCommand, 'cmd_gimbal', gimbal.append, RELIABLE)
    probe.box = ('person', 560.0, 400.0, 40.0, 100.0)
    probe.spin_until(lambda: gimbal and gimbal[-1].yaw_speed < 0.0
                     and gimbal[-1].pitch_speed > 0.0)
    probe.box = None
    probe.spin_until(lambda: gimbal[-1].yaw_speed == gimbal[-1].pitch_speed == 0.0
                     and probe.cmd_vel[-1][1].angular.z == 0.0)


@pytest.mark.follow_parameters(detection_timeout=0.5)
def test_gimbal_tilts_toward_the_target_and_leaves_the_turn_to_the_chassis(probe):
    gimbal = []
    probe.probe.create_subscription(GimbalCommand, 'cmd_gimbal', gimbal.append, RELIABLE)
    # High in the image and to the right: the gimbal pitches up, the chassis turns right.
    probe.box = ('person', 560.0, 80.0, 40.0, 100.0)
    probe.spin_until(lambda: gimbal and gimbal[-1].pitch_speed < 0.0
                     and probe.cmd_vel and probe.cmd_vel[-1][1].angular.z < 0.0)
    assert all(command.yaw_speed == 0.0 for command in gimbal)
    probe.box = None
    probe.spin_until(lambda: gimbal[-1].pitch_speed == 0.0
                     and probe.cmd_vel[-1][1].angular.z == 0.0)


@pytest.mark.follow_parameters(track_timeout=0.4)
def test_a_missed_target_walking_at_the_robot_is_still_backed_away_from(probe):
    # Her box grows 10 px a frame (150 px/s) up to just under the size set-point's dead-band,
    # then the detector misses her: coasting, the robot keeps backing away at the growth's
    # pace (the coasting box alone, inside the dead-band, would hardly move it).
    for height in range(120, 230, 10):
        frames = probe.frames
        probe.box = ('person', 320.0, 240.0, 0.4 * height, float(height))
        probe.spin_until(lambda: probe.frames > frames)
    probe.box = []
    probe.spin_until(lambda: probe.states and probe.states[-1][1].coasting)
    seen = len(probe.cmd_vel)
    probe.spin_until(lambda: len(probe.cmd_vel) > seen + 2)
    assert probe.states[-1][1].coasting
    assert all(twist.linear.x < -0.3 for _, twist in probe.cmd_vel[seen:])


@pytest.mark.follow_parameters(track_timeout=0.3)
def test_lost_target_searches_toward_its_last_side(probe):
    probe.box = ('person', 600.0, 260.0, 40.0, 100.0)
    probe.spin_until(lambda: probe.state() == 'follow')
    probe.box = []
    probe.spin_until(lambda: probe.state() == 'search')
    probe.spin_until(lambda: probe.cmd_vel[-1][1].angular.z < 0.0
                     and probe.cmd_vel[-1][1].linear.x == 0.0)
    probe.spin_until(lambda: probe.leds[-1][1].effect == LEDEffect.FLASH
                     and probe.leds[-1][1].t1 == pytest.approx(0.1))


@pytest.mark.follow_parameters(hit_escape_duration=0.3)
def test_front_hit_backs_away_then_idles(probe):
    probe.box = []
    probe.spin_until(lambda: probe.state() == 'wakeup')
    probe.hit_pub.publish(ArmorHit(location=ArmorHit.BOTTOM_FRONT))
    probe.spin_until(lambda: probe.cmd_vel and probe.cmd_vel[-1][1].linear.x < 0.0)
    probe.spin_until(lambda: probe.state() == 'idle' and probe.cmd_vel[-1][1].linear.x == 0.0)


def test_explore_service_hands_the_chassis_over(probe):
    client = probe.probe.create_client(SetBool, 'follow/explore')
    probe.spin_until(client.service_is_ready)
    future = client.call_async(SetBool.Request(data=True))
    probe.spin_until(future.done)
    assert future.result().success
    probe.spin_until(lambda: probe.state() == 'explore'
                     and probe.leds[-1][1].effect == LEDEffect.SCROLLING)
    future = client.call_async(SetBool.Request(data=False))
    probe.spin_until(future.done)
    assert future.result().success and future.result().message == 'state idle'


@pytest.mark.parametrize('overrides, reason', [
    ({'detection_timeout': -1.0}, 'detection_timeout'),
    ({'wakeup_duration': 0.0}, 'wakeup_duration'),
    ({'size_setpoint': 0.2, 'size_deadband': 0.3}, 'size_deadband'),
    ({'target_class': ''}, 'target_class'),
])
def test_bad_parameters_are_refused_at_start(ros_context, overrides, reason):
    with pytest.raises(InvalidParameterValueException, match=reason):
        FollowNode(context=ros_context, parameter_overrides=[
            Parameter(name, value=value) for name, value in overrides.items()])


def test_bad_parameters_are_refused_at_run_time_and_good_ones_applied(probe):
    client = AsyncParameterClient(probe.probe, 'follow_target')
    probe.spin_until(lambda: client.wait_for_services(timeout_sec=0.0))
    changes = [[Parameter('search_timeout', value=-5.0)],
               [Parameter('size_setpoint', value=0.04)],
               [Parameter('tick_rate', value=10.0)],
               [Parameter('target_class', value='face')]]
    results = []
    for change in changes:
        future = client.set_parameters(change)
        probe.spin_until(future.done)
        results.append(future.result().results[0])
    assert not results[0].successful and 'search_timeout' in results[0].reason
    assert not results[1].successful and 'size_deadband' in results[1].reason
    assert not results[2].successful and 'read-only' in results[2].reason
    assert results[3].successful
    probe.spin_until(lambda: probe.states and probe.states[-1][1].target_class == 'face')


def test_main_exits_with_a_clear_message_on_bad_parameters():
    result = subprocess.run(
        [sys.executable, '-m', 'liquid_edge_follow.follow_node', '--ros-args',
         '-p', 'search_timeout:=-3.0'],
        env={**os.environ}, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert 'search_timeout' in result.stderr + result.stdout


def _call(probe, client, request):
    assert client.wait_for_service(timeout_sec=5.0)
    future = client.call_async(request)
    probe.spin_until(future.done)
    return future.result()


def test_select_target_by_point_and_forget_it(probe):
    left = ('person', 160.0, 240.0, 100.0, 250.0, (1.0, 0.0, 0.0))
    right = ('person', 480.0, 240.0, 140.0, 300.0, (0.0, 0.0, 1.0))
    probe.boxes = [left, right]
    # The largest (right) is acquired first.
    probe.spin_until(lambda: probe.states and probe.states[-1][1].state == FollowState.FOLLOW
                     and probe.states[-1][1].target_box.center.position.x == 480.0)
    select = probe.probe.create_client(SelectTarget, 'follow/select_target')
    answer = _call(probe, select, SelectTarget.Request(x=150.0, y=250.0))
    assert answer.success, answer.message
    probe.spin_until(lambda: probe.states[-1][1].target_id == answer.track_id
                     and probe.states[-1][1].target_box.center.position.x == 160.0)
    assert probe.states[-1][1].match_score == pytest.approx(1.0)
    missing = _call(probe, select, SelectTarget.Request(track_id='person-999'))
    assert not missing.success and 'person-999' in missing.message
    forget = probe.probe.create_client(Trigger, 'follow/forget_target')
    assert _call(probe, forget, Trigger.Request()).success
    probe.spin_until(lambda: probe.states[-1][1].target_box.center.position.x == 480.0)
    probe.boxes = None


def test_unreachable_edge_says_why_on_follow_state(probe):
    probe.spin_until(lambda: probe.states and probe.states[-1][1].no_edge_reason.startswith(
        'no edge/active received yet'))
    probe.publish_edge(reachable=False, reason='edge-a: connection refused')
    probe.spin_until(lambda: probe.states[-1][1].no_edge_reason == 'edge-a: connection refused')
    probe.publish_edge(GREEN)
    probe.spin_until(lambda: probe.states[-1][1].no_edge_reason == '')


def test_lifecycle_over_the_standard_services(probe):
    name = probe.node.get_fully_qualified_name()
    node, executor = probe.probe, probe.executor
    probe.box = ('person', 560.0, 260.0, 40.0, 100.0)
    probe.spin_until(lambda: probe.state() == 'follow' and probe.cmd_vel
                     and probe.cmd_vel[-1][1].angular.z < 0.0)

    assert change_state(node, executor, name, 'deactivate')
    assert lifecycle_state(node, executor, name) == 'inactive'
    probe.spin_until(lambda: probe.cmd_vel[-1][1].angular.z == probe.cmd_vel[-1][1].linear.x
                     == 0.0)
    commands, states, frames = len(probe.cmd_vel), len(probe.states), probe.frames
    probe.spin_until(lambda: probe.frames > frames + 20)
    assert (len(probe.cmd_vel), len(probe.states)) == (commands, states), \
        'an inactive follow node commanded the robot'

    assert change_state(node, executor, name, 'cleanup')
    assert lifecycle_state(node, executor, name) == 'unconfigured'
    assert change_state(node, executor, name, 'configure')
    assert change_state(node, executor, name, 'activate')
    probe.spin_until(lambda: len(probe.states) > states and probe.state() == 'follow'
                     and probe.cmd_vel[-1][1].angular.z < 0.0)
