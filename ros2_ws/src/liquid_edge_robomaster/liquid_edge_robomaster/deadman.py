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

"""Dead-man switch: a command stream that goes quiet stops the actuator, once. No ROS."""

from typing import Optional


class DeadManSwitch:
    """
    Say "stop" once when no command arrived for more than ``timeout`` seconds.

    Times are seconds on any monotonic clock the caller chooses (the node uses its ROS clock,
    so a simulated clock works too).
    """

    def __init__(self, timeout: float):
        self.timeout = timeout
        self._last_command: Optional[float] = None
        self._engaged = False

    @property
    def timeout(self) -> float:
        """Seconds a command stays fresh."""
        return self._timeout

    @timeout.setter
    def timeout(self, value: float) -> None:
        if value <= 0.0:
            raise ValueError(f'dead-man timeout must be positive, got {value}')
        self._timeout = value

    @property
    def engaged(self) -> bool:
        """Return whether commands are fresh: the actuator may be moving."""
        return self._engaged

    def command_received(self, now: float) -> None:
        """Note a fresh command at ``now``."""
        self._last_command = now
        self._engaged = True

    def should_stop(self, now: float) -> bool:
        """Return True exactly once per quiet spell: at the first check after it went stale."""
        if not self._engaged or now - self._last_command <= self._timeout:
            return False
        self._engaged = False
        return True
