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

"""The link supervisor with the sim backend and a backend that fails its first attempts."""

import threading

from liquid_edge_robomaster.backends import BackendError, SimBackend
from liquid_edge_robomaster.connection import ConnectionSupervisor, ReconnectBackoff
import pytest


def test_backoff_doubles_to_its_ceiling_and_resets():
    backoff = ReconnectBackoff(0.5, 3.0)
    assert [backoff.next_delay() for _ in range(5)] == [0.5, 1.0, 2.0, 3.0, 3.0]
    backoff.reset()
    assert backoff.next_delay() == 0.5


def test_backoff_refuses_bad_bounds():
    with pytest.raises(ValueError):
        ReconnectBackoff(2.0, 1.0)


class FlakyBackend(SimBackend):
    """A simulated robot that refuses the first ``failures`` connections."""

    def __init__(self, failures):
        super().__init__()
        self.failures = failures
        self.attempts = 0

    def connect(self):
        self.attempts += 1
        if self.attempts <= self.failures:
            raise BackendError(f'attempt {self.attempts} refused')
        super().connect()


class ChangeLog:
    """Record on_change calls; wait for a given number of them."""

    def __init__(self):
        self.changes = []
        self._condition = threading.Condition()

    def __call__(self, connected, reason):
        with self._condition:
            self.changes.append((connected, reason))
            self._condition.notify_all()

    def wait_for(self, predicate, timeout=5.0):
        with self._condition:
            return self._condition.wait_for(lambda: predicate(self.changes), timeout)


def test_retries_until_connected():
    backend = FlakyBackend(failures=2)
    log = ChangeLog()
    supervisor = ConnectionSupervisor(backend, ReconnectBackoff(0.01, 0.02), 0.01, log)
    supervisor.start()
    try:
        assert log.wait_for(lambda changes: changes and changes[-1][0])
    finally:
        supervisor.stop()
    assert log.changes == [(False, 'attempt 1 refused; retrying with back-off'),
                           (False, 'attempt 2 refused; retrying with back-off'),
                           (True, 'connected')]
    assert not backend.is_connected


def test_lost_link_is_reconnected():
    backend = SimBackend()
    log = ChangeLog()
    supervisor = ConnectionSupervisor(backend, ReconnectBackoff(0.01, 0.02), 0.01, log)
    supervisor.start()
    try:
        assert log.wait_for(lambda changes: len(changes) == 1)
        backend.drop_link()
        assert log.wait_for(lambda changes: len(changes) == 3)
        assert supervisor.connected
    finally:
        supervisor.stop()
    assert [connected for connected, _ in log.changes] == [True, False, True]
    assert 'lost' in log.changes[1][1]


def test_reported_failure_triggers_reconnection():
    backend = SimBackend()
    log = ChangeLog()
    supervisor = ConnectionSupervisor(backend, ReconnectBackoff(0.01, 0.02), 10.0, log)
    supervisor.start()
    try:
        assert log.wait_for(lambda changes: len(changes) == 1)
        supervisor.report_lost()
        assert log.wait_for(lambda changes: len(changes) == 3)
    finally:
        supervisor.stop()
