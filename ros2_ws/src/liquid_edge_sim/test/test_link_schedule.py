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

from liquid_edge_sim.link_schedule import (DirectionShape, LinkSchedule, LinkScheduleError,
                                           parse_link_section)
from liquid_edge_sim.link_shaper import (LinkShaper, MSS_BYTES, retransmission_delay_s,
                                         split_at_losses)
import pytest

HANDOVER = {
    'edge-a': [
        {'name': '60ghz', 'duration': 20, 'rate_mbit': 500, 'delay_ms': 1},
        {'name': '5g', 'duration': 20, 'rate_mbit': 40, 'delay_ms': 15, 'jitter_ms': 3},
        {'name': 'wifi', 'duration': 20, 'rate_mbit': 4, 'delay_ms': 40, 'loss': 0.01,
         'up': {'rate_mbit': 2}},
        {'name': 'outage', 'duration': 10, 'outage': True},
        {'name': '60ghz-again', 'duration': 20, 'rate_mbit': 500, 'delay_ms': 1},
    ],
    'edge-b': [{'duration': 90, 'rate_mbit': 100, 'delay_ms': 5}],
}


def test_link_section_parses_per_edge_in_si_units():
    schedules = parse_link_section(HANDOVER)
    assert sorted(schedules) == ['edge-a', 'edge-b']
    edge_a = schedules['edge-a']
    assert edge_a.duration_s == 90.0
    wifi = edge_a.phases[2]
    assert wifi.name == 'wifi'
    assert wifi.up == DirectionShape(rate_bps=2e6, delay_s=0.04, loss=0.01)
    assert wifi.down == DirectionShape(rate_bps=4e6, delay_s=0.04, loss=0.01)
    assert wifi.round_trip_s == pytest.approx(0.08)
    assert edge_a.phases[3].outage
    assert edge_a.phases[3].up.rate_bps is None


def test_phase_at_follows_the_phase_durations():
    schedule = parse_link_section(HANDOVER)['edge-a']
    assert schedule.phase_starts() == (0.0, 20.0, 40.0, 60.0, 70.0)
    assert schedule.phase_at(-1.0).index == 0
    assert schedule.phase_at(19.99).phase.name == '60ghz'
    at = schedule.phase_at(45.0)
    assert (at.phase.name, at.elapsed_s) == ('wifi', pytest.approx(5.0))
    assert schedule.phase_at(65.0).phase.outage
    # After the last phase the link stays in it.
    last = schedule.phase_at(500.0)
    assert last.index == 4 and last.elapsed_s == pytest.approx(430.0)


def test_a_repeating_schedule_starts_again():
    schedule = LinkSchedule.from_list([{'duration': 2, 'delay_ms': 1},
                                       {'duration': 3, 'delay_ms': 2}], repeat=True)
    assert schedule.phase_at(6.0).index == 0
    assert schedule.phase_at(8.0).index == 1


def test_transmission_time_is_size_over_rate():
    assert DirectionShape(rate_bps=8e6).transmission_s(1_000_000) == pytest.approx(1.0)
    assert DirectionShape().transmission_s(1_000_000) == 0.0


@pytest.mark.parametrize('phases, message', [
    ([], 'at least one phase'),
    ('fast', 'list of phases'),
    ([{'rate_mbit': 5}], 'duration'),
    ([{'duration': 0}], 'duration must be positive'),
    ([{'duration': 5, 'rate_mbit': 0}], 'rate must be positive'),
    ([{'duration': 5, 'delay_ms': -1}], 'delay_s must be a non-negative'),
    ([{'duration': 5, 'loss': 1.5}], r'loss is a fraction'),
    ([{'duration': 5, 'bandwidth': 5}], "unknown fields \\['bandwidth'\\]"),
    ([{'duration': 5, 'up': {'delay': 3}}], "up: unknown fields \\['delay'\\]"),
    ([{'duration': 5, 'outage': 'yes'}], 'outage must be true or false'),
    ([{'duration': '5 s'}], 'duration must be a number'),
    ([{'name': 'wifi', 'duration': 5, 'loss': -0.1}], "phase 0 'wifi'"),
])
def test_bad_phases_are_refused_with_the_reason(phases, message):
    with pytest.raises(LinkScheduleError, match=message):
        LinkSchedule.from_list(phases)


def test_bad_link_section_names_the_edge():
    with pytest.raises(LinkScheduleError, match="link of 'edge-b'"):
        parse_link_section({'edge-b': [{'duration': -1}]})
    with pytest.raises(LinkScheduleError, match='map edge names'):
        parse_link_section([])


def test_retransmission_is_one_round_trip_with_dup_acks_else_a_tail_loss_probe():
    assert retransmission_delay_s(0.08, segments_after=3) == pytest.approx(0.08)
    assert retransmission_delay_s(0.08, segments_after=2) == pytest.approx(0.16)
    assert retransmission_delay_s(0.001, segments_after=0) == pytest.approx(0.010)
    with pytest.raises(ValueError):
        retransmission_delay_s(-1.0, 0)


def test_a_burst_is_cut_at_its_lost_segments_and_stays_in_order():
    size = 5 * MSS_BYTES + 100
    assert split_at_losses(size, [False] * 6, 0.05) == [(0, size, 0.0)]
    pieces = split_at_losses(size, [False, True, False, False, False, True], 0.05)
    assert pieces == [(0, MSS_BYTES, 0.0), (MSS_BYTES, 5 * MSS_BYTES, pytest.approx(0.05)),
                      (5 * MSS_BYTES, size, pytest.approx(0.10))]
    # Every byte is in exactly one piece.
    assert sum(end - start for start, end, _ in pieces) == size
    with pytest.raises(ValueError, match='segments'):
        split_at_losses(size, [False], 0.05)


def test_a_given_origin_puts_the_shaper_on_the_run_clock():
    schedule = LinkSchedule.from_list([{'name': 'a', 'duration': 10},
                                       {'name': 'b', 'duration': 10}])
    shaper = LinkShaper('127.0.0.1:50051', schedule, clock=lambda: 112.0, origin=100.0)
    at = shaper.phase()
    assert (at.phase.name, at.elapsed_s) == ('b', pytest.approx(2.0))
