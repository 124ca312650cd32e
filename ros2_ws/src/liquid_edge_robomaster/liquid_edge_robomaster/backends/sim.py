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

"""Simulated S1: the kinematic model behind the backend interface, for the closed loop."""

from typing import List, Optional

from .backend import ArmorHitCallback, BackendConfig, RobotBackend
from ..armor import ArmorHitEvent
from ..chassis import ChassisVelocity, STOP
from ..gimbal import GimbalRates, HOLD
from ..kinematics import S1Kinematics
from ..leds import LedCommand
from ..robot_state import RobotState


class SimBackend(RobotBackend):
    """
    A kinematic S1 (:class:`S1Kinematics`) that the node steps at its odometry rate.

    The simulation may keep a reference to read :attr:`led`, call :meth:`inject_armor_hit`
    and :meth:`drop_link` (as the real S1 does when its link drops, the chassis stops).
    """

    def __init__(self, config: Optional[BackendConfig] = None,
                 model: Optional[S1Kinematics] = None):
        self._model = model if model is not None else S1Kinematics()
        self._connected = False
        self._hit_callbacks: List[ArmorHitCallback] = []
        self.led: Optional[LedCommand] = None

    @property
    def description(self) -> str:
        return 'simulated S1 (kinematic model)'

    @property
    def model(self) -> S1Kinematics:
        """Return the kinematic model, for a simulation that wants the exact state."""
        return self._model

    def connect(self) -> None:
        self._connected = True

    def disconnect(self) -> None:
        self._connected = False
        self._model.command(STOP)
        self._model.command_gimbal(HOLD)

    @property
    def is_connected(self) -> bool:
        return self._connected

    def drive(self, velocity: ChassisVelocity) -> None:
        self._model.command(velocity)

    def gimbal_speed(self, rates: GimbalRates) -> None:
        self._model.command_gimbal(rates)

    def set_led(self, command: LedCommand) -> None:
        self.led = command

    def on_armor_hit(self, callback: ArmorHitCallback) -> None:
        self._hit_callbacks.append(callback)

    def inject_armor_hit(self, hit: ArmorHitEvent) -> None:
        """Report a hit as if an armor plate had felt it."""
        for callback in self._hit_callbacks:
            callback(hit)

    def drop_link(self) -> None:
        """Lose the link, as an unplugged cable would: the chassis and gimbal stop."""
        self.disconnect()

    def update(self, dt: float) -> None:
        self._model.step(dt)

    def state(self) -> RobotState:
        return self._model.state
