"""A probe node for the launch tests: wait until each topic delivered an accepted message."""
import rclpy
from rclpy.executors import SingleThreadedExecutor


def wait_for_messages(namespace, topics, accept=None, timeout=30.0):
    """
    Subscribe to `topics` ({name: (type, qos)}) and spin until each got an accepted message.

    `accept` maps a topic name to a predicate; other topics accept any message. Returns the
    first accepted message of each topic that got one before `timeout` seconds.
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
        deadline = node.get_clock().now().nanoseconds + int(timeout * 1e9)
        while set(received) != set(topics) and node.get_clock().now().nanoseconds < deadline:
            executor.spin_once(timeout_sec=0.1)
    finally:
        rclpy.shutdown(context=context)
    return received
