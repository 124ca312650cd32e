"""The QoS profiles of the stack, by what they carry (see STYLE: one profile per kind)."""

from rclpy.qos import (DurabilityPolicy, HistoryPolicy, QoSProfile, ReliabilityPolicy)

#: Images: best effort, only the newest frame (a late frame is worth nothing).
SENSOR_DATA = QoSProfile(reliability=ReliabilityPolicy.BEST_EFFORT,
                         history=HistoryPolicy.KEEP_LAST, depth=1)

#: Latched status (``connected``, ``edge/active``): a late subscriber gets the last value.
LATCHED = QoSProfile(reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST,
                     depth=1, durability=DurabilityPolicy.TRANSIENT_LOCAL)

#: Commands (``cmd_vel``, ``cmd_gimbal``, LEDs): reliable, only the newest one counts.
COMMANDS = QoSProfile(reliability=ReliabilityPolicy.RELIABLE, history=HistoryPolicy.KEEP_LAST,
                      depth=1)
