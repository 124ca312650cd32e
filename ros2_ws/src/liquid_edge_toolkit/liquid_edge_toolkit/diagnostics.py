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
``make_updater``: diagnostic_updater's ``Updater`` where it is installed, else the same shape.

A node adds named tasks (``updater.add(name, task)``); every ``diagnostic_updater.period``
seconds (a parameter, as diagnostic_updater declares it) each task fills a status
(``stat.summary(level, message)``, ``stat.add(key, value)``) and the updater publishes them in
one DiagnosticArray on ``/diagnostics``, each named ``<node>: <task>``. ``force_update()``
publishes at once, after a change worth reporting.
"""

from typing import Callable, List

from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus, KeyValue
from rclpy.node import Node

from .parameters import descriptor

#: The parameter diagnostic_updater declares for its period, seconds.
PERIOD_PARAMETER = 'diagnostic_updater.period'


class DiagnosticStatusWrapper(DiagnosticStatus):
    """A DiagnosticStatus with diagnostic_updater's helpers to fill it."""

    def summary(self, level: bytes, message: str) -> None:
        """Set the level and the message."""
        self.level = level
        self.message = message

    def add(self, key: str, value: object) -> None:
        """Add one key/value pair; the value as text."""
        self.values.append(KeyValue(key=key, value=str(value)))


Task = Callable[[DiagnosticStatusWrapper], DiagnosticStatusWrapper]


class Updater:
    """
    Run named diagnostic tasks periodically and publish their statuses on ``/diagnostics``.

    The subset of ``diagnostic_updater.Updater`` that the LIQUID EDGE nodes use: ``add``,
    ``setHardwareID``, ``force_update``, and the ``diagnostic_updater.period`` parameter
    (read-only here).
    """

    def __init__(self, node: Node, period: float = 1.0):
        self._node = node
        self._tasks: List[tuple] = []
        self._hardware_id = ''
        period = node.declare_parameter(PERIOD_PARAMETER, period, descriptor(
            'seconds between two /diagnostics messages', read_only=True,
            float_range=(0.1, 60.0))).value
        self._publisher = node.create_publisher(DiagnosticArray, '/diagnostics', 1)
        self._timer = node.create_timer(period, self.force_update)

    def add(self, name: str, task: Task) -> None:
        """Run ``task`` at every update, its status named ``<node>: <name>``."""
        self._tasks.append((name, task))

    def setHardwareID(self, hardware_id: str) -> None:
        """Name the hardware every status is about (diagnostic_updater's spelling)."""
        self._hardware_id = hardware_id

    def force_update(self) -> None:
        """Run every task now and publish their statuses."""
        array = DiagnosticArray()
        for name, task in self._tasks:
            status = DiagnosticStatusWrapper(
                level=DiagnosticStatus.ERROR, name=f'{self._node.get_name()}: {name}',
                message='No message was set', hardware_id=self._hardware_id)
            array.status.append(task(status))
        array.header.stamp = self._node.get_clock().now().to_msg()
        self._publisher.publish(array)


def make_updater(node: Node, period: float = 1.0):
    """Return ``diagnostic_updater.Updater(node, period)`` if importable, else :class:`Updater`."""
    try:
        from diagnostic_updater import Updater as RealUpdater
    except ImportError:
        return Updater(node, period)
    return RealUpdater(node, period)
