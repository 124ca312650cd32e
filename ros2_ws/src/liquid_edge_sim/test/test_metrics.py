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

from liquid_edge_sim.metrics import (DetectionSample, EdgeSample, followed_person,
                                     following_fraction, format_summary, identity_figures,
                                     led_agreement, LedSample, OutageEvent, people_in_frame,
                                     percentile, StateSample, status_line, stop_time, summarize,
                                     time_to_acquire, Timeline, timeline_rows, TruthSample,
                                     VelocitySample, visible_part)
import pytest

ASTRONAUT_BOX = (300.0, 200.0, 150.0, 200.0)
DISTRACTOR_BOX = (500.0, 250.0, 60.0, 80.0)


def states(*spans):
    """State samples every 0.1 s: spans of (name, start, end)."""
    samples = []
    for name, start, end in spans:
        t = start
        while t < end - 1e-9:
            samples.append(StateSample(round(t, 3), name, 0.0, 0.0))
            t += 0.1
    return samples


def test_time_to_acquire_is_the_first_follow():
    timeline = Timeline(states=states(('wakeup', 0, 2), ('search', 2, 3.5), ('follow', 3.5, 5)))
    assert time_to_acquire(timeline) == pytest.approx(3.5)
    assert time_to_acquire(Timeline(states=states(('wakeup', 0, 2)))) is None


def test_following_fraction_counts_time_after_acquisition_until_end():
    timeline = Timeline(states=states(('wakeup', 0, 1), ('follow', 1, 5), ('search', 5, 6),
                                      ('follow', 6, 11), ('idle', 11, 20)))
    # From 1 s to 11 s: 9 s of follow out of 10; samples after `end` are ignored.
    assert following_fraction(timeline, 11.0) == pytest.approx(0.9, abs=0.02)
    assert following_fraction(timeline, 1.0) is None


def test_visible_part_is_cut_at_the_frame():
    assert visible_part((50.0, 240.0, 200.0, 100.0), (640, 480)) == (
        pytest.approx((75.0, 240.0, 150.0, 100.0)), pytest.approx(0.75))
    assert visible_part((-200.0, 240.0, 100.0, 100.0), (640, 480)) == (None, 0.0)


def test_followed_person_is_the_one_under_the_box():
    truth = TruthSample(0.0, 1, {'astronaut': ASTRONAUT_BOX, 'distractor': DISTRACTOR_BOX})
    assert followed_person((305.0, 190.0, 140.0, 190.0), truth, (640, 480)) == 'astronaut'
    # A partial detection of the astronaut (her head) is still her.
    assert followed_person((300.0, 130.0, 40.0, 50.0), truth, (640, 480)) == 'astronaut'
    assert followed_person((498.0, 252.0, 58.0, 82.0), truth, (640, 480)) == 'distractor'
    assert followed_person((100.0, 100.0, 20.0, 20.0), truth, (640, 480)) is None


def test_people_in_frame_counts_the_frame_edge_and_nearer_people():
    truth = TruthSample(0.0, 1, {'astronaut': (300.0, 240.0, 100.0, 200.0),
                                 'distractor': (300.0, 240.0, 200.0, 400.0),
                                 'far': (-40.0, 240.0, 100.0, 100.0)},
                        {'astronaut': 3.0, 'distractor': 1.5, 'far': 5.0})
    people = {p['id']: p for p in people_in_frame(truth, (640, 480))}
    assert people['astronaut'] == {'id': 'astronaut', 'box': None, 'visible': 0.0}
    assert people['distractor']['visible'] == pytest.approx(1.0)
    assert people['distractor']['box'] == pytest.approx([200.0, 40.0, 200.0, 400.0])
    assert people['far']['visible'] == pytest.approx(0.1, abs=0.03)


def run(target_visible, followed, step=0.1):
    """
    Return the identity figures of a made-up run, one character per 0.1 s step.

    `target_visible`: '1' in view, '0' not; `followed`: 't' target, 'd' distractor,
    '-' nobody (in follow), 's' searching.
    """
    target_in = (300.0, 240.0, 100.0, 200.0)
    target_out = (-300.0, 240.0, 100.0, 200.0)
    distractor = (520.0, 240.0, 60.0, 120.0)
    truths, detections, samples = [], [], []
    for i, (visible, who) in enumerate(zip(target_visible, followed)):
        t = i * step
        truths.append(TruthSample(t, i, {'astronaut': target_in if visible == '1' else target_out,
                                         'distractor': distractor}))
        detections.append(DetectionSample(t + 0.01, i, 2))
        box = {'t': target_in, 'd': distractor}.get(who)
        samples.append(StateSample(t + 0.02, 'search' if who == 's' else 'follow', 0.0, 0.0,
                                   box))
    timeline = Timeline(truths=truths, detections=detections, states=samples)
    end = len(followed) * step
    return identity_figures(timeline_rows(timeline, end), end)


def test_wrong_person_counts_whether_or_not_the_target_is_in_view():
    # The issue's run: the target leaves, the robot follows the distractor for the rest.
    figures = run('1111100000', 'tttttddddd')
    assert figures.wrong_person_s == pytest.approx(0.5, abs=0.03)
    assert figures.on_target == pytest.approx(1.0)


def test_on_target_is_over_the_time_the_target_is_in_view_after_acquisition():
    figures = run('1111111111', 'ssttttdddd')
    assert figures.on_target == pytest.approx(0.5, abs=0.03)   # 4 of 8 in-view steps
    assert figures.wrong_person_s == pytest.approx(0.4, abs=0.03)


