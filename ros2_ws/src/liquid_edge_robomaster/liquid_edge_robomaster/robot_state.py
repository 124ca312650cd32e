"""What the driver publishes as odometry and joint states. No ROS import."""

import dataclasses

from .chassis import ChassisVelocity, STOP


@dataclasses.dataclass(frozen=True)
class RobotState:
    """
    Pose in odom (x, y m; yaw rad), body twist, gimbal angles relative to the chassis (rad).

    REP-103/105: x forward, y left, yaw counter-clockwise; gimbal pitch positive down.
    """

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0
    velocity: ChassisVelocity = STOP
    gimbal_yaw: float = 0.0
    gimbal_pitch: float = 0.0
