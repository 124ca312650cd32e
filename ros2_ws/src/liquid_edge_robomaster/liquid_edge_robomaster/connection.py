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

"""Keep the robot link up: connect, watch, reconnect with back-off, in a thread. No ROS."""

import threading
from typing import Callable, Optional

from .backends.backend import BackendError, RobotBackend


class ReconnectBackoff:
    """Wait ``initial`` s after the first failed attempt, doubling up to ``maximum`` s."""

    def __init__(self, initial: float, maximum: float):
        if initial <= 0.0 or maximum < initial:
            raise ValueError(f'need 0 < initial <= maximum, got {initial}, {maximum}')
        self._initial = initial
        self._maximum = maximum
        self._next = initial

    def next_delay(self) -> float:
        """Seconds to wait after one more failure."""
        delay = self._next
        self._next = min(self._next * 2.0, self._maximum)
        return delay

    def reset(self) -> None:
        """Start again from ``initial`` (a connection succeeded)."""
        self._next = self._initial


class ConnectionSupervisor:
    """
    Run a backend's connection in a background thread.

    Connects (retrying with :class:`ReconnectBackoff`), then checks ``backend.is_connected``
    every ``check_period`` s; a lost link is closed and reconnected. ``on_change(connected,
    reason)`` is called from that thread on every change and on every failed attempt.
    """

    def __init__(self, backend: RobotBackend, backoff: ReconnectBackoff, check_period: float,
                 on_change: Callable[[bool, str], None]):
        self._backend = backend
        self._backoff = backoff
        self._check_period = check_period
        self._on_change = on_change
        self._connected = False
        self._lost = threading.Event()
        self._stopping = threading.Event()
        self._thread: Optional[threading.Thread] = None

    @property
    def connected(self) -> bool:
        """Whether the link is up, as last seen."""
        return self._connected

    def start(self) -> None:
        """Start connecting in the background."""
        self._thread = threading.Thread(target=self._run, name='robomaster-link', daemon=True)
        self._thread.start()

    def report_lost(self) -> None:
        """Reconnect now rather than at the next check (a command failed on the link)."""
        self._lost.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread and close the link."""
        self._stopping.set()
        self._lost.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if self._connected:
            self._connected = False
            self._backend.disconnect()

    def _run(self) -> None:
        while not self._stopping.is_set():
            if not self._connected:
                self._try_connect()
            elif self._lost.is_set() or not self._backend.is_connected:
                self._connected = False
                self._backend.disconnect()
                self._on_change(False, 'link to the robot lost; reconnecting')
            else:
                self._lost.wait(self._check_period)

    def _try_connect(self) -> None:
        self._lost.clear()
        try:
            self._backend.connect()
        except BackendError as error:
            delay = self._backoff.next_delay()
            self._on_change(False, f'{error}; retrying with back-off')
            self._stopping.wait(delay)
            return
        self._backoff.reset()
        self._connected = True
        self._on_change(True, 'connected')
