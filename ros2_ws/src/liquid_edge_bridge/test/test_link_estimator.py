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

from liquid_edge_bridge.link_estimator import LinkEstimate, LinkEstimator
import pytest


def feed(estimator, start, calls, size, rtt, goodput, server=0.02, period=0.1):
    """Answer `calls` calls of `size` bytes over a link of round trip `rtt` and `goodput`."""
    t = start
    for _ in range(calls):
        estimator.record_answer(t, size, 200, rtt + (size + 200) / goodput + server, server)
        t += period
    return t


def test_round_trip_and_goodput_are_recovered_from_calls_of_several_sizes():
    estimator = LinkEstimator(window_s=5.0)
    t = 0.0
    for size in (2_000, 10_000, 40_000, 5_000, 20_000):
        t = feed(estimator, t, 4, size, rtt=0.030, goodput=500_000.0)
    estimate = estimator.estimate(t)
    assert estimate.calls == estimate.answers == 20
    assert estimate.rtt_s == pytest.approx(0.030)
    assert estimate.goodput_bytes_per_s == pytest.approx(500_000.0)
    assert estimate.rtt_p95_s == pytest.approx(0.030)
    assert estimate.server_p95_s == pytest.approx(0.02)
    assert estimate.loss_rate == 0.0
    assert estimate.transfer_s(50_000) == pytest.approx(0.1, rel=0.15)


def test_frames_of_one_size_cannot_tell_goodput_from_round_trip():
    estimator = LinkEstimator()
    feed(estimator, 0.0, 10, 30_000, rtt=0.002, goodput=1e6)
    estimate = estimator.estimate(1.0)
    assert estimate.goodput_bytes_per_s is None
    assert estimate.transfer_s(1_000_000) == 0.0
    # All of the network time is taken as round trip: nothing of it is lost from view.
    assert estimate.rtt_s == pytest.approx(0.002 + 30_200 / 1e6)
    # What the answers do prove: the bytes moved no slower than size over network time.
    assert estimate.goodput_floor_bytes_per_s == pytest.approx(30_200 / (0.002 + 30_200 / 1e6))
    assert estimate.goodput_floor_bytes_per_s < 1e6


def test_jitter_shows_in_the_round_trip_tail():
    estimator = LinkEstimator()
    t = 0.0
    for index in range(40):
        size = 10_000 + 1_000 * (index % 5)
        extra = 0.05 if index % 10 == 0 else 0.0  # a retransmission every tenth call
        estimator.record_answer(t, size, 0, 0.02 + size / 1e6 + extra, 0.0)
        t += 0.1
    estimate = estimator.estimate(t)
    assert estimate.rtt_p95_s >= 0.06
    assert estimate.rtt_s < 0.06


def test_a_loss_delays_big_frames_at_the_p95_and_small_ones_not():
    # 1 % of TCP segments lost on a 40 ms, 500 kB/s link: each loss costs a round trip.
    # 200 calls of 14 segments, 26 of them (13 %) hit; half the calls slightly bigger.
    estimator = LinkEstimator(window_s=60.0)
    rtt, goodput = 0.040, 500_000.0
    for index in range(200):
        size = 18_000 if index % 2 else 20_000
        delay = rtt if index % 200 < 26 else 0.001 * (index % 3)
        estimator.record_answer(index * 0.1, size, 0, rtt + size / goodput + delay, 0.0)
    estimate = estimator.estimate(20.0)
    assert estimate.delayed_segment_rate == pytest.approx(26 / (100 * 13 + 100 * 14))
    assert estimate.goodput_bytes_per_s == pytest.approx(goodput, rel=0.1)
    # At 19 kB 12 % of calls are hit: the p95 is a retransmission's round trip later.
    assert estimate.delay_p95_s(19_000) == pytest.approx(rtt, abs=0.003)
    # At 4 kB (3 segments) 2.7 % are: the p95 is the jitter of the others.
    assert estimate.delay_p95_s(4_000) <= 0.002
    assert estimate.network_p95_s(4_000) == pytest.approx(
        estimate.rtt_s + 4_000 / estimate.goodput_bytes_per_s + estimate.delay_p95_s(4_000))


def test_without_delays_the_p95_is_round_trip_and_transfer():
    estimator = LinkEstimator()
    t = 0.0
    for size in (2_000, 10_000, 40_000):
        t = feed(estimator, t, 4, size, rtt=0.030, goodput=500_000.0, server=0.0)
    estimate = estimator.estimate(t)
    assert estimate.delayed_segment_rate == 0.0 and not estimate.delayed_s
    assert estimate.network_p95_s(50_000) == pytest.approx(0.030 + 50_000 / 500_000.0,
                                                           rel=0.01)
    assert LinkEstimator().estimate(0.0).network_p95_s(1_000) is None


