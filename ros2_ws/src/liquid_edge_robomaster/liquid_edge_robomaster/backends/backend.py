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
The one interface every Robomaster backend implements. No ROS import.

Units are SI and frames REP-103/105 on this side; each backend converts for its robot.
"""

import abc
import dataclasses
from typing import Callable, Optional

from ..armor import ArmorHitEvent
from ..chassis import ChassisVelocity, STOP
from ..gimbal import GimbalRates
from ..leds import LedCommand
from ..robot_state import RobotState


class BackendError(RuntimeError):
    """The robot cannot be reached or refused a command; the message says why."""


class SdkUnavailableError(BackendError):
    """The Robomaster SDK is not installed: not worth retrying."""


@dataclasses.dataclass(frozen=True)
class BackendConfig:
    """How to reach the robot (the node's parameters, ROS-free)."""

    conn_type: str = 'rndis'
    serial_number: str = ''


ArmorHitCallback = Callable[[ArmorHitEvent], None]


class RobotBackend(abc.ABC):
    """A Robomaster: connect, drive, point the gimbal, light the LEDs, report hits and state."""

    #: Seconds the robot's own watchdog lets a chassis speed command run before it stops the
    #: wheels, so a stalled host cannot leave it driving; None: the robot has no such watchdog.
    #: The driver sets it to its ``cmd_timeout``.
    command_timeout: Optional[float] = None

    @abc.abstractmethod
    def connect(self) -> None:
        """Open the link; raise BackendError saying why it failed."""

    @abc.abstractmethod
    def disconnect(self) -> None:
        """Close the link; safe to call on a link already lost."""

    @property
    @abc.abstractmethod
    def is_connected(self) -> bool:
        """Whether the link is up (telemetry still arrives)."""

    @abc.abstractmethod
    def drive(self, velocity: ChassisVelocity) -> None:
        """Drive the chassis at a body twist (m/s, rad/s; already capped)."""

    def stop(self) -> None:
        """Stop the chassis."""
        self.drive(STOP)

    @abc.abstractmethod
    def gimbal_speed(self, rates: GimbalRates) -> None:
        """Turn the gimbal at ``rates`` (rad/s; already capped)."""

    @abc.abstractmethod
    def set_led(self, command: LedCommand) -> None:
        """Show an LED effect."""

    @abc.abstractmethod
    def on_armor_hit(self, callback: ArmorHitCallback) -> None:
        """Call ``callback`` (from any thread) on every armor hit."""

    @abc.abstractmethod
    def update(self, dt: float) -> None:
        """Advance by ``dt`` s: the simulation integrates; a real robot has nothing to do."""

    @abc.abstractmethod
    def state(self) -> RobotState:
        """Return the latest odometry and gimbal angles."""

    @property
    def description(self) -> str:
        """One line naming the backend, for logs and diagnostics."""
        return type(self).__name__
