"""Shared fixture: a private rclpy context per test module."""

import pytest
import rclpy


@pytest.fixture(scope='module')
def ros_context():
    """Give the test module an rclpy context of its own, shut down after it."""
    context = rclpy.Context()
    rclpy.init(context=context)
    yield context
    rclpy.shutdown(context=context)
