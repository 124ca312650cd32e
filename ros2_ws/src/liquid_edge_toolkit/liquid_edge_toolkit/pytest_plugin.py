"""
pytest plugin (entry point ``pytest11``) with the ROS test helpers of every package.

Fixture ``ros_context``: a private rclpy context per test module. ``spin_until``: spin an
executor until a condition holds, bounded by a timeout, never by a sleep.
"""

import time
from typing import Callable

import pytest
import rclpy
from rclpy.executors import Executor


def spin_until(executor: Executor, condition: Callable[[], object],
               timeout: float = 10.0) -> bool:
    """Spin ``executor`` until ``condition()`` holds or ``timeout`` s pass; return whether."""
    deadline = time.monotonic() + timeout
    while not condition() and time.monotonic() < deadline:
        executor.spin_once(timeout_sec=0.02)
    return bool(condition())


@pytest.fixture(scope='module')
def ros_context():
    """Give the test module an rclpy context of its own, shut down after it."""
    context = rclpy.Context()
    rclpy.init(context=context)
    yield context
    rclpy.shutdown(context=context)
