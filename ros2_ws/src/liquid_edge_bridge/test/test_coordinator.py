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

"""The bridge's coordinator on a fake clock: frames in, Detect calls and publications out."""
from liquid_edge_bridge.coordinator import BridgeCoordinator, capture_time, CoordinatorConfig
from liquid_edge_bridge.detections import DetectResult, EdgeAnswer, Outcome
from liquid_edge_bridge.edge_selector import EdgeHealth, SelectionPolicy
from liquid_edge_bridge.encoding_controller import EncodingController, EncodingProfile
from liquid_edge_bridge.link_adaptation import LinkAdaptation
from liquid_edge_bridge.local_standby import StandbyConfig
import pytest

POLICY = SelectionPolicy(window_s=3.0, min_samples=3, max_missed_deadlines=2,
                         switch_hold_s=1.0, failure_cooldown_s=2.0, warmup_samples=0)
STANDBY = StandbyConfig(latency_budget_s=0.15, enter_after_s=0.5, leave_after_answers=3)


class Clock:
    """A fake monotonic clock the test moves on."""

    def __init__(self):
        self.now = 0.0

    def advance(self, seconds: float) -> float:
        self.now += seconds
        return self.now


def coordinator(remote=('edge-a', 'edge-b'), local=None, max_in_flight=2,
                probe_period_s=0.0, now=0.0):
    edges = list(remote) + ([local] if local else [])
    return BridgeCoordinator(CoordinatorConfig(
        remote_edges=remote, policy=POLICY, standby=STANDBY, local_edge=local,
        local_max_fps=5.0, max_in_flight=max_in_flight, probe_period_s=probe_period_s),
        LinkAdaptation(edges, None), now)


def serving(coord, *edges, now=0.0):
    for edge in edges:
        coord.on_health(edge, EdgeHealth.SERVING, '', now)


def answer(send, outcome=Outcome.OK, site=None, error=''):
    body = EdgeAnswer(request_id=send.request_id, detections=(), image_width=640,
                      image_height=480, edge_site=site or send.edge, edge_color='#00c853',
                      edge_total_ms=5.0, partial=False) if outcome is Outcome.OK else None
    return DetectResult(send.edge, send.request_id, outcome, answer=body, error=error,
                        response_bytes=100)


def test_no_edge_serving_sends_nothing_and_counts_the_frame():
    coord = coordinator()
    first = coord.start(0.0).active
    assert first.serving is None and not first.changed
    decision = coord.on_frame('f1', 1000, 0.1)
    assert decision.sends == [] and decision.active is None
    assert coord.counters.frames_without_edge == 1


def test_health_serving_makes_the_preferred_edge_active_and_says_so_once():
    coord = coordinator()
    decision = coord.on_health('edge-b', EdgeHealth.SERVING, '', 0.0)
    assert decision.health_changed is EdgeHealth.SERVING
    assert decision.active is None   # edge-a, preferred, has not answered yet
    decision = coord.on_health('edge-a', EdgeHealth.SERVING, '', 0.1)
    assert decision.active.serving == 'edge-a' and decision.active.changed
    assert decision.active.previous is None
    again = coord.on_health('edge-a', EdgeHealth.SERVING, '', 0.2)
    assert again.health_changed is None and again.active is None


def test_frames_go_to_the_active_edge_and_answers_are_published_newest_first():
    clock = Clock()
    coord = coordinator()
    serving(coord, 'edge-a', 'edge-b')
    first = coord.on_frame('f1', 1000, clock.advance(0.05)).sends
    second = coord.on_frame('f2', 1000, clock.advance(0.05)).sends
    assert [(s.edge, s.frame) for s in first + second] == [('edge-a', 'f1'), ('edge-a', 'f2')]
    late = coord.on_result(answer(second[0]), clock.advance(0.02))
    assert late.publish.frame == 'f2' and abs(late.publish.round_trip_s - 0.02) < 1e-9
    stale = coord.on_result(answer(first[0]), clock.advance(0.01))
    assert stale.publish is None and coord.pipeline.results_dropped == 1
    assert coord.published.rate(clock.now) > 0.0


def test_a_frame_waits_for_a_free_slot_and_is_sent_when_one_frees():
    coord = coordinator(max_in_flight=1)
    serving(coord, 'edge-a')
    sent = coord.on_frame('f1', 1000, 0.1).sends
    assert coord.on_frame('f2', 1000, 0.2).sends == []
    decision = coord.on_result(answer(sent[0]), 0.25)
    assert decision.publish.frame == 'f1'
    assert [(s.edge, s.frame) for s in decision.sends] == [('edge-a', 'f2')]


