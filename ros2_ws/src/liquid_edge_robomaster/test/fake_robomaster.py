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
A recording stand-in for DJI's ``robomaster`` SDK (the robot cannot exist here).

Same module layout, names and call signatures as the SDK's public API the backend uses
(robot.Robot, chassis/gimbal/led/armor modules, led.EFFECT_* constants; the speed commands
keep the SDK's exact keywords, so ``timeout`` is accepted by the chassis only); every call is
recorded in ``FakeSdk.calls`` as (name, kwargs), and the subscription callbacks are kept so a
test can push telemetry and hit events as the robot would.
"""

import sys
import types


class FakeSdk:
    """Build fake ``robomaster``, ``robomaster.robot`` and ``robomaster.led`` modules."""

    def __init__(self, initialize_result=True):
        self.calls = []
        self.callbacks = {}
        self.initialize_result = initialize_result
        self.led = types.ModuleType('robomaster.led')
        for name in ('on', 'off', 'pulse', 'flash', 'breath', 'scrolling'):
            # Fresh str objects: the backend must pass these very objects (set_led uses `is`).
            setattr(self.led, f'EFFECT_{name.upper()}', ''.join([name]))
        self.robot = types.ModuleType('robomaster.robot')
        self.robot.FREE, self.robot.GIMBAL_LEAD, self.robot.CHASSIS_LEAD = (
            'free', 'gimbal_lead', 'chassis_lead')
        self.robot.Robot = self._make_robot_class()
        self.package = types.ModuleType('robomaster')
        self.package.robot = self.robot
        self.package.led = self.led

    def install(self, monkeypatch):
        """Put the fake modules in sys.modules for the test's duration."""
        monkeypatch.setitem(sys.modules, 'robomaster', self.package)
        monkeypatch.setitem(sys.modules, 'robomaster.robot', self.robot)
        monkeypatch.setitem(sys.modules, 'robomaster.led', self.led)
        return self

    def calls_named(self, name):
        """Return the kwargs of every recorded call to ``name``."""
        return [kwargs for call, kwargs in self.calls if call == name]

    def _recorder(self, name):
        def record(**kwargs):
            self.calls.append((name, kwargs))
            if 'callback' in kwargs:
                self.callbacks[name] = kwargs['callback']
            return True
        return record

    def _make_robot_class(self):
        sdk = self

        def chassis_drive_speed(x=0.0, y=0.0, z=0.0, timeout=None):
            return sdk._recorder('chassis.drive_speed')(x=x, y=y, z=z, timeout=timeout)

        def gimbal_drive_speed(pitch_speed=30.0, yaw_speed=30.0):
            return sdk._recorder('gimbal.drive_speed')(
                pitch_speed=pitch_speed, yaw_speed=yaw_speed)

        class Robot:
            def __init__(self):
                self.chassis = types.SimpleNamespace(drive_speed=chassis_drive_speed, **{
                    name: sdk._recorder(f'chassis.{name}') for name in (
                        'sub_position', 'sub_attitude', 'sub_velocity', 'sub_imu')})
                self.gimbal = types.SimpleNamespace(
                    drive_speed=gimbal_drive_speed,
                    sub_angle=sdk._recorder('gimbal.sub_angle'))
                self.led = types.SimpleNamespace(set_led=sdk._recorder('led.set_led'))
                self.armor = types.SimpleNamespace(
                    sub_hit_event=sdk._recorder('armor.sub_hit_event'))

            def initialize(self, conn_type='sta', proto_type='tcp', sn=None):
                sdk.calls.append(('robot.initialize', {'conn_type': conn_type, 'sn': sn}))
                return sdk.initialize_result

            def set_robot_mode(self, mode='gimbal_lead'):
                sdk.calls.append(('robot.set_robot_mode', {'mode': mode}))
                return True

            def close(self):
                sdk.calls.append(('robot.close', {}))

        return Robot
