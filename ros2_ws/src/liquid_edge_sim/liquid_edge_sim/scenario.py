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

"""
Scenarios as data: who walks where, whom the robot must follow, when edges fail.

A YAML file says it all. `load_scenario` reads one by name (config/scenarios/<name>.yaml)
or by path and validates it; `Scenario.world(seed)` builds the world, the seed jittering
the walks.

Schema (README, "Scenarios"): ``description``; ``target`` (a person's id); ``robot`` (start
pose ``x``, ``y`` m, ``yaw`` rad in the scenario's frame; the people are placed relative to
it, so the robot always starts at the odom origin); ``jitter`` (``position`` ±m on each
waypoint, ``pause`` ±fraction of each pause); ``people`` (each ``id``, ``look``
{``mirrored``, ``suit_hue_shift`` degrees}, ``speed`` m/s, ``waypoints`` [{``x``, ``y``,
``pause`` s, ``hidden``}]); ``outages`` ([{``at`` s, ``edges`` [names]}]); ``link`` (per
remote edge name, its list of link phases: `liquid_edge_sim.link_schedule`); ``local_edge``
(true: the robot also runs its local standby edge). Unknown keys are errors, so a typo never
silently changes a scenario.
"""
from dataclasses import dataclass, field
import math
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from liquid_edge_sim.link_schedule import LinkSchedule, parse_link_section
from liquid_edge_sim.people import person_cutout
from liquid_edge_sim.world import Person, WalkingPath, Waypoint, World
import numpy as np
import yaml

SCENARIO_DIRECTORY = Path('config') / 'scenarios'


@dataclass(frozen=True)
class Look:
    """A person's cut-out: the astronaut photo, mirrored or not, suit hue turned (degrees)."""

    mirrored: bool = False
    suit_hue_shift: int = 0


@dataclass(frozen=True)
class PersonSpec:
    """One person of a scenario, waypoints in the scenario's frame, before jitter."""

    person_id: str
    look: Look
    speed: float
    waypoints: tuple[Waypoint, ...]


@dataclass(frozen=True)
class Outage:
    """Edges taken down `at` seconds into the run."""

    at: float
    edges: tuple[str, ...]


@dataclass(frozen=True)
class RobotPose:
    """The robot's start pose in the scenario's frame: metres and rad (counter-clockwise)."""

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0


@dataclass(frozen=True)
class Scenario:
    """A validated scenario: people, target, robot start pose, jitter and outages."""

    name: str
    description: str
    target: str
    people: tuple[PersonSpec, ...]
    robot: RobotPose = RobotPose()
    position_jitter: float = 0.15
    pause_jitter: float = 0.3
    outages: tuple[Outage, ...] = ()
    link: Mapping[str, LinkSchedule] = field(default_factory=dict)
    local_edge: bool = False

    def world(self, seed: int = 0) -> World:
        """
        Build the world for one seed, in the robot's odom frame.

        Every waypoint moves by up to ±position_jitter m in x and y and its pause scales by
        1 ± pause_jitter, drawn in file order, so a seed always gives the same walk.
        """
        rng = np.random.default_rng(seed)
        cos, sin = math.cos(self.robot.yaw), math.sin(self.robot.yaw)
        people = []
        for spec in self.people:
            waypoints = []
            for w in spec.waypoints:
                x = w.x + rng.uniform(-self.position_jitter, self.position_jitter)
                y = w.y + rng.uniform(-self.position_jitter, self.position_jitter)
                pause = w.pause * rng.uniform(1.0 - self.pause_jitter, 1.0 + self.pause_jitter)
                dx, dy = x - self.robot.x, y - self.robot.y
                waypoints.append(Waypoint(cos * dx + sin * dy, -sin * dx + cos * dy, pause,
                                          w.hidden))
            cutout = person_cutout(spec.look.mirrored, spec.look.suit_hue_shift)
            people.append(Person(spec.person_id, cutout, WalkingPath(waypoints, spec.speed)))
        return World(people)


def scenario_path(name_or_path: Union[str, Path],
                  directory: Path = SCENARIO_DIRECTORY) -> Path:
    """Return the file of a scenario: a path as given, a bare name in `directory`."""
    text = str(name_or_path)
    if text.endswith(('.yaml', '.yml')) or '/' in text:
        return Path(text)
    return directory / f'{text}.yaml'


def load_scenario(name_or_path: Union[str, Path],
                  directory: Path = SCENARIO_DIRECTORY) -> Scenario:
    """Read and validate a scenario; ValueError says what is wrong and where."""
    path = scenario_path(name_or_path, directory)
    if not path.is_file():
        known = sorted(p.stem for p in directory.glob('*.yaml')) if directory.is_dir() else []
        raise ValueError(f'no scenario file {path}; scenarios in {directory}: {known}')
    try:
        document = yaml.safe_load(path.read_text())
    except yaml.YAMLError as error:
        raise ValueError(f'{path}: not valid YAML: {error}') from error
    try:
        return scenario_from_dict(document, path.stem)
    except (ValueError, TypeError) as error:
        raise ValueError(f'{path}: {error}') from error