def test_a_failed_request_is_resent_to_the_edge_failed_over_to():
    coord = coordinator(max_in_flight=1)
    serving(coord, 'edge-a', 'edge-b')
    sent = coord.on_frame('f1', 1000, 0.1).sends[0]
    decision = coord.on_result(answer(sent, Outcome.ERROR, error='UNAVAILABLE: gone'), 0.2)
    assert decision.failure.edge == 'edge-a' and not decision.failure.local
    assert decision.active.serving == 'edge-b'
    assert [(s.edge, s.frame) for s in decision.sends] == [('edge-b', 'f1')]
    assert coord.counters.failed_requests == 1


def test_requests_to_an_edge_that_stops_serving_are_abandoned_and_the_frame_resent():
    coord = coordinator()
    serving(coord, 'edge-a', 'edge-b')
    sent = coord.on_frame('f1', 1000, 0.1).sends[0]
    decision = coord.on_health('edge-a', EdgeHealth.NOT_SERVING, 'draining', 0.2)
    assert decision.active.serving == 'edge-b'
    assert [(s.edge, s.frame) for s in decision.sends] == [('edge-b', 'f1')]
    assert coord.on_result(answer(sent), 0.3).publish is None  # abandoned: ignored
    assert coord.pipeline.in_flight == 1


def test_missed_deadlines_fail_the_edge_over():
    coord = coordinator(max_in_flight=1)
    serving(coord, 'edge-a', 'edge-b')
    first = coord.on_frame('f1', 1000, 0.1).sends[0]
    decision = coord.on_result(answer(first, Outcome.DEADLINE), 0.6)
    assert decision.failure is None and decision.active is None  # one miss is tolerated
    second = coord.on_frame('f2', 1000, 0.7).sends[0]
    assert second.edge == 'edge-a'
    decision = coord.on_result(answer(second, Outcome.DEADLINE), 1.2)
    assert decision.active.serving == 'edge-b'


def test_probes_go_to_standby_edges_once_per_period_and_measure_them():
    clock = Clock()
    coord = coordinator(probe_period_s=0.5)
    serving(coord, 'edge-a', 'edge-b')
    sends = coord.on_frame('f1', 1000, clock.advance(0.1)).sends
    assert [(s.edge, s.request_id.startswith('probe-')) for s in sends] == [
        ('edge-a', False), ('edge-b', True)]
    assert len(coord.on_frame('f2', 1000, clock.advance(0.1)).sends) == 1  # not due yet
    coord.on_result(answer(sends[1]), clock.advance(0.02))
    assert coord.selector.report(clock.now)[1].samples == 1
    probes = [send for send in coord.on_frame('f3', 1000, clock.advance(0.5)).sends
              if send.request_id.startswith('probe-')]
    assert [probe.edge for probe in probes] == ['edge-b']


def test_a_failed_probe_to_the_active_edge_frees_its_requests():
    coord = coordinator(probe_period_s=0.5)
    serving(coord, 'edge-a', 'edge-b')
    request, probe = coord.on_frame('f1', 1000, 0.1).sends
    # edge-a fails, edge-b (probed) becomes active, then its probe fails too.
    coord.on_result(answer(request, Outcome.ERROR, error='boom'), 0.15)
    retry = coord.on_frame('f2', 1000, 0.2).sends[0]
    assert retry.edge == 'edge-b'
    decision = coord.on_result(answer(probe, Outcome.ERROR, error='boom'), 0.25)
    assert decision.active.serving is None
    assert coord.pipeline.in_flight == 0


def test_an_edge_answering_as_another_site_is_said_once():
    coord = coordinator()
    serving(coord, 'edge-a')
    for frame, expected in (('f1', ('edge-a', 'edge-b')), ('f2', None)):
        sent = coord.on_frame(frame, 1000, 0.1).sends[0]
        assert coord.on_result(answer(sent, site='edge-b'), 0.2).misnamed == expected


def test_the_local_standby_serves_while_no_remote_edge_answers_within_the_budget():
    clock = Clock()
    coord = coordinator(remote=('edge-a',), local='local')
    serving(coord, 'local')
    assert coord.serving == 'local' and coord.standby.on_local
    decision = coord.on_health('edge-a', EdgeHealth.SERVING, '', clock.advance(0.1))
    assert decision.active is None  # the remote edge has not answered in time yet
    # The local edge's frame-rate cap (5 fps) drops frames in between.
    assert coord.on_frame('f1', 1000, clock.advance(0.1)).sends[0].edge == 'local'
    assert coord.on_frame('f2', 1000, clock.advance(0.1)).sends == []
    assert coord.counters.frames_capped == 1
    assert coord.serving_latency(clock.now) is None


