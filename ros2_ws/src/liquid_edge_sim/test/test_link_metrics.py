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

"""Per link phase figures and the timeline rows' link fields, from a hand-made timeline."""
from dataclasses import replace

from liquid_edge_sim.link_metrics import (format_phases, link_fields, link_phase_at,
                                          phase_figures, time_on_local)
from liquid_edge_sim.metrics import (CaptureSample, DetectionSample, FrameSample, StateSample,
                                     Timeline, timeline_rows, TruthSample, VelocitySample)
import pytest

TARGET_BOX = (320.0, 240.0, 100.0, 200.0)


def timeline():
    """Ten seconds: phase fast 0-5 s, phase outage 5-10 s; on the local edge from 6 s."""
    line = Timeline(target_id='a', link_phases=((0.0, 'fast'), (5.0, 'outage')))
    for i in range(100):
        t = 0.1 * i
        stamp = 1000 + i
        line.truths.append(TruthSample(t, stamp, {'a': TARGET_BOX}))
        line.detections.append(DetectionSample(t + 0.05, stamp, 1))
        line.states.append(StateSample(t + 0.06, 'follow', 0.0, 0.0, TARGET_BOX,
                                       local_standby=t >= 6.0,
                                       linear_x=0.6 if t < 6.0 else -0.3))
        line.frames.append(FrameSample(t, stamp, 50_000 if t < 5.0 else 10_000))
        line.capture_latencies.append((t + 0.05, 0.05 if t < 5.0 else 0.25))
        line.velocities.append(VelocitySample(t, 0.6 if t < 6.0 else 0.3, 0.0))
    line.capture_settings.extend([CaptureSample(0.0, 95, 640, 480, 15.0),
                                  CaptureSample(5.0, 50, 320, 240, 5.0)])
    line.standby.extend([(0.0, False), (6.0, True)])
    return line


def test_each_phase_covers_its_own_window():
    line = timeline()
    rows = link_fields(line, timeline_rows(line, 10.0))
    fast, outage = phase_figures(line, rows, 10.0)
    assert (fast.name, fast.start_s, fast.end_s) == ('fast', 0.0, 5.0)
    assert (outage.name, outage.start_s, outage.end_s) == ('outage', 5.0, 10.0)
    assert fast.latency_p95_s == pytest.approx(0.05)
    assert outage.latency_p50_s == pytest.approx(0.25)
    assert fast.bytes_per_frame == 50_000 and outage.bytes_per_frame == 10_000
    assert fast.detections_per_s == pytest.approx(10.0)
    assert fast.local_s == 0.0 and outage.local_s == pytest.approx(4.0)
    assert fast.max_speed_on_local_mps is None
    assert outage.max_speed_on_local_mps == pytest.approx(0.3)
    assert fast.on_target == pytest.approx(1.0) and outage.on_target == pytest.approx(1.0)
    assert 'outage' in format_phases([fast.as_dict(), outage.as_dict()])


def test_the_speed_on_local_is_that_of_ticks_that_knew_of_the_standby():
    line = timeline()
    # The tick that ran just after the switch at 6 s, before the follow node heard of it:
    # edge/active says local, the tick's full-speed command does not count.
    late_tick = StateSample(6.01, 'follow', 0.0, 0.0, TARGET_BOX, linear_x=0.6)
    line.states.insert(next(i for i, state in enumerate(line.states) if state.t > 6.01),
                       late_tick)
    outage = phase_figures(line, link_fields(line, timeline_rows(line, 10.0)), 10.0)[1]
    assert outage.max_speed_on_local_mps == pytest.approx(0.3)
    line.states[-1] = replace(line.states[-1], linear_x=0.45)
    outage = phase_figures(line, link_fields(line, timeline_rows(line, 10.0)), 10.0)[1]
    assert outage.max_speed_on_local_mps == pytest.approx(0.45)


def test_rows_gain_the_link_fields():
    line = timeline()
    rows = link_fields(line, timeline_rows(line, 10.0))
    early = next(row for row in rows if row['t'] > 1.0)
    late = rows[-1]
    assert (early['jpeg_bytes'], early['quality'], early['width']) == (50_000, 95, 640)
    assert (early['link_phase'], early['on_local']) == ('fast', False)
    assert (late['jpeg_bytes'], late['quality'], late['width']) == (10_000, 50, 320)
    assert (late['link_phase'], late['on_local']) == ('outage', True)


def test_time_on_local_counts_only_the_window():
    line = timeline()
    assert time_on_local(line, 0.0, 10.0) == pytest.approx(4.0)
    assert time_on_local(line, 7.0, 8.0) == pytest.approx(1.0)
    assert time_on_local(line, 0.0, 6.0) == 0.0


def test_without_a_link_there_is_no_phase():
    line = Timeline()
    assert link_phase_at(line, 3.0) is None
    assert phase_figures(line, [], 10.0) == []
