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

"""EdgeSelector: hysteresis, failover on each trigger, return when better, none healthy."""
import random

from liquid_edge_bridge.edge_selector import EdgeHealth, EdgeSelector, SelectionPolicy
import pytest

POLICY = SelectionPolicy(window_s=3.0, min_samples=3, max_missed_deadlines=3,
                         switch_margin=0.2, switch_margin_abs_s=0.005, switch_hold_s=2.0,
                         failure_cooldown_s=2.0, warmup_samples=0)


def serving_selector(policy=POLICY, names=('a', 'b')):
    selector = EdgeSelector(list(names), policy)
    for name in names:
        selector.set_health(name, EdgeHealth.SERVING, 0.0)
    return selector


def feed(selector, latencies, start, end, step=0.1):
    """Record each edge's latency every `step` s in [start, end); returns the active edges."""
    seen = []
    t = start
    while t < end:
        for name, latency in latencies.items():
            value = latency() if callable(latency) else latency
            seen.append(selector.record_latency(name, value, t))
        t += step
    return seen


def test_no_edge_serving_means_no_active_edge():
    selector = EdgeSelector(['a', 'b'], POLICY)
    assert selector.update(0.0) is None
    selector.set_health('a', EdgeHealth.NOT_SERVING, 0.1)
    selector.set_health('b', EdgeHealth.UNREACHABLE, 0.1)
    assert selector.active is None


def test_first_configured_edge_wins_before_any_latency_is_known():
    selector = serving_selector()
    assert selector.active == 'a'


def test_preferred_edge_wins_at_start_whichever_answers_health_first():
    selector = EdgeSelector(['a', 'b'], POLICY)
    assert selector.update(0.0) is None
    # b answered first: a, listed before it and not heard from yet, is waited for.
    assert selector.set_health('b', EdgeHealth.SERVING, 0.1) is None
    assert selector.set_health('a', EdgeHealth.SERVING, 0.2) == 'a'
    feed(selector, {'a': 0.050}, 0.3, 1.0)
    selector.set_health('b', EdgeHealth.NOT_SERVING, 1.0)
    assert selector.set_health('b', EdgeHealth.SERVING, 1.1) == 'a'


def test_a_silent_preferred_edge_is_waited_for_only_the_start_grace():
    selector = EdgeSelector(['a', 'b'], POLICY)
    assert selector.set_health('b', EdgeHealth.SERVING, 0.0) is None
    assert selector.update(POLICY.startup_grace_s - 0.01) is None
    assert selector.update(POLICY.startup_grace_s) == 'b'


def test_an_unreachable_preferred_edge_is_not_waited_for():
    selector = EdgeSelector(['a', 'b'], POLICY)
    selector.set_health('a', EdgeHealth.UNREACHABLE, 0.0, 'connection refused')
    assert selector.set_health('b', EdgeHealth.SERVING, 0.1) == 'b'


def test_after_the_start_a_failover_does_not_wait():
    selector = serving_selector(names=('a', 'b', 'c'))
    selector.set_health('b', EdgeHealth.UNKNOWN, 0.1)
    assert selector.set_health('a', EdgeHealth.NOT_SERVING, 0.2) == 'c'


def test_noisy_close_latencies_never_flap():
    rng = random.Random(7)
    selector = serving_selector()
    seen = feed(selector, {'a': lambda: rng.gauss(0.050, 0.008),
                           'b': lambda: rng.gauss(0.048, 0.008)}, 0.0, 60.0)
    assert set(seen) == {'a'}


def test_clearly_better_edge_takes_over_only_after_the_hold_time():
    selector = serving_selector()
    feed(selector, {'a': 0.080, 'b': 0.030}, 0.0, 0.5)
    # B is clearly better from 0.2 s on (3 samples); the hold is 2 s.
    assert selector.active == 'a'
    feed(selector, {'a': 0.080, 'b': 0.030}, 0.5, 2.1)
    assert selector.active == 'a'
    feed(selector, {'a': 0.080, 'b': 0.030}, 2.1, 2.5)
    assert selector.active == 'b'


def test_an_interrupted_advantage_restarts_the_hold():
    selector = serving_selector(SelectionPolicy(window_s=0.25, min_samples=1,
                                                switch_hold_s=1.0, warmup_samples=0))
    feed(selector, {'a': 0.080, 'b': 0.030}, 0.0, 0.6)
    feed(selector, {'a': 0.080, 'b': 0.079}, 0.6, 1.2)
    feed(selector, {'a': 0.080, 'b': 0.030}, 1.2, 2.1)
    assert selector.active == 'a'
    feed(selector, {'a': 0.080, 'b': 0.030}, 2.1, 2.6)
    assert selector.active == 'b'


