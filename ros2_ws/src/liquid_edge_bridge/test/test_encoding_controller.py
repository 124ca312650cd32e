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

from liquid_edge_bridge.encoding_controller import (ControllerConfig, EncodingController,
                                                    EncodingProfile, EncodingProfileError,
                                                    EncodingSettings)
from liquid_edge_bridge.link_estimator import LinkEstimate
import pytest

# Synthetic profile: bytes grow with quality and size, recall drops at the smallest size.
PROFILE = EncodingProfile.from_dict({'points': [
    {'width': 640, 'height': 480, 'quality': 95, 'bytes_mean': 90_000, 'bytes_p95': 100_000,
     'recall': 0.95},
    {'width': 640, 'height': 480, 'quality': 70, 'bytes_mean': 40_000, 'bytes_p95': 45_000,
     'recall': 0.95},
    {'width': 320, 'height': 240, 'quality': 95, 'bytes_mean': 25_000, 'bytes_p95': 28_000,
     'recall': 0.90},
    {'width': 320, 'height': 240, 'quality': 40, 'bytes_mean': 7_000, 'bytes_p95': 8_000,
     'recall': 0.85},
    {'width': 160, 'height': 120, 'quality': 40, 'bytes_mean': 2_500, 'bytes_p95': 3_000,
     'recall': 0.40},
]})


def link(rtt=0.002, goodput=None, server=0.03, loss=0.0, answers=20, sizes_vary=None,
         delayed_segment_rate=0.0, delayed=(), goodput_floor=None):
    """Return a link estimate as the LinkEstimator would give it."""
    return LinkEstimate(calls=answers, answers=answers, rtt_s=rtt, rtt_p95_s=rtt,
                        goodput_bytes_per_s=goodput, server_p95_s=server, loss_rate=loss,
                        srtt_s=rtt,
                        sizes_vary=goodput is not None if sizes_vary is None else sizes_vary,
                        delayed_segment_rate=delayed_segment_rate, jitter_s=(0.0,) * answers,
                        delayed_s=tuple(delayed), goodput_floor_bytes_per_s=goodput_floor)


def mbit(rate):
    return rate * 1e6 / 8.0


def key(settings):
    return settings.width, settings.quality, settings.fps


def test_on_a_fast_link_it_takes_the_fewest_bytes_at_the_best_recall():
    controller = EncodingController(PROFILE)
    decision = controller.update(0.0, link(goodput=mbit(500)))
    assert key(decision.settings) == (640, 70, 15.0)
    assert decision.predicted_p95_s <= 0.150


def test_a_slow_link_brings_it_down_at_once():
    controller = EncodingController(PROFILE)
    decision = controller.update(0.0, link(rtt=0.04, goodput=mbit(4)))
    assert decision.changed and decision.reason == 'over budget'
    # 640x480 q70 would take 90 ms of transfer plus 80 ms fixed: over 150 ms.
    assert key(decision.settings) == (320, 95, 10.0)
    assert decision.predicted_p95_s <= 0.150


def test_on_a_lossy_link_it_takes_frames_few_enough_segments_that_losses_miss_the_p95():
    controller = EncodingController(PROFILE)
    clean = link(rtt=0.04, goodput=mbit(4))
    assert key(controller.update(0.0, clean).settings)[:2] == (320, 95)
    # 0.5 % of segments delayed a round trip: 28 kB (20 segments) frames are hit 9.5 % of
    # the time, over the 5 % a p95 allows; 8 kB (6 segments) 3 %.
    controller = EncodingController(PROFILE)
    lossy = link(rtt=0.04, goodput=mbit(4), delayed_segment_rate=0.005, delayed=[0.04] * 3)
    decision = controller.update(0.0, lossy)
    assert key(decision.settings)[:2] == (320, 40)
    assert controller.predicted_p95_s(EncodingSettings(95, 320, 240, 10.0), lossy) > 0.150
    assert decision.predicted_p95_s <= 0.150


def test_what_it_predicts_is_the_sum_of_the_link_terms():
    controller = EncodingController(PROFILE, ControllerConfig(local_overhead_s=0.01))
    estimate = link(rtt=0.015, goodput=mbit(40), server=0.03)
    predicted = controller.predicted_p95_s(EncodingSettings(70, 640, 480, 15.0), estimate)
    assert predicted == pytest.approx(0.01 + 0.015 + 0.03 + 45_000 / mbit(40))


