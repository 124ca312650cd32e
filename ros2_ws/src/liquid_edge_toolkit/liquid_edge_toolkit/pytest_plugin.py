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
pytest plugin (entry point ``pytest11``) with the ROS test helpers of every package.

Fixture ``ros_context``: a private rclpy context per test module. Fixture ``ros_graph``: an
executor and a probe node in it, and ``add(node)`` to spin the nodes under test with them.
``spin_until``: spin an executor until a condition holds, bounded by a timeout, never by a
sleep. ``change_state`` and ``lifecycle_state``: a node's transitions through the standard
lifecycle services (``<node>/change_state``, ``<node>/get_state``) over DDS.
``wait_for_messages``: what the launch tests probe with, importable from the installed
package, so ``launch_test test/test_robot_launch.py`` runs outside pytest too. It also
registers the ``copyright`` marker of the packages' ``test_copyright.py``, as ament_copyright
does, so that test skips without a warning where ament_copyright is not installed.
"""

import gc
import time
from typing import Callable, Dict, NamedTuple, Optional

from lifecycle_msgs.msg import Transition
from lifecycle_msgs.srv import ChangeState, GetState
import pytest
import rclpy
from rclpy.executors import Executor, SingleThreadedExecutor
from rclpy.node import Node


def spin_until(executor: Executor, condition: Callable[[], object],
               timeout: float = 10.0) -> bool:
    """Spin ``executor`` until ``condition()`` holds or ``timeout`` s pass; return whether."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        executor.spin_once(timeout_sec=0.02)
    return bool(condition())


def _call(probe: Node, executor: Executor, service_type, name: str, request,
          timeout: float):
    client = probe.create_client(service_type, name)
    try:
        assert spin_until(executor, client.service_is_ready, timeout), f'no service {name}'
        future = client.call_async(request)
        assert spin_until(executor, future.done, timeout), f'{name} did not answer'
        return future.result()
    finally:
        probe.destroy_client(client)


def change_state(probe: Node, executor: Executor, node_name: str, transition: str,
                 timeout: float = 10.0) -> bool:
    """
    Ask ``node_name`` for a transition (configure, activate, ...) over its service.

    Returns whether the node accepted and completed it.
    """
    request = ChangeState.Request()
    request.transition.id = getattr(Transition, f'TRANSITION_{transition.upper()}')
    return _call(probe, executor, ChangeState, f'{node_name}/change_state', request,
                 timeout).success


def lifecycle_state(probe: Node, executor: Executor, node_name: str,
                    timeout: float = 10.0) -> str:
    """Return the label of ``node_name``'s current lifecycle state (e.g. 'active')."""
    return _call(probe, executor, GetState, f'{node_name}/get_state', GetState.Request(),
                 timeout).current_state.label


def wait_for_messages(namespace: str, topics: Dict[str, tuple],
                      accept: Optional[Dict[str, Callable]] = None,
                      timeout: float = 30.0) -> Dict[str, object]:
    """
    Subscribe to ``topics`` ({name: (type, qos)}) and spin until each got an accepted message.

    ``accept`` maps a topic name to a predicate; other topics accept any message. Returns the
    first accepted message of each topic that got one before ``timeout`` seconds.
    """
    accept = accept or {}
    received = {}

    def on_message(name, msg):
        if name not in received and accept.get(name, lambda _: True)(msg):
            received[name] = msg

    context = rclpy.Context()
    rclpy.init(context=context)
    try:
        node = rclpy.create_node('launch_probe', namespace=namespace, context=context)
        for name, (msg_type, qos) in topics.items():
            node.create_subscription(
                msg_type, name, lambda msg, name=name: on_message(name, msg), qos)
        executor = SingleThreadedExecutor(context=context)
        executor.add_node(node)
        spin_until(executor, lambda: set(received) == set(topics), timeout)
    finally:
        rclpy.shutdown(context=context)
    return received


class RosGraph(NamedTuple):
    """What ``ros_graph`` gives: the executor, the probe node, and ``add(node) -> node``."""

    executor: Executor
    probe: Node
    add: Callable[[Node], Node]


@pytest.fixture
def ros_graph(ros_context):
    """
    Yield a :class:`RosGraph` in the module's context; every node is destroyed afterwards.

    The probe (node ``probe``, no namespace) subscribes and publishes for the test; ``add``
    puts a node under test in the executor and hands it back.
    """
    executor = SingleThreadedExecutor(context=ros_context)
    probe = Node('probe', context=ros_context)
    executor.add_node(probe)
    nodes = [probe]

    def add(node: Node) -> Node:
        nodes.append(node)
        executor.add_node(node)
        return node

    yield RosGraph(executor, probe, add)
    executor.shutdown()
    for node in nodes:
        node.destroy_node()


def pytest_configure(config):
    """Register ament_copyright's marker: where it is not installed its tests skip, unwarned."""
    config.addinivalue_line('markers', 'copyright: marks tests checking for copyright notices')


@pytest.fixture(scope='module')
def ros_context():
    """Give the test module an rclpy context of its own, shut down after it."""
    context = rclpy.Context()
    rclpy.init(context=context)
    yield context
    rclpy.shutdown(context=context)
    # Free the module's rcl handles here: a later fork (the flake8 test's workers) must not
    # inherit them as garbage and free them in the child, which crashes it.
    gc.collect()