def test_the_remote_edge_takes_back_over_after_answers_in_time():
    clock = Clock()
    coord = coordinator(remote=('edge-a',), local='local', probe_period_s=0.1)
    serving(coord, 'local', 'edge-a')
    published = []
    for index in range(6):
        decision = coord.on_frame(f'f{index}', 1000, clock.advance(0.21))
        for send in decision.sends:
            result = coord.on_result(answer(send), clock.advance(0.01))
            if result.active is not None:
                published.append(result.active)
    assert published and published[-1].serving == 'edge-a' and not published[-1].on_local
    assert coord.serving == 'edge-a'


def test_the_local_edge_failing_is_reported_as_local():
    coord = coordinator(remote=('edge-a',), local='local')
    serving(coord, 'local')
    sent = coord.on_frame('f1', 1000, 0.1).sends[0]
    decision = coord.on_result(answer(sent, Outcome.ERROR, error='overloaded'), 0.2)
    assert decision.failure.local and decision.failure.error == 'overloaded'
    assert coord.counters.failed_requests == 1


def test_a_degrading_link_fails_its_edges_over():
    coord = coordinator()
    serving(coord, 'edge-a', 'edge-b')
    decision = coord.on_link_degraded(['edge-a'], 'signal -80 dBm', 0.5)
    assert decision.active.serving == 'edge-b'
    assert 'link signal -80 dBm' in coord.selector.report(0.5)[0].last_error


def test_tick_refreshes_edge_active_even_without_a_change():
    coord = coordinator()
    serving(coord, 'edge-a')
    refresh = coord.on_tick(1.0).active
    assert refresh.serving == 'edge-a' and not refresh.changed


def test_unreachable_reason_names_every_edge():
    coord = coordinator(local='local')
    coord.on_health('edge-a', EdgeHealth.UNREACHABLE, 'connection refused', 0.0)
    assert coord.unreachable_reason(0.0) == (
        'edge-a: connection refused; edge-b: unknown; local (local): not watched yet')


def test_forgotten_requests_free_their_slots_and_their_answers_are_ignored():
    coord = coordinator(max_in_flight=1)
    serving(coord, 'edge-a')
    sent = coord.on_frame('f1', 1000, 0.1).sends[0]
    coord.on_frame('f2', 1000, 0.15)   # pending
    coord.forget_requests()
    assert coord.pipeline.in_flight == 0 and not coord.pipeline.has_pending
    assert coord.on_result(answer(sent), 0.2).publish is None
    assert coord.on_frame('f3', 1000, 0.3).sends[0].frame == 'f3'


def test_an_answer_showing_a_changed_link_asks_for_the_encoding_at_once():
    clock = Clock()
    coord = coordinator()
    serving(coord, 'edge-a', 'edge-b')
    decisions = []
    for index in range(12):   # 15 ms of network, then 220 ms: the link changed
        send = coord.on_frame(f'f{index}', 80_000, clock.advance(0.067)).sends[0]
        network = 0.015 if index < 11 else 0.220
        decisions.append(coord.on_result(answer(send), clock.advance(0.005 + network)))
    assert [d.encoding is not None for d in decisions] == [False] * 11 + [True]


def test_a_frame_captured_before_the_link_dropped_goes_out_re_encoded():
    profile = EncodingProfile.from_dict({'points': [
        {'width': 640, 'height': 480, 'quality': q, 'bytes_mean': b, 'bytes_p95': b,
         'recall': r} for q, b, r in ((95, 80_000, 0.8), (50, 20_000, 0.75), (20, 9_000, 0.7))]})
    links = LinkAdaptation(['edge-a'], EncodingController(profile))
    coord = BridgeCoordinator(CoordinatorConfig(
        remote_edges=('edge-a',), policy=POLICY, standby=STANDBY, max_in_flight=1),
        links, 0.0)
    serving(coord, 'edge-a')
    clock = Clock()
    for index in range(11):   # 15 ms of network
        captured = clock.advance(0.067)
        send = coord.on_frame(f'f{index}', 80_000, captured, captured).sends[0]
        assert send.encoding is None
        coord.on_result(answer(send), clock.advance(0.020))
    captured = clock.advance(0.067)
    send = coord.on_frame('f11', 80_000, captured, captured).sends[0]
    # The next frame, taken while that one is out, waits for the free slot ...
    waiting = clock.advance(0.067)
    assert coord.on_frame('w', 80_000, waiting, waiting).sends == []
    # ... and the answer shows that the link dropped (220 ms of network).
    decision = coord.on_result(answer(send), clock.advance(0.160))
    assert decision.encoding.changed and decision.encoding.settings.quality < 95
    pending = decision.sends[0]
    assert pending.frame == 'w' and pending.encoding.quality < 95
    assert pending.encoding.width == 640
    coord.on_encoded(pending.request_id, 9_000)
    coord.on_result(answer(pending), clock.advance(0.090))
    # Measured at the bytes it had on the link: 9 kB beside the 80 kB of the slow answer.
    assert links.estimate('edge-a', clock.now).sizes_vary
    # Frames taken under the new settings go out as they are.
    taken = clock.advance(0.067)
    assert coord.on_frame('g0', 9_000, taken, taken).sends[0].encoding is None