def scenario_from_dict(document: Any, name: str) -> Scenario:
    """Validate a parsed scenario document; raise ValueError naming the bad field."""
    doc = _mapping(document, 'scenario', {'description', 'target', 'robot', 'jitter', 'people',
                                          'outages', 'link', 'local_edge'})
    people = tuple(_person(p, f'people[{i}]') for i, p in enumerate(_list(doc, 'people')))
    if not people:
        raise ValueError('people: a scenario needs at least one person')
    ids = [p.person_id for p in people]
    if len(set(ids)) != len(ids):
        raise ValueError(f'people: ids must be unique, got {ids}')
    target = str(doc.get('target', ''))
    if target not in ids:
        raise ValueError(f'target: {target!r} is none of the people {ids}')
    robot = _mapping(doc.get('robot', {}), 'robot', {'x', 'y', 'yaw'})
    jitter = _mapping(doc.get('jitter', {}), 'jitter', {'position', 'pause'})
    position_jitter = _number(jitter, 'position', 0.15, 'jitter', minimum=0.0)
    pause_jitter = _number(jitter, 'pause', 0.3, 'jitter', minimum=0.0)
    if pause_jitter >= 1.0:
        raise ValueError(
            f'jitter.pause must be < 1 (a fraction of each pause), got {pause_jitter}')
    outages = []
    for i, item in enumerate(_list(doc, 'outages')):
        where = f'outages[{i}]'
        outage = _mapping(item, where, {'at', 'edges'})
        edges = outage.get('edges')
        if not isinstance(edges, list) or not edges or not all(isinstance(e, str) for e in edges):
            raise ValueError(f'{where}.edges must be a non-empty list of edge names')
        outages.append(Outage(_number(outage, 'at', None, where, minimum=0.0), tuple(edges)))
    link = parse_link_section(doc['link']) if 'link' in doc else {}
    local_edge = doc.get('local_edge', False)
    if not isinstance(local_edge, bool):
        raise ValueError(f'local_edge must be true or false, got {local_edge!r}')
    return Scenario(
        name=name, description=str(doc.get('description', '')).strip(), target=target,
        people=people,
        robot=RobotPose(_number(robot, 'x', 0.0, 'robot'), _number(robot, 'y', 0.0, 'robot'),
                        _number(robot, 'yaw', 0.0, 'robot')),
        position_jitter=position_jitter, pause_jitter=pause_jitter,
        outages=tuple(sorted(outages, key=lambda o: o.at)), link=link, local_edge=local_edge)


def _person(item: Any, where: str) -> PersonSpec:
    person = _mapping(item, where, {'id', 'look', 'speed', 'waypoints'})
    person_id = person.get('id')
    if not isinstance(person_id, str) or not person_id:
        raise ValueError(f'{where}.id must be a non-empty string')
    look = _mapping(person.get('look', {}), f'{where}.look', {'mirrored', 'suit_hue_shift'})
    hue = look.get('suit_hue_shift', 0)
    if not isinstance(hue, int) or not 0 <= hue < 360:
        raise ValueError(f'{where}.look.suit_hue_shift must be whole degrees in [0, 360)')
    waypoints = []
    for j, point in enumerate(_list(person, 'waypoints')):
        here = f'{where}.waypoints[{j}]'
        w = _mapping(point, here, {'x', 'y', 'pause', 'hidden'})
        waypoints.append(Waypoint(_number(w, 'x', None, here), _number(w, 'y', None, here),
                                  _number(w, 'pause', 0.0, here, minimum=0.0),
                                  bool(w.get('hidden', False))))
    if len(waypoints) < 2:
        raise ValueError(f'{where}.waypoints: a walk needs at least 2 waypoints')
    speed = _number(person, 'speed', None, where)
    if not speed > 0.0:
        raise ValueError(f'{where}.speed must be > 0 m/s, got {speed}')
    return PersonSpec(person_id, Look(bool(look.get('mirrored', False)), hue), speed,
                      tuple(waypoints))


def _mapping(value: Any, where: str, keys: set) -> dict:
    if not isinstance(value, dict):
        raise ValueError(f'{where} must be a mapping, got {type(value).__name__}')
    unknown = set(value) - keys
    if unknown:
        raise ValueError(f'{where}: unknown keys {sorted(unknown)}; known: {sorted(keys)}')
    return value


def _list(mapping: dict, key: str) -> list:
    value = mapping.get(key, [])
    if not isinstance(value, list):
        raise ValueError(f'{key} must be a list, got {type(value).__name__}')
    return value


def _number(mapping: dict, key: str, default: Optional[float], where: str,
            minimum: Optional[float] = None) -> float:
    value = mapping.get(key, default)
    if value is None:
        raise ValueError(f'{where}.{key} is required')
    if isinstance(value, bool) or not isinstance(value, (int, float)) \
            or not math.isfinite(value):
        raise ValueError(f'{where}.{key} must be a finite number, got {value!r}')
    if minimum is not None and value < minimum:
        raise ValueError(f'{where}.{key} must be >= {minimum}, got {value}')
    return float(value)
