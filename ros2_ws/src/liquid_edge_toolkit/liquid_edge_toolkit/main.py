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
``run_node``: the one ``main()`` of every node.

Configuration errors (a refused parameter, a missing SDK) are fatal only while the node is
being built or configured: one FATAL line and exit 1. A lifecycle node whose ``autostart``
parameter is true is configured and activated here, as Nav2's lifecycle manager would; later
transitions (``ros2 lifecycle set``) that fail leave it running in its state. Ctrl-C and ``ros2
launch``'s SIGINT or SIGTERM stop it cleanly with exit 0; a second SIGINT (the terminal and
launch each send one) cannot interrupt the teardown. An error raised after shutdown began is
logged, not re-raised.
"""

import signal
from typing import Callable, Optional, Sequence, Tuple, Type

import rclpy
from rclpy.exceptions import (InvalidParameterTypeException, InvalidParameterValueException,
                              ParameterUninitializedException)
from rclpy.executors import ExternalShutdownException
from rclpy.lifecycle import LifecycleNode, TransitionCallbackReturn
from rclpy.logging import get_logger
from rclpy.node import Node

from .parameters import ConfigurationError, descriptor

#: What a node raises for a configuration it cannot run with.
CONFIGURATION_ERRORS: Tuple[Type[Exception], ...] = (
    ConfigurationError, InvalidParameterTypeException, InvalidParameterValueException,
    ParameterUninitializedException)


#: The parameter of every lifecycle node that says whether it brings itself up.
AUTOSTART = 'autostart'


def declare_autostart(node: LifecycleNode) -> None:
    """Declare ``autostart`` (read-only, default true) on a lifecycle node."""
    node.declare_parameter(AUTOSTART, True, descriptor(
        'configure and activate at start; false: stay unconfigured for a lifecycle manager '
        '(ros2 lifecycle set, nav2_lifecycle_manager)', read_only=True))


def start_lifecycle(node: LifecycleNode) -> bool:
    """Configure and activate ``node``; return whether both transitions succeeded."""
    return node.trigger_configure() == TransitionCallbackReturn.SUCCESS and \
        node.trigger_activate() == TransitionCallbackReturn.SUCCESS


def run_node(make_node: Callable[[], Node], name: str, args: Optional[Sequence[str]] = None,
             configuration_errors: Tuple[Type[Exception], ...] = ()) -> int:
    """
    Build a node with ``make_node`` and spin it until shutdown; return the exit code.

    :param name: the node's name, for the FATAL line when it cannot be built.
    :param configuration_errors: further exception types meaning "refused configuration".
    """
    rclpy.init(args=args)
    node = None
    try:
        try:
            node = make_node()
        except CONFIGURATION_ERRORS + tuple(configuration_errors) as error:
            get_logger(name).fatal(f'{name}: {error}')
            return 1
        if isinstance(node, LifecycleNode) and node.get_parameter(AUTOSTART).value:
            if not start_lifecycle(node):
                get_logger(name).fatal(f'{name}: refused to configure or activate (see above)')
                return 1
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    except Exception as error:  # noqa: B902 - only while shutting down; re-raised otherwise
        if rclpy.ok():
            raise
        get_logger(name).warning(f'{name}: ignored during shutdown: {error!r}')
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()
    return 0
