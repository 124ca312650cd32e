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
``LifecycleNode``: rclpy's, with ``autostart``, the transitions that undo, and ``destroy_node``.

Deactivate, cleanup and shutdown are the same in every LIQUID EDGE node, so they are defined
here on two hooks the node overrides: ``_stop`` undoes activate, ``_release`` undoes configure.
"""

from typing import Iterable

from rclpy.lifecycle import (LifecycleNode as RclpyLifecycleNode, LifecycleState,
                             TransitionCallbackReturn)
from rclpy.publisher import Publisher
from rclpy.service import Service
from rclpy.timer import Timer

from .main import declare_autostart


class LifecycleNode(RclpyLifecycleNode):
    """
    The base of every LIQUID EDGE lifecycle node; ``run_node`` brings it up per ``autostart``.

    rclpy's ``destroy_node`` leaves the lifecycle state machine (its ``transition_event``
    publisher and services, which keep the node's DDS entities alive) to the garbage
    collector; collected in a forked child (flake8's worker processes) it crashes the child.
    This ``destroy_node`` frees it at once.

    A node overrides ``_stop`` (deactivate: what activate started) and ``_release`` (cleanup:
    what configure built); shutdown, from whichever state, calls both, and ``destroy_node``
    calls ``_stop``. Each hook must do nothing where there is nothing to undo.
    """

    def __init__(self, node_name: str, **kwargs):
        super().__init__(node_name, **kwargs)
        declare_autostart(self)

    def destroy_node(self) -> None:
        """Undo activate (``_stop``: an active robot node leaves the robot still), destroy."""
        self._stop()
        super().destroy_node()
        self._state_machine.destroy_when_not_in_use()

    def on_deactivate(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Undo activate (``_stop``)."""
        self._stop()
        return TransitionCallbackReturn.SUCCESS

    def on_cleanup(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Undo configure (``_release``); configure reads the parameters again."""
        self._release()
        return TransitionCallbackReturn.SUCCESS

    def on_shutdown(self, state: LifecycleState) -> TransitionCallbackReturn:
        """Stop and release whatever is up, from whichever state."""
        self._stop()
        self._release()
        return TransitionCallbackReturn.SUCCESS

    def _stop(self) -> None:
        """Undo activate; a node with something to stop overrides it."""

    def _release(self) -> None:
        """Undo configure; a node with something to release overrides it."""

    def _destroy_entities(self, entities: Iterable) -> None:
        """Destroy timers, services, publishers and subscriptions, each as rclpy wants."""
        for entity in entities:
            if isinstance(entity, Timer):
                self.destroy_timer(entity)
            elif isinstance(entity, Service):
                self.destroy_service(entity)
            elif isinstance(entity, Publisher):
                self.destroy_publisher(entity)
            else:
                self.destroy_subscription(entity)
