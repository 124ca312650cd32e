"""
Speeds while the robot's own standby edge sees for it (edge/active says `local`).

The local edge answers a few frames a second and later than a remote one, so the robot steers
on older news: it follows and searches at `local_speed_scale` of its speeds, turning included,
so a target does not leave the picture between two answers. An escape from an armor hit keeps
its speed. Pure logic, no ROS.
"""
import math

from liquid_edge_follow.control import Velocity


def standby_velocity(velocity: Velocity, on_local: bool, scale: float) -> Velocity:
    """Return `velocity` scaled by `scale` (0 < scale <= 1) while on the local edge."""
    if not (math.isfinite(scale) and 0.0 < scale <= 1.0):
        raise ValueError(f'local_speed_scale must be in (0, 1], got {scale}')
    if not on_local:
        return velocity
    return Velocity(linear_x=velocity.linear_x * scale, linear_y=velocity.linear_y * scale,
                    angular_z=velocity.angular_z * scale)
