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

"""``LifecycleNode``: rclpy's, with the ``autostart`` parameter and a complete ``destroy_node``."""

from rclpy.lifecycle import LifecycleNode as RclpyLifecycleNode

from .main import declare_autostart


class LifecycleNode(RclpyLifecycleNode):
    """
    The base of every LIQUID EDGE lifecycle node; ``run_node`` brings it up per ``autostart``.

    rclpy's ``destroy_node`` leaves the lifecycle state machine (its ``transition_event``
    publisher and services, which keep the node's DDS entities alive) to the garbage
    collector; collected in a forked child (flake8's worker processes) it crashes the child.
    This ``destroy_node`` frees it at once.
    """

    def __init__(self, node_name: str, **kwargs):
        super().__init__(node_name, **kwargs)
        declare_autostart(self)

    def destroy_node(self) -> None:
        """Destroy the node and its lifecycle state machine."""
        super().destroy_node()
        self._state_machine.destroy_when_not_in_use()