def test_the_capture_time_comes_from_the_camera_stamp_when_it_is_plausible():
    wall_ns = 1_000_000_000_000
    assert capture_time(wall_ns - 50_000_000, wall_ns, 10.0) == pytest.approx(9.95)
    assert capture_time(wall_ns + 5_000_000, wall_ns, 10.0) == 10.0   # a little ahead: now
    assert capture_time(0, wall_ns, 10.0) is None                     # no stamp
    assert capture_time(wall_ns - 2_000_000_000, wall_ns, 10.0) is None


def test_the_encoding_follows_the_serving_edge():
    coord = coordinator()
    assert not coord.on_encoding_tick(0.0).changed


def test_probes_from_the_local_standby_carry_the_remote_link_settings():
    profile = EncodingProfile.from_dict({'points': [
        {'width': 640, 'height': 480, 'quality': 95, 'bytes_mean': 80_000,
         'bytes_p95': 85_000, 'recall': 0.8},
        {'width': 320, 'height': 240, 'quality': 50, 'bytes_mean': 5_000, 'bytes_p95': 5_500,
         'recall': 0.4}]})
    links = LinkAdaptation(['edge-a', 'local'], EncodingController(profile))
    coord = BridgeCoordinator(CoordinatorConfig(
        remote_edges=('edge-a',), policy=POLICY, standby=STANDBY, local_edge='local',
        local_max_fps=5.0, probe_period_s=0.1), links, 0.0)
    serving(coord, 'local', 'edge-a')
    clock = Clock()
    for index in range(10):   # edge-a at 1 Mbit/s: only its small frames come back in time
        size = 80_000 if index % 2 else 5_000
        links.record_answer('edge-a', clock.advance(0.05), size, 0, 0.015 + size / 125_000,
                            0.010)
    coord.on_frame('f0', 80_000, clock.advance(0.21))   # no answer in time: on local
    assert coord.on_encoding_tick(clock.now).settings.width == 640
    sends = coord.on_frame('f1', 80_000, clock.advance(0.21)).sends
    assert [(send.edge, send.encoding) for send in sends] == [
        ('local', None), ('edge-a', links.probe_settings)]
    assert links.probe_settings.width == 320
    probe = sends[1]
    coord.on_encoded(probe.request_id, 5_000)
    # 5 ms on the edge, 5 ms of network, 40 ms for 5 kB at 1 Mbit/s: on the measured line.
    coord.on_result(answer(probe), clock.advance(0.050))
    # Measured at the size the probe had on the link (80 kB would not fit that line).
    estimate = links.estimate('edge-a', clock.now)
    assert estimate.answers == 11
    assert estimate.goodput_bytes_per_s == pytest.approx(125_000, rel=0.01)


def test_probes_lost_from_the_local_standby_do_not_count_against_the_link():
    links = LinkAdaptation(['edge-a', 'local'], None)
    coord = BridgeCoordinator(CoordinatorConfig(
        remote_edges=('edge-a',), policy=POLICY, standby=STANDBY, local_edge='local',
        local_max_fps=5.0, probe_period_s=0.1), links, 0.0)
    serving(coord, 'local', 'edge-a')
    clock = Clock()
    coord.on_frame('f0', 1000, clock.advance(0.6))   # no remote answer in time: on local
    assert coord.standby.on_local
    probe = [s for s in coord.on_frame('f1', 1000, clock.advance(0.21)).sends
             if s.edge == 'edge-a'][0]
    coord.on_result(answer(probe, Outcome.DEADLINE), clock.advance(0.5))
    # The standby counts it (edge-a is not back), the encoding's link estimate does not.
    assert links.estimate('edge-a', clock.now).calls == 0
    assert coord.standby.on_local
