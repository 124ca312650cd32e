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
The robot's own turn, as the image sees it: camera angle history and the shift it causes.

When the chassis or the gimbal turns, everything in the image slides sideways, and when the
gimbal tilts, up or down; a tracker that predicts where a person will be must add that slide
to the person's own motion, or every turn of the robot looks like the person running. The
camera's yaw (chassis yaw from `odom` plus gimbal yaw from `joint_states`) and its pitch
(gimbal pitch from `joint_states`) are kept for a few seconds; `image_x_after_turn` moves an
image column, `image_y_after_tilt` an image row, by the rotation between two stamps (pinhole
model, exact, not small-angle).
"""
from bisect import bisect_left
import math
from typing import List, Optional, Tuple


class AngleHistory:
    """Recent angle samples (s, rad) of one joint or of the chassis, unwrapped, by stamp."""

    def __init__(self, horizon: float = 5.0):
        """Keep samples for `horizon` seconds behind the newest one."""
        if not horizon > 0.0:
            raise ValueError(f'horizon must be > 0 s, got {horizon}')
        self.horizon = horizon
        self._samples: List[Tuple[float, float]] = []

    def add(self, stamp: float, yaw: float) -> None:
        """Add a sample; out-of-order ones are dropped, the angle is unwrapped."""
        if not (math.isfinite(stamp) and math.isfinite(yaw)):
            return
        if self._samples:
            last_stamp, last_yaw = self._samples[-1]
            if stamp <= last_stamp:
                return
            yaw = last_yaw + math.remainder(yaw - last_yaw, 2.0 * math.pi)
        self._samples.append((stamp, yaw))
        cut = bisect_left(self._samples, (stamp - self.horizon, -math.inf))
        del self._samples[:max(cut - 1, 0)]

    def at(self, stamp: float) -> Optional[float]:
        """Return the yaw at `stamp`, interpolated, held at the ends; None without samples."""
        if not self._samples:
            return None
        index = bisect_left(self._samples, (stamp, -math.inf))
        if index == 0:
            return self._samples[0][1]
        if index == len(self._samples):
            return self._samples[-1][1]
        (t0, y0), (t1, y1) = self._samples[index - 1], self._samples[index]
        return y0 + (y1 - y0) * (stamp - t0) / (t1 - t0)

    def rotation(self, since: float, until: float) -> float:
        """Return the yaw change (rad, counter-clockwise) from `since` to `until`; 0 unknown."""
        start, end = self.at(since), self.at(until)
        return 0.0 if start is None or end is None else end - start


def image_x_after_turn(x: float, rotation: float, focal_length: float,
                       center_x: float) -> float:
    """
    Return where image column `x` appears after the camera yaws by `rotation` (rad, CCW).

    A point at azimuth a (left of the optical axis positive) is seen at cx - f tan(a); after
    a counter-clockwise turn it is at a - rotation, so it slides right.
    """
    return _after_rotation(x, -rotation, focal_length, center_x)


def image_y_after_tilt(y: float, rotation: float, focal_length: float,
                       center_y: float) -> float:
    """
    Return where image row `y` appears after the camera pitches down by `rotation` (rad).

    A point at elevation e (above the optical axis positive) is seen at cy - f tan(e); after
    the camera pitches down it is at e + rotation, so it slides up.
    """
    return _after_rotation(y, rotation, focal_length, center_y)


def _after_rotation(coordinate: float, angle_change: float, focal_length: float,
                    center: float) -> float:
    """
    Return where an image coordinate appears when its angle changes by `angle_change`.

    The angle is the point's from the optical axis, toward lower coordinates positive
    (pinhole model, exact). Points that would leave the half-space in front of the camera
    are held at its far edge.
    """
    angle = math.atan2(center - coordinate, focal_length) + angle_change
    angle = max(-math.pi / 2 + 1e-3, min(math.pi / 2 - 1e-3, angle))
    return center - focal_length * math.tan(angle)