def test_small_absolute_gain_does_not_switch():
    selector = serving_selector()
    feed(selector, {'a': 0.004, 'b': 0.001}, 0.0, 10.0)
    assert selector.active == 'a'


@pytest.mark.parametrize('trigger', ['error', 'not_serving', 'unreachable', 'misses'])
def test_failover_on_each_trigger(trigger):
    selector = serving_selector()
    feed(selector, {'a': 0.030, 'b': 0.060}, 0.0, 1.0)
    assert selector.active == 'a'
    if trigger == 'error':
        selector.record_error('a', 'UNAVAILABLE: connection reset', 1.0)
    elif trigger == 'not_serving':
        selector.set_health('a', EdgeHealth.NOT_SERVING, 1.0)
    elif trigger == 'unreachable':
        selector.set_health('a', EdgeHealth.UNREACHABLE, 1.0, 'health watch: UNAVAILABLE')
    else:
        selector.record_deadline_miss('a', 1.0)
        selector.record_deadline_miss('a', 1.05)
        assert selector.active == 'a'
        selector.record_deadline_miss('a', 1.1)
    assert selector.active == 'b'


def test_a_success_resets_the_deadline_miss_count():
    selector = serving_selector()
    for i in range(10):
        selector.record_deadline_miss('a', i * 0.1)
        selector.record_deadline_miss('a', i * 0.1 + 0.01)
        selector.record_latency('a', 0.05, i * 0.1 + 0.02)
    assert selector.active == 'a'


def test_failed_edge_is_avoided_during_cooldown_then_eligible_again():
    selector = serving_selector()
    feed(selector, {'a': 0.050, 'b': 0.050}, 0.0, 1.0)
    selector.record_error('a', 'INTERNAL', 1.0)
    assert not selector.is_eligible('a', 2.9)
    assert selector.is_eligible('a', 3.0)
    feed(selector, {'a': 0.050, 'b': 0.050}, 2.0, 3.0)
    assert selector.update(3.0) == 'b'  # no flap back without a clear latency gain


def test_returns_to_the_recovered_edge_when_it_is_better():
    selector = serving_selector()
    feed(selector, {'a': 0.030, 'b': 0.070}, 0.0, 1.0)
    selector.set_health('a', EdgeHealth.UNREACHABLE, 1.0, 'killed')
    assert selector.active == 'b'
    feed(selector, {'b': 0.070}, 1.0, 5.0)
    selector.set_health('a', EdgeHealth.SERVING, 5.0)
    assert selector.active == 'b'
    seen = feed(selector, {'a': 0.030, 'b': 0.070}, 5.0, 9.0)
    assert selector.active == 'a'
    assert seen.count('a') > 0 and seen[0] == 'b'


def test_all_edges_down_gives_none_then_the_first_one_back_serves():
    selector = serving_selector()
    selector.set_health('a', EdgeHealth.UNREACHABLE, 1.0)
    selector.set_health('b', EdgeHealth.UNREACHABLE, 1.0)
    assert selector.active is None
    assert selector.set_health('b', EdgeHealth.SERVING, 2.0) == 'b'


def test_failover_picks_the_fastest_remaining_edge():
    selector = serving_selector(names=('a', 'b', 'c'))
    feed(selector, {'a': 0.020, 'b': 0.090, 'c': 0.040}, 0.0, 1.0)
    selector.record_error('a', 'UNAVAILABLE', 1.0)
    assert selector.active == 'c'


def test_warmup_answers_after_a_switch_are_ignored():
    selector = serving_selector(SelectionPolicy(warmup_samples=2, min_samples=1))
    selector.record_latency('a', 0.500, 0.1)
    selector.record_latency('a', 0.400, 0.2)
    assert selector.statistic('a', 0.2) is None
    selector.record_latency('a', 0.050, 0.3)
    assert selector.statistic('a', 0.3) == pytest.approx(0.050)


def test_report_describes_every_edge():
    selector = serving_selector()
    selector.record_error('b', 'UNAVAILABLE: refused', 0.5)
    reports = {report.name: report for report in selector.report(0.5)}
    assert reports['a'].active and reports['a'].eligible
    assert not reports['b'].eligible and reports['b'].last_error == 'UNAVAILABLE: refused'


def test_bad_configuration_is_refused_with_the_reason():
    with pytest.raises(ValueError, match='unique'):
        EdgeSelector(['a', 'a'])
    with pytest.raises(ValueError, match='statistic'):
        SelectionPolicy(statistic='mean')
    with pytest.raises(KeyError, match='unknown edge'):
        EdgeSelector(['a']).record_latency('z', 0.1, 0.0)