def test_frame_rate_drops_before_recall_does():
    # 2 Mbit/s: 320x240 q95 (25 kB) fits the latency but not 15 frames/s of bandwidth.
    controller = EncodingController(PROFILE)
    decision = controller.update(0.0, link(rtt=0.01, goodput=mbit(2.5), server=0.02))
    settings = decision.settings
    utilization = settings.fps * 25_000 / mbit(2.5)
    assert (settings.width, settings.quality) in ((320, 95), (320, 40))
    assert utilization <= 0.7 or settings.quality == 40


def test_no_setting_fits_then_the_fewest_bytes():
    controller = EncodingController(PROFILE)
    decision = controller.update(0.0, link(rtt=0.3, goodput=mbit(1)))
    assert key(decision.settings)[:2] == (160, 40)
    assert decision.reason == 'no setting fits the budget: the fastest'


def test_when_nothing_fits_a_setting_near_the_fastest_is_kept():
    controller = EncodingController(PROFILE)
    slow = link(rtt=0.2, goodput=mbit(4))
    first = controller.update(0.0, slow)
    assert first.reason == 'no setting fits the budget: the fastest'
    # Slightly better figures make a bigger frame about as fast as the fastest: no hop.
    better = link(rtt=0.19, goodput=mbit(4.4))
    assert not controller.update(0.25, better).changed
    assert controller.settings == first.settings
    # A link that makes the current frames clearly slower than the others moves it.
    controller = EncodingController(PROFILE, initial=EncodingSettings(95, 640, 480, 15.0))
    assert controller.update(0.0, slow).changed


def test_a_setting_that_misses_the_person_is_never_chosen():
    # 160x120 keeps 0.40 of 0.95 recall: below half of the best, it is left out.
    controller = EncodingController(PROFILE, ControllerConfig(min_recall_ratio=0.5))
    decision = controller.update(0.0, link(rtt=0.3, goodput=mbit(1)))
    assert key(decision.settings)[:2] == (320, 40)
    with pytest.raises(ValueError, match='min_recall_ratio'):
        ControllerConfig(min_recall_ratio=1.5)


def test_upgrade_waits_for_the_hold_time_and_a_dip_restarts_it():
    controller = EncodingController(PROFILE, ControllerConfig(upgrade_hold_s=3.0))
    slow, fast = link(rtt=0.04, goodput=mbit(4)), link(goodput=mbit(500))
    low = controller.update(0.0, slow).settings
    assert not controller.update(1.0, fast).changed
    assert not controller.update(2.0, slow).changed  # a dip: the hold starts again
    assert not controller.update(3.0, fast).changed
    assert not controller.update(5.9, fast).changed
    decision = controller.update(6.0, fast)
    assert decision.changed and decision.reason == 'upgrade'
    assert key(decision.settings) == (640, 70, 15.0)
    assert decision.settings != low


def test_a_setting_near_the_budget_is_kept_not_flapped():
    controller = EncodingController(PROFILE, ControllerConfig(upgrade_hold_s=0.0))
    # 320x240 q95 within budget; 640x480 q70 would fit but not within the upgrade margin.
    controller.update(0.0, link(rtt=0.04, goodput=mbit(4)))
    edge = link(rtt=0.02, goodput=mbit(4.24), server=0.02)
    assert 0.12 < controller.predicted_p95_s(EncodingSettings(70, 640, 480, 7.5), edge) <= 0.15
    settings = [controller.update(t, edge).settings for t in range(1, 20)]
    assert len(set(settings)) == 1


def test_losses_halve_the_frame_budget_once_per_hold():
    controller = EncodingController(PROFILE, ControllerConfig(upgrade_hold_s=2.0))
    lossy = link(goodput=mbit(500), loss=0.5)
    first = controller.update(0.0, lossy)
    assert first.changed and 'lost' in first.reason
    assert first.bytes_p95 <= 45_000 / 2
    assert not controller.update(1.0, lossy).changed
    second = controller.update(2.0, lossy)
    assert second.bytes_p95 <= first.bytes_p95 / 2


def test_without_a_measurement_nothing_changes():
    initial = EncodingSettings(95, 640, 480, 15.0)
    controller = EncodingController(PROFILE, initial=initial)
    decision = controller.update(0.0, link(rtt=None, answers=0))
    assert decision.settings == initial and not decision.changed
    assert decision.predicted_p95_s is None


def test_unmeasured_initial_setting_is_refused():
    with pytest.raises(KeyError, match='not in the profile'):
        EncodingController(PROFILE, initial=EncodingSettings(50, 640, 480, 15.0))