def test_reacquire_is_from_her_return_into_view_to_following_her():
    figures = run('1110000111111', 'ttt' + 'ssss' + 'sss' + 'ttt')
    assert figures.reacquire_s == pytest.approx(0.3, abs=0.03)
    assert figures.reacquisitions == 1
    # Never re-acquired: counted until the end of the run.
    assert run('1100111', 'ttssddd').reacquire_s == pytest.approx(0.3, abs=0.03)
    assert run('1111', 'tttt').reacquire_s is None
    # Re-acquired as she comes back into view: a return, waited for 0 s.
    figures = run('11000111', 'tt' + 'sss' + 'ttt')
    assert figures.reacquire_s == pytest.approx(0.0) and figures.reacquisitions == 1


def test_timeline_rows_carry_the_issue_fields():
    truths = [TruthSample(0.0, 10, {'astronaut': ASTRONAUT_BOX}, {'astronaut': 2.0})]
    timeline = Timeline(truths=truths, detections=[DetectionSample(0.1, 10, 1)],
                        edges=[EdgeSample(0.0, 'edge-a', True)],
                        capture_latencies=[(0.1, 0.25)],
                        states=[StateSample(0.2, 'follow', 0.0, 0.0, ASTRONAUT_BOX,
                                            'person-3', 0.9)])
    row = timeline_rows(timeline)[0]
    assert row['t'] == 0.2 and row['state'] == 'follow'
    assert row['target_box'] == [225.0, 100.0, 150.0, 200.0]
    assert row['target_id'] == 'astronaut' and row['followed'] == 'astronaut'
    assert row['track_id'] == 'person-3' and row['match_score'] == 0.9
    assert row['people'] == [{'id': 'astronaut', 'box': [224.0, 100.0, 152.0, 200.0],
                              'visible': 1.0}]
    assert row['edge'] == 'edge-a' and row['latency_ms'] == 250.0


def test_led_agreement_matches_effects_to_states_nearby():
    timeline = Timeline(
        states=states(('wakeup', 0, 2), ('follow', 2, 4), ('idle', 4, 6)),
        leds=[LedSample(0.0, 3, 0.5),    # wakeup: 1 Hz flash
              LedSample(2.05, 1, 1.0),   # follow: solid
              LedSample(1.9, 1, 1.0),    # follow command just before its state message
              LedSample(5.0, 3, 0.1)])   # search flash while idle: wrong
    assert led_agreement(timeline) == pytest.approx(0.75)
    assert led_agreement(Timeline()) is None


def test_failover_time_is_until_detections_from_another_edge():
    timeline = Timeline(
        edges=[EdgeSample(0.0, 'a', True), EdgeSample(10.4, 'b', True)],
        detections=[DetectionSample(t, 0, 1) for t in (9.0, 9.9, 10.2, 10.6, 11.0)],
        outages=[OutageEvent(10.0, ('a',))])
    summary = summarize(timeline, 12.0)
    assert summary.failover_s == pytest.approx(0.6)
    assert summarize(Timeline(), 1.0).failover_s is None


def test_stop_time_waits_for_the_last_moving_command():
    timeline = Timeline(
        velocities=[VelocitySample(19.0, 0.3, 0.1), VelocitySample(20.5, 0.2, 0.0),
                    VelocitySample(21.2, 0.0, 0.0)],
        outages=[OutageEvent(10.0, ('a',)), OutageEvent(20.0, ('a', 'b'))])
    assert stop_time(timeline, ('a', 'b')) == pytest.approx(1.2)
    timeline.velocities.append(VelocitySample(22.0, 0.0, 0.5))
    assert stop_time(timeline, ('a', 'b')) is None
    assert stop_time(timeline, ('a', 'c')) is None


def test_percentile_is_nearest_rank():
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([], 0.5) is None


def test_summary_of_a_run():
    timeline = Timeline(
        states=states(('wakeup', 0, 1), ('follow', 1, 10)),
        truths=[TruthSample(t, int(t * 10), {'astronaut': (320.0 + 10.0 * t, 200.0, 100, 200)})
                for t in (0.5, 2.0, 4.0, 8.0, 9.5)],
        capture_latencies=[(t, 0.1 * t) for t in range(1, 11)],
        detections=[DetectionSample(0.1 * i, i, 1) for i in range(50)])
    summary = summarize(timeline, 10.0, band=0.1)
    assert summary.time_to_acquire_s == pytest.approx(1.0)
    # Frames while following: t = 2, 4, 8, 9.5 → errors 20, 40, 80, 95 px of 640.
    assert summary.mean_abs_horizontal_error == pytest.approx((20 + 40 + 80 + 95) / 4 / 640)
    assert summary.within_band_fraction == pytest.approx(0.5)
    assert summary.detection_fps == pytest.approx(5.0)
    assert summary.latency_p50_s == pytest.approx(0.5)
    assert 'time to acquire         1.00 s' in format_summary(summary)
    assert summary.as_dict()['detection_frames'] == 50


def test_status_line_tells_state_edge_rate_latency_error():
    timeline = Timeline(
        states=[StateSample(4.9, 'follow', 0.12, 0.0)],
        edges=[EdgeSample(0.0, 'edge-a', True)],
        capture_latencies=[(4.8, 0.087)],
        detections=[DetectionSample(3.05 + 0.1 * i, i, 1) for i in range(20)])
    line = status_line(timeline, 5.0)
    assert 'state=follow' in line and 'edge=edge-a' in line
    assert 'fps=10.0' in line and '87 ms' in line and '+0.12' in line
    assert 'state=-' in status_line(Timeline(), 0.0)
