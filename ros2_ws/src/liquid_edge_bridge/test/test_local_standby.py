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

from liquid_edge_bridge.local_standby import (FrameRateCap, LocalStandby, pi4_yolo_frame_rate,
                                              StandbyConfig)
import pytest

CONFIG = StandbyConfig(latency_budget_s=0.15, enter_after_s=0.5, leave_after_answers=3)


def test_remote_edges_serve_while_they_answer_within_the_budget():
    standby = LocalStandby('local', CONFIG)
    for step in range(20):
        now = step * 0.1
        standby.record_remote_answer(now, 0.05)
        assert standby.serving(now, 'edge-a') == 'edge-a'
    assert standby.time_on_local(2.0) == 0.0


def test_slow_answers_for_longer_than_enter_after_bring_the_local_edge():
    standby = LocalStandby('local', CONFIG)
    standby.record_remote_answer(0.0, 0.05)
    standby.record_remote_answer(0.2, 0.40)  # over the budget
    assert standby.serving(0.4, 'edge-a') == 'edge-a'
    standby.record_remote_answer(0.45, 0.40)
    assert standby.serving(0.5, 'edge-a') == 'local'
    assert standby.on_local


def test_a_changed_link_gives_the_remote_edge_time_to_answer_at_the_new_setting():
    standby = LocalStandby('local', CONFIG)
    standby.record_remote_answer(0.0, 0.05)
    standby.record_remote_answer(0.2, 0.30)   # the link changed: frames re-sized now
    standby.record_link_change(0.2)
    standby.record_remote_answer(0.4, 0.40)   # sent before the change
    assert standby.serving(0.6, 'edge-a') == 'edge-a'
    standby.record_remote_answer(0.65, 0.12)  # the new setting answers in time
    assert standby.serving(1.0, 'edge-a') == 'edge-a'
    # Without answers in time the local edge takes over, enter_after_s after the change.
    standby.record_remote_answer(1.1, 0.40)
    assert standby.serving(1.2, 'edge-a') == 'local'


def test_a_remote_edge_over_budget_but_faster_than_the_local_one_keeps_the_frames():
    standby = LocalStandby('local', StandbyConfig(latency_budget_s=0.15, enter_after_s=0.5,
                                                  local_answer_s=0.26))
    for step in range(20):
        now = step * 0.1
        standby.record_remote_answer(now, 0.20)
        assert standby.serving(now, 'edge-a') == 'edge-a'
    standby.record_remote_answer(2.0, 0.30)  # slower than the local edge from here on
    standby.record_remote_answer(2.3, 0.30)
    assert standby.serving(2.5, 'edge-a') == 'local'


def test_no_eligible_remote_edge_means_local_at_once():
    standby = LocalStandby('local', CONFIG)
    assert standby.serving(0.01, None) == 'local'


def test_local_is_left_after_enough_good_remote_answers_in_a_row():
    standby = LocalStandby('local', CONFIG)
    assert standby.serving(0.0, None) == 'local'
    standby.record_remote_answer(1.0, 0.05)
    standby.record_remote_answer(1.1, 0.05)
    standby.record_remote_failure(1.2)  # the streak starts again
    standby.record_remote_answer(1.3, 0.05)
    standby.record_remote_answer(1.4, 0.05)
    assert standby.serving(1.45, 'edge-b') == 'local'
    standby.record_remote_answer(1.5, 0.05)
    assert standby.serving(1.55, 'edge-b') == 'edge-b'
    assert standby.time_on_local(2.0) == pytest.approx(1.55)
    # Back on the remote edge, the budget clock restarts: no immediate return to local.
    assert standby.serving(1.9, 'edge-b') == 'edge-b'


def test_good_answers_do_not_leave_local_while_no_remote_edge_is_eligible():
    standby = LocalStandby('local', CONFIG)
    standby.serving(0.0, None)
    for step in range(5):
        standby.record_remote_answer(0.1 * step, 0.01)
    assert standby.serving(1.0, None) == 'local'


def test_an_unavailable_local_edge_is_not_used():
    standby = LocalStandby('local', CONFIG)
    assert standby.serving(1.0, None, local_available=False) is None
    assert standby.serving(1.1, None) == 'local'
    assert standby.serving(1.2, 'edge-a', local_available=False) == 'edge-a'
    assert standby.time_on_local(5.0) == pytest.approx(0.1)


def test_pi4_frame_rate_scales_with_the_input_area():
    assert pi4_yolo_frame_rate(416) == pytest.approx(2.3)
    assert pi4_yolo_frame_rate(320) == pytest.approx(3.89, abs=0.01)
    with pytest.raises(ValueError, match='multiple of 32'):
        pi4_yolo_frame_rate(300)


def test_frame_rate_cap_admits_one_frame_per_period():
    cap = FrameRateCap(4.0)
    admitted = [t / 15.0 for t in range(30) if cap.admit(t / 15.0)]
    assert len(admitted) == 8  # 2 s at 4 frames/s
    gaps = [b - a for a, b in zip(admitted, admitted[1:])]
    assert min(gaps) >= 0.25 - 1e-9


@pytest.mark.parametrize('kwargs', [{'latency_budget_s': 0.0}, {'enter_after_s': -1.0},
                                    {'leave_after_answers': 0}, {'local_answer_s': -0.1}])
def test_bad_standby_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        StandbyConfig(**kwargs)
    with pytest.raises(ValueError):
        FrameRateCap(0.0)