def test_an_answer_far_slower_than_the_window_says_cuts_it_there():
    # 5G (40 Mbit/s, 15 ms), then the first answer over 4 Mbit/s Wi-Fi with 40 ms.
    estimator = LinkEstimator(window_s=5.0)
    t = 0.0
    for size in (80_000, 86_000) * 10:
        assert not estimator.record_answer(t, size, 200, 0.015 + size / 5e6 + 0.03, 0.03)
        t += 0.067
    size = 85_000
    assert estimator.record_answer(t, size, 200, 0.040 + size / 5e5 + 0.03, 0.03)
    estimate = estimator.estimate(t)
    assert estimate.calls == estimate.answers == 1
    assert estimate.rtt_s == pytest.approx(0.040 + size / 5e5 + 200 / 5e5, rel=0.01)


def test_a_bigger_frame_than_any_is_no_change_while_goodput_is_unknown():
    estimator = LinkEstimator()
    for index in range(5):
        estimator.record_answer(index * 0.1, 5_000, 0, 0.015 + 5_000 / 125_000, 0.0)
    assert estimator.estimate(0.5).goodput_bytes_per_s is None
    # 80 kB take 0.64 s more at 1 Mbit/s: the bytes, not a changed link.
    assert not estimator.record_answer(0.5, 80_000, 0, 0.015 + 80_000 / 125_000, 0.0)
    assert estimator.estimate(0.5).answers == 6


def test_a_retransmission_on_a_lossy_link_is_no_change():
    estimator = LinkEstimator(window_s=5.0)
    t = 0.0
    for index in range(40):
        size = 18_000 if index % 2 else 20_000
        estimator.record_answer(t, size, 0, 0.040 + size / 5e5 + (0.04 if index % 8 == 0
                                                                  else 0.0), 0.0)
        t += 0.067
    # A tail loss: two round trips late, where the window's p95 has one.
    assert not estimator.record_answer(t, 19_000, 0, 0.040 + 19_000 / 5e5 + 0.08, 0.0)
    assert estimator.estimate(t).answers == 41


def test_losses_count_against_every_finished_call():
    estimator = LinkEstimator()
    t = feed(estimator, 0.0, 6, 10_000, rtt=0.01, goodput=1e6)
    estimator.record_failure(t)
    estimator.record_failure(t + 0.1)
    assert estimator.estimate(t + 0.1).loss_rate == pytest.approx(2 / 8)


def test_the_window_forgets_the_old_link():
    estimator = LinkEstimator(window_s=2.0)
    t = feed(estimator, 0.0, 10, 20_000, rtt=0.1, goodput=50_000.0)
    t = feed(estimator, t + 3.0, 10, 20_000, rtt=0.005, goodput=5e6)
    estimate = estimator.estimate(t)
    assert estimate.rtt_s < 0.01
    assert estimate.calls == 10


def test_only_failures_give_no_round_trip():
    estimator = LinkEstimator()
    estimator.record_failure(0.0)
    estimate = estimator.estimate(0.5)
    assert (estimate.answers, estimate.rtt_s, estimate.loss_rate) == (0, None, 1.0)
    assert estimator.estimate(100.0) == LinkEstimate(0, 0, None, None, None, None, 0.0, None)


def test_smoothed_round_trip_follows_tcp_gain():
    estimator = LinkEstimator(srtt_gain=0.5)
    estimator.record_answer(0.0, 0, 0, 0.1, 0.0)
    estimator.record_answer(0.1, 0, 0, 0.2, 0.0)
    assert estimator.estimate(0.1).srtt_s == pytest.approx(0.15)


@pytest.mark.parametrize('kwargs, message', [
    ({'window_s': 0.0}, 'window'), ({'min_size_spread': 0.0}, 'min_size_spread'),
    ({'srtt_gain': 1.5}, 'srtt_gain')])
def test_bad_settings_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        LinkEstimator(**kwargs)


def test_bad_samples_are_refused():
    estimator = LinkEstimator()
    with pytest.raises(ValueError, match='sizes'):
        estimator.record_answer(0.0, -1, 0, 0.1, 0.0)
    with pytest.raises(ValueError, match='times'):
        estimator.record_answer(0.0, 1, 0, float('nan'), 0.0)
