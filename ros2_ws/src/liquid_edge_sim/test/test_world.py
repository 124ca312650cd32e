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

import math

from liquid_edge_sim.people import astronaut_cutout, distractor_cutout
from liquid_edge_sim.world import (default_world, DISTRACTOR_ID, Person, TARGET_ID, WalkingPath,
                                   Waypoint, World)
import numpy as np
import pytest


def square_path(pause=0.0, speed=1.0):
    return WalkingPath([Waypoint(0.0, 0.0, pause), Waypoint(1.0, 0.0), Waypoint(1.0, 1.0)],
                       speed)


def test_walker_pauses_then_walks_at_its_speed():
    path = square_path(pause=2.0, speed=0.5)
    assert path.position(0.0) == (0.0, 0.0)
    assert path.position(1.9) == (0.0, 0.0)
    assert path.position(3.0) == pytest.approx((0.5, 0.0))
    assert path.position(4.0) == pytest.approx((1.0, 0.0))
    assert path.position(5.0) == pytest.approx((1.0, 0.5))


def test_walk_returns_to_the_start_and_repeats():
    path = square_path(pause=1.0)
    # 1 s pause + 1 m + 1 m + sqrt(2) m back at 1 m/s.
    assert path.period == pytest.approx(3.0 + math.sqrt(2.0))
    assert path.position(path.period + 2.5) == pytest.approx(path.position(2.5))
    assert path.position(path.period - 1e-9) == pytest.approx((0.0, 0.0), abs=1e-6)


def test_walk_changes_direction_at_waypoints():
    path = square_path()
    before = np.subtract(path.position(0.9), path.position(0.8))
    after = np.subtract(path.position(1.2), path.position(1.1))
    assert before @ after == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize('waypoints, speed, message', [
    ([Waypoint(0, 0)], 1.0, 'at least 2'),
    ([Waypoint(0, 0), Waypoint(1, 0)], 0.0, 'positive'),
    ([Waypoint(0, 0, -1.0), Waypoint(1, 0)], 1.0, 'negative'),
])
def test_bad_path_is_refused(waypoints, speed, message):
    with pytest.raises(ValueError, match=message):
        WalkingPath(waypoints, speed)


def test_person_ids_are_unique():
    path = square_path()
    with pytest.raises(ValueError, match='unique'):
        World([Person('a', astronaut_cutout(), path), Person('a', astronaut_cutout(), path)])
    with pytest.raises(KeyError, match='known'):
        World([Person('a', astronaut_cutout(), path)]).person('b')


def test_default_world_is_deterministic_per_seed():
    assert default_world(3).poses(17.0) == default_world(3).poses(17.0)
    assert default_world(3).poses(17.0) != default_world(4).poses(17.0)


def test_default_world_target_starts_ahead_and_distractor_farther():
    poses = {p.person_id: p for p in default_world(0).poses(0.0)}
    target, distractor = poses[TARGET_ID], poses[DISTRACTOR_ID]
    assert 2.0 < target.x < 3.0 and abs(target.y) < 0.6
    assert math.hypot(distractor.x, distractor.y) > math.hypot(target.x, target.y) + 2.0


def test_default_target_moves_pauses_and_stays_around_the_robot():
    path = default_world(0).person(TARGET_ID).path
    times = np.arange(0.0, path.period, 0.1)
    positions = np.array([path.position(t) for t in times])
    steps = np.linalg.norm(np.diff(positions, axis=0), axis=1)
    assert (steps < 1e-9).any(), 'the target never pauses'
    assert steps.max() <= path.speed * 0.1 + 1e-9
    distances = np.linalg.norm(positions, axis=1)
    assert 1.5 < distances.min() and distances.max() < 4.0


def test_cutouts_are_people_sized_photos_with_masks():
    target, distractor = astronaut_cutout(), distractor_cutout()
    assert target.image.shape[:2] == target.mask.shape
    assert 0.3 < (target.mask > 0).mean() < 0.95
    assert target.height_m == pytest.approx(0.9)
    assert target.centre_height_m == pytest.approx(1.3)
    assert 0.5 < target.width_m < 0.8
    # The distractor is the same shape mirrored, in another colour.
    assert np.array_equal(distractor.mask, target.mask[:, ::-1])
    assert not np.array_equal(distractor.image, target.image[:, ::-1])
    with pytest.raises(ValueError):
        target.image[0, 0] = 0
