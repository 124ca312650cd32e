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

"""CpuShare slows a real busy process down to its share of the CPU."""
import os
import subprocess
import sys
import time

from liquid_edge_sim.cpu_share import CpuShare, share_for
import pytest

_TICKS = os.sysconf('SC_CLK_TCK')


def cpu_seconds(pid):
    """Return the user + system CPU time of a process, from /proc/<pid>/stat."""
    with open(f'/proc/{pid}/stat', encoding='ascii') as file:
        fields = file.read().rpartition(')')[2].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


@pytest.fixture
def busy_process():
    process = subprocess.Popen([sys.executable, '-c', 'while True: pass'])
    yield process
    process.kill()
    process.wait()


def test_a_shared_process_needs_longer_for_the_same_cpu_time(busy_process):
    share = 0.2
    with CpuShare(busy_process.pid, share, period_s=0.05):
        start_cpu, started = cpu_seconds(busy_process.pid), time.monotonic()
        deadline = started + 30.0
        while cpu_seconds(busy_process.pid) - start_cpu < 0.3:
            assert time.monotonic() < deadline, 'the process got no CPU time at all'
            time.sleep(0.02)  # polling the condition, not synchronising
        elapsed = time.monotonic() - started
    # Unshared, 0.3 s of CPU takes 0.3 s; at a 0.2 share 1.5 s. A loaded machine can wake
    # the duty cycle late, so only twice as long is asked.
    assert elapsed >= 2 * 0.3
    # Stopping the share leaves the process running, not stopped.
    assert busy_process.poll() is None
    with open(f'/proc/{busy_process.pid}/stat', encoding='ascii') as file:
        assert file.read().rpartition(')')[2].split()[0] in 'RS'


def test_share_for_is_the_ratio_of_frame_rates():
    assert share_for(40.0, 3.9) == pytest.approx(0.0975)
    assert share_for(2.0, 3.9) == 1.0
    with pytest.raises(ValueError):
        share_for(0.0, 1.0)


@pytest.mark.parametrize('share, period', [(0.0, 0.05), (1.5, 0.05), (0.5, 0.0)])
def test_bad_shares_are_refused(share, period):
    with pytest.raises(ValueError):
        CpuShare(1, share, period)
