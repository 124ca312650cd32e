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

"""Scenarios as YAML: the shipped files load, the schema is enforced, hidden legs hide."""
import math
import pathlib

from liquid_edge_sim.people import person_cutout
from liquid_edge_sim.scenario import load_scenario, scenario_from_dict, scenario_path
from liquid_edge_sim.world import default_world, WalkingPath, Waypoint
import pytest

SCENARIOS = pathlib.Path(__file__).resolve().parents[4] / 'config' / 'scenarios'
SHIPPED = ('default', 'crossing', 'leave-and-return', 'approach', 'lookalike')


def minimal(**changes):
    """Return a valid scenario document with `changes` applied at the top level."""
    document = {'target': 'a', 'people': [
        {'id': 'a', 'speed': 0.5, 'waypoints': [{'x': 2.0, 'y': 0.0}, {'x': 3.0, 'y': 0.0}]}]}
    document.update(changes)
    return document


@pytest.mark.parametrize('name', SHIPPED)
def test_shipped_scenarios_load_and_build_worlds(name):
    scenario = load_scenario(name, SCENARIOS)
    world = scenario.world(seed=3)
    assert scenario.target in [p.person_id for p in world.people]
    assert world.poses(12.0) == scenario.world(seed=3).poses(12.0)


def test_default_scenario_is_the_default_world():
    scenario = load_scenario('default', SCENARIOS)
    for seed in (0, 5):
        built, coded = scenario.world(seed), default_world(seed)
        assert all(built.poses(t) == coded.poses(t) for t in range(0, 90, 3))


def test_robot_pose_moves_the_people_into_the_robot_frame():
    document = minimal(robot={'x': 1.0, 'y': 1.0, 'yaw': math.pi / 2}, jitter={'position': 0.0})
    pose = scenario_from_dict(document, 'test').world(0).poses(0.0)[0]
    # (2, 0) seen from (1, 1) facing +y: 1 m to the right (y -1), 1 m behind (x -1).
    assert (pose.x, pose.y) == pytest.approx((-1.0, -1.0))


def test_names_and_paths(tmp_path):
    assert scenario_path('crossing', SCENARIOS) == SCENARIOS / 'crossing.yaml'
    assert scenario_path('my/own.yaml') == pathlib.Path('my/own.yaml')
    with pytest.raises(ValueError, match='crossing'):
        load_scenario('nope', SCENARIOS)
    bad = tmp_path / 'bad.yaml'
    bad.write_text('target: [unclosed')
    with pytest.raises(ValueError, match='not valid YAML'):
        load_scenario(bad)


@pytest.mark.parametrize('changes, message', [
    ({'target': 'b'}, 'target'),
    ({'colour': 'red'}, 'unknown keys'),
    ({'people': []}, 'at least one person'),
    ({'jitter': {'pause': 1.0}}, 'jitter.pause'),
    ({'outages': [{'at': 3.0}]}, 'edges'),
    ({'people': [{'id': 'a', 'speed': 0.0, 'waypoints': [{'x': 0, 'y': 0}, {'x': 1, 'y': 0}]}]},
     'speed'),
    ({'people': [{'id': 'a', 'speed': 1.0, 'waypoints': [{'x': 0, 'y': 0}]}]}, '2 waypoints'),
    ({'people': [{'id': 'a', 'speed': 1.0, 'look': {'suit_hue_shift': 400},
                  'waypoints': [{'x': 0, 'y': 0}, {'x': 1, 'y': 0}]}]}, 'suit_hue_shift'),
    ({'people': [{'id': 'a', 'speed': 1.0,
                  'waypoints': [{'x': 'far', 'y': 0}, {'x': 1, 'y': 0}]}]}, 'finite number'),
])
def test_bad_scenarios_are_refused_with_the_field_named(changes, message):
    with pytest.raises(ValueError, match=message):
        scenario_from_dict(minimal(**changes), 'test')


def test_hidden_leg_and_the_pause_after_it_are_unseen():
    path = WalkingPath([Waypoint(0.0, 0.0, 1.0, hidden=True), Waypoint(2.0, 0.0, 1.0),
                        Waypoint(2.0, 2.0)], speed=1.0)
    assert path.visible(0.5)            # standing at the first waypoint
    assert not path.visible(2.0)        # walking the hidden leg
    assert not path.visible(3.5)        # the pause at its end
    assert path.visible(4.5)


def test_lookalike_is_the_target_mirrored_in_the_same_suit():
    same = person_cutout(mirrored=True, suit_hue_shift=0)
    blue = person_cutout(mirrored=True, suit_hue_shift=200)
    assert same.image.shape == blue.image.shape
    assert (same.image != blue.image).any()
    with pytest.raises(ValueError):
        person_cutout(suit_hue_shift=360)


def test_handover_has_the_issue_link_for_every_remote_edge_and_a_local_edge():
    scenario = load_scenario('handover', SCENARIOS)
    assert scenario.local_edge
    assert set(scenario.link) == {'edge-a', 'edge-b'}
    schedule = scenario.link['edge-a']
    assert [p.name for p in schedule.phases] == ['60ghz', '5g', 'wifi', 'outage', '60ghz-again']
    assert [p.duration_s for p in schedule.phases] == [20, 20, 20, 10, 20]
    # One-way delays: half the round trips the issue quotes (1, 15, 40 ms).
    assert [round(p.round_trip_s * 1000, 1) for p in schedule.phases if not p.outage] == [
        1.0, 15.0, 40.0, 1.0]
    assert [p.up.rate_bps for p in schedule.phases if not p.outage] == [500e6, 40e6, 4e6, 500e6]
    assert schedule.phases[2].up.loss == 0.01 and schedule.phases[3].outage
    assert scenario.link['edge-b'] == schedule


@pytest.mark.parametrize('changes, message', [
    ({'link': {'edge-a': [{'duration': 0}]}}, "link of 'edge-a'"),
    ({'link': []}, 'link section must map edge names'),
    ({'local_edge': 'yes'}, 'local_edge must be true or false'),
])
def test_bad_link_sections_are_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        scenario_from_dict(minimal(**changes), 'test')


def test_without_a_link_section_edges_are_reached_directly():
    scenario = scenario_from_dict(minimal(), 'test')
    assert scenario.link == {} and not scenario.local_edge
