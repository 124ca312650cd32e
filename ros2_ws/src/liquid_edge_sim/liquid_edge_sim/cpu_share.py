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
Give a process only a share of one CPU, as cpulimit does: the local edge runs at Pi 4 speed.

The simulation's local standby edge is the real YOLO service on this machine, which is many
times faster than a Raspberry Pi 4. `CpuShare` lets the process run for `share` of every
`period_s` and stops it (SIGSTOP, then SIGCONT) for the rest, so each inference takes about
1/share times longer, queueing included, with the service itself unchanged. No root, cgroup
or systemd needed (cgroup v2's cpu.max would do the same where one may write it).

The share that makes a host look like a Pi 4 is the ratio of their frame rates:
`share_for(host_fps, pi_fps)`, e.g. a host running YOLOv3-tiny at 40 frames/s and a Pi 4 at
3.9 (`liquid_edge_bridge.local_standby.pi4_yolo_frame_rate(320)`) give 0.1.
"""
import os
import signal
import threading


def share_for(host_fps: float, target_fps: float) -> float:
    """Return the CPU share that slows a host's `host_fps` down to `target_fps`."""
    if not (host_fps > 0.0 and target_fps > 0.0):
        raise ValueError(f'frame rates must be positive, got {host_fps}, {target_fps}')
    return min(1.0, target_fps / host_fps)


class CpuShare:
    """Duty-cycle a process: run `share` of each `period_s`, stopped for the rest."""

    def __init__(self, pid: int, share: float, period_s: float = 0.05):
        """Check the figures; nothing is stopped before `start()`."""
        if not 0.0 < share <= 1.0:
            raise ValueError(f'share must be in (0, 1], got {share}')
        if not period_s > 0.0:
            raise ValueError(f'period must be positive, got {period_s} s')
        self.pid = pid
        self.share = share
        self.period_s = period_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f'cpu-share-{pid}',
                                        daemon=True)

    def start(self) -> 'CpuShare':
        """Start duty-cycling the process."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop duty-cycling; the process is left running."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def __enter__(self) -> 'CpuShare':
        """Start duty-cycling."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop duty-cycling, leaving the process running."""
        self.stop()

    def _run(self) -> None:
        running_s = self.share * self.period_s
        stopped_s = self.period_s - running_s
        try:
            while not self._stop.wait(running_s):
                if stopped_s <= 0.0:
                    continue
                os.kill(self.pid, signal.SIGSTOP)
                try:
                    self._stop.wait(stopped_s)
                finally:
                    os.kill(self.pid, signal.SIGCONT)
        except ProcessLookupError:
            return  # the process ended: nothing left to share out
