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
The real S1 through DJI's ``robomaster`` SDK, imported lazily.

Every call is the SDK's public API: ``robot.Robot().initialize(conn_type=..., sn=...)``,
``chassis.drive_speed``, ``gimbal.drive_speed``, ``led.set_led``, ``armor.sub_hit_event`` and
the chassis/gimbal subscriptions that give odometry.

Every chassis speed carries ``timeout`` (the driver's ``cmd_timeout``), as robomaster_ros's
``chassis.timeout``: the SDK then stops the wheels by itself when no newer speed follows in
time, from its own timer thread, so a stalled executor or a blocked driver thread cannot leave
the robot driving. The SDK's gimbal speed command takes no timeout; the driver's dead-man stops
the gimbal. The link counts as lost when no telemetry arrived for :data:`TELEMETRY_TIMEOUT`
seconds (the SDK itself only logs a failed heartbeat).
"""

import logging
import threading
import time
from typing import List

from .backend import (
    ArmorHitCallback, BackendConfig, BackendError, RobotBackend, SdkUnavailableError)
from ..armor import hit_from_sdk
from ..chassis import ChassisVelocity, pose_from_sdk, to_sdk_speed, velocity_from_sdk
from ..gimbal import angles_from_sdk, GimbalRates, to_sdk_speed as gimbal_to_sdk_speed
from ..leds import LedCommand, sdk_led_calls
from ..robot_state import RobotState

SDK_MISSING_MESSAGE = (
    'the Robomaster SDK (Python package "robomaster") is not installed. Its PyPI wheels '
    '(pip install robomaster) stop at Python 3.8; on a newer Python install the community '
    'fork that robomaster_ros uses (pip install git+https://github.com/jeguzzi/RoboMaster-SDK)'
    '; an S1 also needs the SDK unlock. Without a robot, run the driver with backend:=sim.')

#: Telemetry rate asked of the robot (the SDK accepts 1, 5, 10, 20 or 50 Hz).
TELEMETRY_RATE = 20
#: Seconds without telemetry after which the link counts as lost.
TELEMETRY_TIMEOUT = 2.0


def import_sdk():
    """Import and return the SDK's ``robot`` and ``led`` modules, or raise SdkUnavailableError."""
    try:
        from robomaster import led, robot
    except ImportError as error:
        raise SdkUnavailableError(SDK_MISSING_MESSAGE) from error
    return robot, led


class SdkBackend(RobotBackend):
    """An S1 (or EP) reached over ``conn_type`` rndis (USB), ap (its Wi-Fi) or sta (router)."""

    def __init__(self, config: BackendConfig):
        self._sdk_robot, self._sdk_led = import_sdk()
        self._config = config
        self._robot = None
        self._lock = threading.Lock()
        self._telemetry = {'x': 0.0, 'y': 0.0, 'yaw': 0.0, 'vx': 0.0, 'vy': 0.0, 'wz': 0.0,
                           'gimbal_yaw': 0.0, 'gimbal_pitch': 0.0}
        self._last_telemetry = 0.0
        self._hit_callbacks: List[ArmorHitCallback] = []

    @property
    def description(self) -> str:
        serial = f' {self._config.serial_number}' if self._config.serial_number else ''
        return f'Robomaster{serial} over {self._config.conn_type} (robomaster SDK)'

    def connect(self) -> None:
        robot = self._sdk_robot.Robot()
        try:
            ok = robot.initialize(
                conn_type=self._config.conn_type, sn=self._config.serial_number or None)
        except Exception as error:  # the SDK raises bare Exceptions from its sockets
            raise BackendError(
                f'Robomaster SDK failed to connect over {self._config.conn_type}: {error}') \
                from error
        if not ok:
            raise BackendError(
                f'no Robomaster answered over {self._config.conn_type}: check the cable or '
                'Wi-Fi, that the robot is on, and conn_type/serial_number')
        robot.set_robot_mode(mode=self._sdk_robot.CHASSIS_LEAD)
        self._last_telemetry = time.monotonic()
        robot.chassis.sub_position(cs=1, freq=TELEMETRY_RATE, callback=self._on_position)
        robot.chassis.sub_attitude(freq=TELEMETRY_RATE, callback=self._on_attitude)
        robot.chassis.sub_velocity(freq=TELEMETRY_RATE, callback=self._on_velocity)
        robot.chassis.sub_imu(freq=TELEMETRY_RATE, callback=self._on_imu)
        robot.gimbal.sub_angle(freq=TELEMETRY_RATE, callback=self._on_gimbal_angle)
        robot.armor.sub_hit_event(callback=self._on_hit)
        self._robot = robot

    def disconnect(self) -> None:
        robot, self._robot = self._robot, None
        if robot is None:
            return
        try:
            robot.chassis.drive_speed(x=0.0, y=0.0, z=0.0, timeout=self.command_timeout)
            robot.close()
        except Exception:  # noqa: B902 - the link may already be gone; closing is best effort
            pass

    @property
    def is_connected(self) -> bool:
        return self._robot is not None and \
            time.monotonic() - self._last_telemetry < TELEMETRY_TIMEOUT

    def _require_robot(self):
        robot = self._robot
        if robot is None:
            raise BackendError('not connected to the Robomaster')
        return robot

    def drive(self, velocity: ChassisVelocity) -> None:
        speed = to_sdk_speed(velocity)
        self._require_robot().chassis.drive_speed(
            x=speed.x, y=speed.y, z=speed.z, timeout=self.command_timeout)

    def gimbal_speed(self, rates: GimbalRates) -> None:
        pitch_speed, yaw_speed = gimbal_to_sdk_speed(rates)
        self._require_robot().gimbal.drive_speed(pitch_speed=pitch_speed, yaw_speed=yaw_speed)

    def set_led(self, command: LedCommand) -> None:
        led = self._require_robot().led
        for call in sdk_led_calls(command):
            # set_led tests the effect with `is` against its own constants: pass those.
            effect = getattr(self._sdk_led, f'EFFECT_{call.effect.upper()}')
            led.set_led(comp=call.comp, r=call.r, g=call.g, b=call.b, effect=effect,
                        freq=call.freq)

    def on_armor_hit(self, callback: ArmorHitCallback) -> None:
        self._hit_callbacks.append(callback)

    def update(self, dt: float) -> None:
        """Nothing to integrate: the robot pushes its state."""

    def state(self) -> RobotState:
        with self._lock:
            values = dict(self._telemetry)
        return RobotState(
            x=values['x'], y=values['y'], yaw=values['yaw'],
            velocity=ChassisVelocity(vx=values['vx'], vy=values['vy'], wz=values['wz']),
            gimbal_yaw=values['gimbal_yaw'], gimbal_pitch=values['gimbal_pitch'])

    def _record(self, **values: float) -> None:
        with self._lock:
            self._telemetry.update(values)
        self._last_telemetry = time.monotonic()

    def _on_position(self, position) -> None:
        x, y, _ = pose_from_sdk(position[0], position[1], 0.0)
        self._record(x=x, y=y)

    def _on_attitude(self, attitude) -> None:
        # (yaw, pitch, roll) in degrees.
        _, _, yaw = pose_from_sdk(0.0, 0.0, attitude[0])
        self._record(yaw=yaw)

    def _on_velocity(self, velocity) -> None:
        # (vgx, vgy, vgz, vbx, vby, vbz): the last three are in the body frame.
        body = velocity_from_sdk(velocity[3], velocity[4], 0.0)
        self._record(vx=body.vx, vy=body.vy)

    def _on_imu(self, imu) -> None:
        # (acc_x, acc_y, acc_z, gyro_x, gyro_y, gyro_z), gyro in deg/s.
        self._record(wz=velocity_from_sdk(0.0, 0.0, imu[5]).wz)

    def _on_gimbal_angle(self, angles) -> None:
        # (pitch_angle, yaw_angle, pitch_ground_angle, yaw_ground_angle), relative first.
        yaw, pitch = angles_from_sdk(angles[0], angles[1])
        self._record(gimbal_yaw=yaw, gimbal_pitch=pitch)

    def _on_hit(self, armor_id: int, hit_type: str) -> None:
        try:
            hit = hit_from_sdk(armor_id, hit_type)
        except ValueError as error:
            logging.getLogger(__name__).warning('ignoring an armor hit event: %s', error)
            return
        for callback in self._hit_callbacks:
            callback(hit)
