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

"""The sdk backend against a recording stand-in of the robomaster SDK."""

import math
import sys
import types

from fake_robomaster import FakeSdk
from liquid_edge_robomaster.armor import ArmorHitEvent, IR
from liquid_edge_robomaster.backends import (
    BackendConfig, BackendError, make_backend, SdkBackend, SdkUnavailableError)
from liquid_edge_robomaster.backends import sdk as sdk_module
from liquid_edge_robomaster.chassis import ChassisVelocity
from liquid_edge_robomaster.gimbal import GimbalRates
from liquid_edge_robomaster.leds import ALL, LedEffect, make_led_command
import pytest


@pytest.fixture
def fake_sdk(monkeypatch):
    """Install the recording SDK stand-in."""
    return FakeSdk().install(monkeypatch)


@pytest.fixture
def backend(fake_sdk):
    """Return an SdkBackend connected over rndis to the stand-in."""
    backend = SdkBackend(BackendConfig(conn_type='rndis', serial_number='3JKCH8800100UB'))
    backend.command_timeout = 0.3
    backend.connect()
    return backend


def test_missing_sdk_says_how_to_install_and_names_sim(monkeypatch):
    monkeypatch.setitem(sys.modules, 'robomaster', None)
    with pytest.raises(SdkUnavailableError) as caught:
        make_backend('sdk', BackendConfig())
    message = str(caught.value)
    assert 'pip install robomaster' in message
    assert 'Python 3.8' in message
    assert 'backend:=sim' in message


def test_connect_initializes_in_chassis_lead_and_subscribes(fake_sdk, backend):
    assert fake_sdk.calls_named('robot.initialize') == [
        {'conn_type': 'rndis', 'sn': '3JKCH8800100UB'}]
    assert fake_sdk.calls_named('robot.set_robot_mode') == [{'mode': 'chassis_lead'}]
    assert set(fake_sdk.callbacks) == {
        'chassis.sub_position', 'chassis.sub_attitude', 'chassis.sub_velocity',
        'chassis.sub_imu', 'gimbal.sub_angle', 'armor.sub_hit_event'}
    assert backend.is_connected


def test_no_robot_answering_is_a_backend_error(monkeypatch):
    FakeSdk(initialize_result=False).install(monkeypatch)
    backend = SdkBackend(BackendConfig(conn_type='ap'))
    with pytest.raises(BackendError, match='no Robomaster answered over ap'):
        backend.connect()
    assert not backend.is_connected


def test_twist_becomes_drive_speed_in_sdk_frame_and_degrees(fake_sdk, backend):
    backend.drive(ChassisVelocity(vx=0.5, vy=0.2, wz=0.5))
    (call,) = fake_sdk.calls_named('chassis.drive_speed')
    assert call['x'] == 0.5
    assert call['y'] == -0.2
    assert call['z'] == pytest.approx(-math.degrees(0.5))  # CCW in ROS is negative z in the SDK
    assert call['timeout'] == 0.3  # the SDK stops the wheels by itself after it


def test_stop_sends_zero_speed(fake_sdk, backend):
    backend.stop()
    assert fake_sdk.calls_named('chassis.drive_speed') == [
        {'x': 0.0, 'y': 0.0, 'z': 0.0, 'timeout': 0.3}]


def test_gimbal_rates_become_drive_speed_degrees(fake_sdk, backend):
    backend.gimbal_speed(GimbalRates(yaw=math.radians(45.0), pitch=math.radians(-10.0)))
    (call,) = fake_sdk.calls_named('gimbal.drive_speed')
    assert call['yaw_speed'] == pytest.approx(-45.0)
    assert call['pitch_speed'] == pytest.approx(10.0)


def test_led_effect_uses_the_sdk_constants(fake_sdk, backend):
    backend.set_led(make_led_command(ALL, LedEffect.FLASH, 0.0, 1.0, 0.0, t1=0.1, t2=0.1))
    (call,) = fake_sdk.calls_named('led.set_led')
    assert call == {'comp': 'all', 'r': 0, 'g': 255, 'b': 0,
                    'effect': fake_sdk.led.EFFECT_FLASH, 'freq': 5}
    assert call['effect'] is fake_sdk.led.EFFECT_FLASH


def test_telemetry_becomes_ros_state(fake_sdk, backend):
    fake_sdk.callbacks['chassis.sub_position']((1.0, 0.5, 0.0))
    fake_sdk.callbacks['chassis.sub_attitude']((90.0, 0.0, 0.0))
    fake_sdk.callbacks['chassis.sub_velocity']((0.0, 0.0, 0.0, 0.3, 0.1, 0.0))
    fake_sdk.callbacks['chassis.sub_imu']((0.0, 0.0, 1.0, 0.0, 0.0, -30.0))
    fake_sdk.callbacks['gimbal.sub_angle']((5.0, 20.0, 0.0, 0.0))
    state = backend.state()
    assert (state.x, state.y) == (1.0, -0.5)
    assert state.yaw == pytest.approx(-math.pi / 2)
    assert (state.velocity.vx, state.velocity.vy) == (0.3, -0.1)
    assert state.velocity.wz == pytest.approx(math.radians(30.0))
    assert state.gimbal_yaw == pytest.approx(math.radians(-20.0))
    assert state.gimbal_pitch == pytest.approx(math.radians(-5.0))


def test_armor_hit_reaches_the_callback(fake_sdk, backend):
    hits = []
    backend.on_armor_hit(hits.append)
    fake_sdk.callbacks['armor.sub_hit_event'](3, 'ir')
    assert hits == [ArmorHitEvent(location=4, type=IR)]


def test_silent_robot_counts_as_lost(fake_sdk, backend, monkeypatch):
    now = sdk_module.time.monotonic()
    monkeypatch.setattr(sdk_module, 'time', types.SimpleNamespace(monotonic=lambda: now + 1.0))
    assert backend.is_connected
    monkeypatch.setattr(sdk_module, 'time', types.SimpleNamespace(monotonic=lambda: now + 3.0))
    assert not backend.is_connected


def test_commands_without_link_are_backend_errors(fake_sdk):
    backend = SdkBackend(BackendConfig())
    with pytest.raises(BackendError, match='not connected'):
        backend.drive(ChassisVelocity(vx=0.1))


def test_disconnect_stops_and_closes(fake_sdk, backend):
    backend.disconnect()
    assert fake_sdk.calls_named('chassis.drive_speed') == [
        {'x': 0.0, 'y': 0.0, 'z': 0.0, 'timeout': 0.3}]
    assert fake_sdk.calls_named('robot.close') == [{}]
    assert not backend.is_connected
