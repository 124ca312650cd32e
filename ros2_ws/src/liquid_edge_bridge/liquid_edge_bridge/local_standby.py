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
The local standby edge: YOLO on the robot itself, used only while no remote edge will do.

Pure logic beside `EdgeSelector`, which keeps choosing among the remote edges exactly as
before; the bridge asks `LocalStandby.serving(now, selector.active)` which edge gets the
next frame. Time is passed in (seconds, any monotonic clock).

- The robot goes to the local edge when no remote edge has answered in time for
  `enter_after_s` (or at once when no remote edge is eligible at all). In time means within
  the latency budget, or within `local_answer_s` where the local edge is slower than that:
  a remote edge over the budget but still faster than the local YOLO keeps the frames, as
  the local edge would answer later still.
- An answer that shows the link has changed (the encoding is then re-decided for it at once)
  restarts that clock: the remote edge gets `enter_after_s` to answer in time at the new
  setting, since the slow answers until then carry frames sized for the old link.
- It leaves as soon as a remote edge is back: `leave_after_answers` answers in a row in time
  (the bridge keeps probing remote edges while on local), so one lucky answer over a failing
  link does not make it flap.

On a Raspberry Pi 4 the local YOLO is slow: YOLOv3-tiny through OpenCV DNN at a 416x416
input runs at 2.3 frames/s on the Pi 4's CPU (takamatsu-shyo/objectdetection_pi, "Tiny Yolo
v3: 2.3 FPS with OpenCV DNN"). The network's cost grows with the input's area, so a smaller
input runs proportionally faster: `pi4_yolo_frame_rate(320)` is 3.9 frames/s. `FrameRateCap`
sends frames to the local edge no faster than that; in the simulation,
`liquid_edge_sim.cpu_share.CpuShare` also slows the local YOLO process to that rate, so each
answer takes as long as on the Pi.
"""
from dataclasses import dataclass
import math
from typing import Optional

PI4_YOLOV3_TINY_FPS_AT_416 = 2.3


def pi4_yolo_frame_rate(input_size: int) -> float:
    """Return YOLOv3-tiny's frames/s on a Raspberry Pi 4 CPU at a square input of this side."""
    if input_size < 32 or input_size % 32:
        raise ValueError(f'YOLO input size must be a multiple of 32, got {input_size}')
    return PI4_YOLOV3_TINY_FPS_AT_416 * (416.0 / input_size) ** 2


@dataclass(frozen=True)
class StandbyConfig:
    """When to go to the local edge and back; seconds."""

    latency_budget_s: float = 0.150
    enter_after_s: float = 0.5
    leave_after_answers: int = 3
    local_answer_s: float = 0.0  # how long the local edge takes to answer a frame

    @property
    def in_time_s(self) -> float:
        """Return the longest round trip of a remote answer that still beats going local."""
        return max(self.latency_budget_s, self.local_answer_s)

    def __post_init__(self):
        """Reject settings that cannot work."""
        if not self.latency_budget_s > 0.0:
            raise ValueError(f'latency_budget_s must be positive, got {self.latency_budget_s}')
        if self.enter_after_s < 0.0:
            raise ValueError(f'enter_after_s must not be negative, got {self.enter_after_s}')
        if self.leave_after_answers < 1:
            raise ValueError('leave_after_answers must be at least 1, '
                             f'got {self.leave_after_answers}')
        if not self.local_answer_s >= 0.0:
            raise ValueError(f'local_answer_s must not be negative, got {self.local_answer_s}')


class LocalStandby:
    """Decides between the remote edge the selector chose and the local standby edge."""

    def __init__(self, local_name: str, config: StandbyConfig = StandbyConfig(),
                 now: float = 0.0):
        """Start on the remote edges; the budget clock starts at `now`."""
        if not local_name:
            raise ValueError('the local edge needs a name')
        self.local_name = local_name
        self.config = config
        self._on_local = False
        self._last_good_remote = now
        self._good_streak = 0
        self._local_since: Optional[float] = None
        self._time_on_local = 0.0

    @property
    def on_local(self) -> bool:
        """Tell whether the local edge serves the robot now."""
        return self._on_local

    def record_remote_answer(self, now: float, round_trip_s: float) -> None:
        """Record a remote edge's answer (frame or probe) and its round trip."""
        if round_trip_s <= self.config.in_time_s:
            self._last_good_remote = now
            self._good_streak += 1
        else:
            self._good_streak = 0

    def record_link_change(self, now: float) -> None:
        """Record that a remote answer showed a changed link: its clock starts again."""
        self._last_good_remote = max(self._last_good_remote, now)

    def record_remote_failure(self, now: float) -> None:
        """Record a remote call that missed its deadline or failed."""
        self._good_streak = 0

    def serving(self, now: float, remote_active: Optional[str],
                local_available: bool = True) -> Optional[str]:
        """Return the edge to send the next frame to: the remote one, the local one, or None."""
        if self._on_local:
            if remote_active is not None and (
                    self._good_streak >= self.config.leave_after_answers):
                self._leave(now)
        elif local_available and (
                remote_active is None
                or now - self._last_good_remote >= self.config.enter_after_s):
            self._enter(now)
        if self._on_local and not local_available:
            self._leave(now)
        return self.local_name if self._on_local else remote_active

    def time_on_local(self, now: float) -> float:
        """Return the seconds spent on the local edge so far, the current stay included."""
        current = now - self._local_since if self._local_since is not None else 0.0
        return self._time_on_local + current

    def _enter(self, now: float) -> None:
        self._on_local = True
        self._good_streak = 0
        self._local_since = now

    def _leave(self, now: float) -> None:
        self._on_local = False
        self._time_on_local += now - self._local_since
        self._local_since = None
        self._last_good_remote = now


class FrameRateCap:
    """Let a frame through at most every 1/max_fps seconds (the local edge's CPU)."""

    def __init__(self, max_fps: float):
        """Set the cap, frames per second."""
        if not (math.isfinite(max_fps) and max_fps > 0.0):
            raise ValueError(f'max_fps must be positive, got {max_fps}')
        self.period_s = 1.0 / max_fps
        self._next = -math.inf

    def admit(self, now: float) -> bool:
        """Tell whether a frame may go now; if so, the next may go one period later."""
        if now < self._next:
            return False
        self._next = now + self.period_s
        return True