@pytest.mark.parametrize('data, message', [
    ({}, 'points list'),
    ({'points': []}, 'at least one point'),
    ({'points': [{'width': 640}]}, 'lacks'),
    ({'points': [{'width': 640, 'height': 480, 'quality': 90, 'bytes_mean': 10,
                  'bytes_p95': 5, 'recall': 0.9}]}, 'bytes_mean <= bytes_p95'),
    ({'points': [{'width': 640, 'height': 480, 'quality': 90, 'bytes_mean': 10,
                  'bytes_p95': 20, 'recall': 1.5}]}, 'recall'),
])
def test_bad_profiles_are_refused(data, message):
    with pytest.raises(EncodingProfileError, match=message):
        EncodingProfile.from_dict(data)


def test_missing_profile_file_says_so(tmp_path):
    with pytest.raises(EncodingProfileError, match='cannot read'):
        EncodingProfile.load(str(tmp_path / 'absent.yaml'))


@pytest.mark.parametrize('kwargs', [{'latency_budget_s': 0.0}, {'frame_rates': ()},
                                    {'max_utilization': 1.5}, {'recall_tolerance': -0.1}])
def test_bad_controller_settings_are_refused(kwargs):
    with pytest.raises(ValueError):
        ControllerConfig(**kwargs)


def test_a_round_trip_alone_over_budget_keeps_the_best_recall():
    controller = EncodingController(PROFILE)
    # Frames of several sizes answered, the transfer not growing with them.
    decision = controller.update(0.0, link(rtt=0.3, goodput=None, sizes_vary=True))
    # Smaller frames would not be faster: the best recall, fewest bytes, highest rate.
    assert key(decision.settings) == (640, 70, 15.0)
    assert decision.reason == 'no setting fits the budget: the fastest'


def test_over_budget_with_one_frame_size_halves_the_bytes_once_per_hold():
    controller = EncodingController(PROFILE, initial=EncodingSettings(95, 640, 480, 15.0))
    slow = link(rtt=0.3, goodput=None, sizes_vary=False)
    first = controller.update(0.0, slow)
    assert first.changed and first.bytes_p95 <= 100_000 / 2
    assert first.reason == 'over budget, bandwidth unknown: what the proven goodput carries'
    assert not controller.update(1.0, slow).changed
    second = controller.update(3.5, slow)
    assert second.changed and second.bytes_p95 <= first.bytes_p95 / 2


def test_over_budget_with_one_frame_size_steps_to_what_the_proven_goodput_carries():
    controller = EncodingController(PROFILE, initial=EncodingSettings(95, 640, 480, 15.0))
    # Answers prove 2 Mbit/s: 640x480 q70 (45 kB, 180 ms) and 320x240 q95 (28 kB, 112 ms
    # plus 40 ms of edge and overhead) cannot fit even with no round trip; 320x240 q40 can.
    slow = link(rtt=0.3, goodput=None, sizes_vary=False, goodput_floor=mbit(2))
    decision = controller.update(0.0, slow)
    assert key(decision.settings) == (320, 40, 15.0)
    # A floor too low for any smaller frame: the fewest bytes, the frame rate kept.
    crawl = link(rtt=0.3, goodput=None, sizes_vary=False, goodput_floor=mbit(0.1))
    decision = EncodingController(PROFILE, initial=EncodingSettings(95, 640, 480, 15.0)).update(
        0.0, crawl)
    assert key(decision.settings) == (160, 40, 15.0)


def test_over_budget_at_the_fewest_bytes_keeps_the_frame_rate():
    # Fewer frames would not make one answer sooner: only lost calls lower the rate.
    cheapest = EncodingSettings(40, 160, 120, 15.0)
    controller = EncodingController(PROFILE, initial=cheapest)
    decision = controller.update(0.0, link(rtt=0.3, goodput=None, sizes_vary=False))
    assert decision.settings == cheapest
    lossy = EncodingController(PROFILE, initial=cheapest).update(0.0, link(loss=0.5))
    assert lossy.settings == EncodingSettings(40, 160, 120, 5.0)


def test_an_edge_slower_than_its_network_keeps_the_best_recall():
    controller = EncodingController(PROFILE, initial=EncodingSettings(95, 640, 480, 15.0))
    # A loaded edge: 200 ms of its own, a 10 ms network; smaller frames would not help.
    loaded = link(rtt=0.01, goodput=None, server=0.2, sizes_vary=False)
    decision = controller.update(0.0, loaded)
    assert not decision.changed and decision.recall == 0.95
    assert decision.reason == 'no setting fits the budget: the fastest'
    decision = EncodingController(PROFILE).update(0.0, loaded)
    assert key(decision.settings) == (640, 70, 15.0)
