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

"""The target's identity: first acquisition, coasting, gallery, re-acquisition, policies."""
from liquid_edge_follow.appearance import Gallery, similarity
from liquid_edge_follow.box import Box
from liquid_edge_follow.target import IdentityConfig, LARGEST, TargetIdentity
from liquid_edge_follow.tracker import MultiObjectTracker, TrackerConfig
import numpy as np
import pytest

ORANGE = (1.0, 0.2, 0.0)
BLUE = (0.0, 0.2, 1.0)


def look(values, noise=0.0, seed=0):
    """Return an L2-normalised descriptor, optionally jittered."""
    vector = np.asarray(values, np.float32) + noise * np.random.default_rng(seed).random(3)
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def person(x, w=60.0, h=150.0, appearance=None, name='person'):
    """Build a box centred at (x, 240) px."""
    return Box(name, x, 240.0, w, h, 0.9,
               None if appearance is None else look(appearance))


# Most tests start from a final lock in the first frame; the stable first acquisition has its
# own tests.
FIRST_FRAME = IdentityConfig(acquire_frames=1, acquire_window=0.0)


class Scene:
    """A tracker and a target identity fed frame by frame, 10 fps."""

    def __init__(self, config=FIRST_FRAME, timeout=0.5):
        self.tracker = MultiObjectTracker(TrackerConfig(timeout=timeout))
        self.identity = TargetIdentity(config)
        self.stamp = 0.0

    def frame(self, *boxes):
        self.stamp += 0.1
        tracks = self.tracker.update(list(boxes), self.stamp)
        return self.identity.update(tracks, 'person', self.stamp)


def test_gallery_keeps_distinct_looks_and_scores_the_best_matches():
    gallery = Gallery(size=2, top=1)
    assert gallery.similarity(look(ORANGE)) is None
    gallery.add(look(BLUE))
    gallery.add(look(ORANGE))
    assert gallery.similarity(look(ORANGE)) == pytest.approx(1.0)
    reddish = look((1.0, 0.0, 0.1))
    gallery.add(reddish)          # full: it replaces the look most like it (orange)
    assert len(gallery) == 2
    assert gallery.similarity(look(BLUE)) == pytest.approx(1.0)
    assert gallery.similarity(reddish) == pytest.approx(1.0)
    assert gallery.similarity(look(ORANGE)) < 0.99
    with pytest.raises(ValueError):
        gallery.add(np.ones(4, np.float32) / 2.0)
    assert similarity(look(ORANGE), look(ORANGE)) == pytest.approx(1.0)
    # With top 2, one matching descriptor among strangers is not enough.
    gallery = Gallery(size=3, top=2)
    for vector in (look(ORANGE), look(BLUE), look((0.0, 1.0, 0.0))):
        gallery.add(vector)
    assert gallery.similarity(look(ORANGE)) < 0.7


def test_a_far_look_survives_many_near_ones():
    # She walked up to the robot: 60 frames of her near, cut-off look after 10 far ones.
    gallery = Gallery(size=30)
    far = look(ORANGE)
    for index in range(10):
        gallery.add(look(ORANGE, noise=0.02, seed=index))
    for index in range(60):
        gallery.add(look((1.0, 0.6, 0.3), noise=0.05, seed=100 + index))
    assert gallery.similarity(far) > 0.99


def test_first_acquisition_is_the_largest_person_of_the_class():
    scene = Scene()
    target = scene.frame(person(100, 40, 100), person(300, 80, 200),
                         person(500, 200, 300, name='car'))
    assert target.box.center_x == 300


def test_first_acquisition_waits_until_the_largest_is_seen_in_frames_in_a_row():
    scene = Scene(IdentityConfig(acquire_frames=3, acquire_window=0.0))
    near, far = person(300, 80, 200, appearance=ORANGE), person(500, 30, 80, appearance=BLUE)
    assert scene.frame(near, far) is None
    assert scene.frame(near, far) is None
    assert scene.frame(near, far).box.center_x == 300


def test_first_acquisition_skips_a_frame_in_which_the_largest_was_missed():
    scene = Scene(IdentityConfig(acquire_frames=3, acquire_window=0.0))
    near, far = person(300, 80, 200, appearance=ORANGE), person(500, 30, 80, appearance=BLUE)
    scene.frame(near, far)
    scene.frame(near, far)
    # The detector misses the near person: the far one is seen, but is not the largest track.
    assert scene.frame(far) is None
    assert scene.frame(near, far) is None
    assert scene.frame(near, far) is None
    assert scene.frame(near, far).box.center_x == 300


def test_a_larger_person_takes_the_first_lock_within_the_window_only():
    scene = Scene(IdentityConfig(acquire_frames=2, acquire_window=0.5), timeout=2.0)
    near, far = person(300, 80, 200, appearance=ORANGE), person(500, 70, 180, appearance=BLUE)
    # The detector misses the near person at first: the far one is locked, provisionally.
    scene.frame(far)
    assert scene.frame(far).box.center_x == 500
    assert scene.frame(near, far).box.center_x == 500    # seen once: not steadily yet
    assert scene.frame(near, far).box.center_x == 300
    assert scene.identity.gallery.similarity(look(BLUE)) < 0.5
    # A smaller person never takes it, not even while her track is lost within the window.
    scene = Scene(IdentityConfig(acquire_frames=2, acquire_window=0.5), timeout=0.15)
    scene.frame(near, far)
    assert scene.frame(near, far).box.center_x == 300
    for _ in range(3):
        view = scene.frame(far)
    assert view is None
    # Past the window the lock is final: a larger person no longer takes it.
    scene = Scene(IdentityConfig(acquire_frames=2, acquire_window=0.5), timeout=2.0)
    for _ in range(7):
        view = scene.frame(far)
    for _ in range(3):
        view = scene.frame(near, far)
    assert view.box.center_x == 500


def test_the_first_lock_goes_only_to_a_person_larger_in_frames_in_a_row():
    scene = Scene(IdentityConfig(acquire_frames=3, acquire_window=2.0), timeout=2.0)
    her, him = person(300, 80, 200, appearance=ORANGE), person(500, 70, 180, appearance=BLUE)
    for _ in range(3):
        view = scene.frame(her, him)
    assert view.box.center_x == 300
    # Her box comes out small in one frame, then in two: he stays the stranger. (Small, not
    # so small that her track's predicted box, shrinking with it, no longer overlaps it.)
    half = person(300, 48, 130, appearance=ORANGE)
    assert scene.frame(half, him).box.center_x == 300
    assert scene.frame(her, him).box.center_x == 300
    assert scene.frame(half, him).box.center_x == 300
    assert scene.frame(half, him).box.center_x == 300
    assert scene.frame(her, him).box.center_x == 300
    # Larger in three frames in a row (she walked off, say): he takes the provisional lock.
    for _ in range(3):
        view = scene.frame(half, him)
    assert view.box.center_x == 500


def test_no_target_when_the_class_is_absent():
    assert Scene().frame(person(100, name='dog')) is None


def test_bigger_distractor_does_not_steal_the_target():
    scene = Scene()
    target = scene.frame(person(100, 60, 150))
    for step in range(1, 10):
        view = scene.frame(person(100 + 8 * step, 60, 150), person(500 - 5 * step, 150, 350))
        assert view.track.track_id == target.track.track_id
        assert view.box.center_x == 100 + 8 * step


def test_missed_target_coasts_on_its_prediction_not_on_a_smaller_person_nearby():
    scene = Scene()
    target = scene.frame(person(300, 100, 250))
    view = scene.frame(person(420, 25, 60))
    assert view.track.track_id == target.track.track_id and view.coasting
    assert view.box.center_x == pytest.approx(300.0)


def test_gallery_learns_only_unambiguous_sightings():
    scene = Scene()
    scene.frame(person(200, appearance=ORANGE))
    assert len(scene.identity.gallery) == 1
    # A blue person overlapping the target: the target's sighting is not learnt.
    scene.frame(person(200, appearance=ORANGE), person(230, appearance=BLUE))
    assert len(scene.identity.gallery) == 1
    scene.frame(person(200, appearance=ORANGE), person(450, appearance=BLUE))
    assert len(scene.identity.gallery) == 2


def test_same_target_reacquires_only_a_matching_look_never_the_largest():
    scene = Scene(timeout=0.3)
    target = scene.frame(person(200, appearance=ORANGE))
    for _ in range(5):
        scene.frame(person(200, appearance=ORANGE), person(500, 120, 300, appearance=BLUE))
    # The target leaves; her track dies; the large blue person stays.
    for _ in range(5):
        view = scene.frame(person(500, 120, 300, appearance=BLUE))
    assert view is None
    # She comes back from the other side: a new track, re-acquired after two sightings.
    assert scene.frame(person(500, 120, 300, appearance=BLUE),
                       person(60, appearance=ORANGE)) is None
    view = scene.frame(person(500, 120, 300, appearance=BLUE), person(62, appearance=ORANGE))
    assert view.box.center_x == 62 and view.track.track_id != target.track.track_id
    assert view.match_score == pytest.approx(1.0)


def she_left_him_in_view():
    """Return a scene in which she (orange) was followed, then lost; he (blue) stays."""
    scene = Scene(timeout=0.3)
    scene.frame(person(200, appearance=ORANGE))
    for _ in range(5):
        scene.frame(person(500, 120, 300, appearance=BLUE))
    return scene


def test_a_matching_look_that_overlaps_someone_is_not_reacquired():
    scene = she_left_him_in_view()
    # She comes back half in front of the blue person: her box holds part of him.
    for _ in range(3):
        assert scene.frame(person(500, 120, 300, appearance=BLUE),
                           person(450, appearance=ORANGE)) is None
    view = scene.frame(person(500, 120, 300, appearance=BLUE), person(300, appearance=ORANGE))
    assert view is not None and view.box.center_x == 300


def test_a_box_overlapping_someone_missed_in_this_frame_is_not_reacquired():
    scene = she_left_him_in_view()
    # A look like hers beside the blue person, whom the detector misses in these frames: his
    # track lives, the box holds part of him, it is not re-acquired.
    scene.frame(person(500, 120, 300, appearance=BLUE), person(430, appearance=ORANGE))
    assert scene.frame(person(430, appearance=ORANGE)) is None
    assert scene.frame(person(431, appearance=ORANGE)) is None
    # His track gone, she is alone: re-acquired.
    view = None
    for step in range(4):
        view = scene.frame(person(432 + step, appearance=ORANGE))
    assert view is not None and view.box.center_x == 435


def test_her_own_stale_track_does_not_keep_her_from_being_reacquired():
    scene = she_left_him_in_view()
    # Back in view: one sighting starts a track, the next one, twice as large (a box that
    # took all of her this time), starts another; the first still lives and overlaps it.
    scene.frame(person(500, 120, 300, appearance=BLUE), person(100, appearance=ORANGE))
    scene.frame(person(500, 120, 300, appearance=BLUE),
                person(140, 120, 300, appearance=ORANGE))
    assert len([t for t in scene.tracker.tracks if t.box.overlaps(person(140, 120, 300))]) == 2
    view = scene.frame(person(500, 120, 300, appearance=BLUE),
                       person(142, 120, 300, appearance=ORANGE))
    assert view is not None and view.box.center_x == 142


def test_a_withheld_match_in_view_is_reported_as_likely():
    scene = she_left_him_in_view()
    assert not scene.identity.likely_in_view
    # She is back, half in front of the blue person: not re-acquired, but likely her.
    assert scene.frame(person(500, 120, 300, appearance=BLUE),
                       person(450, appearance=ORANGE)) is None
    assert scene.identity.likely_in_view
    # Only someone unlike her in view: nothing likely.
    scene.frame(person(500, 120, 300, appearance=BLUE))
    assert not scene.identity.likely_in_view
    # Re-acquired, she is the target: no longer a mere likelihood.
    scene.frame(person(500, 120, 300, appearance=BLUE), person(200, appearance=ORANGE))
    view = scene.frame(person(500, 120, 300, appearance=BLUE), person(202, appearance=ORANGE))
    assert view is not None and not scene.identity.likely_in_view


def test_same_target_without_descriptors_reacquires_nobody():
    scene = Scene(timeout=0.3)
    scene.frame(person(200))
    for _ in range(5):
        view = scene.frame(person(500, 120, 300))
    assert view is None


def test_largest_policy_locks_on_the_largest_after_a_loss():
    scene = Scene(IdentityConfig(policy=LARGEST, acquire_frames=1, acquire_window=0.0),
                  timeout=0.3)
    target = scene.frame(person(200, appearance=ORANGE))
    for _ in range(5):
        view = scene.frame(person(500, 120, 300, appearance=BLUE))
    assert view.box.center_x == 500 and view.track.track_id != target.track.track_id


def test_a_track_taken_over_by_another_look_stops_being_the_target():
    scene = Scene()
    scene.frame(person(200, appearance=ORANGE))
    # The tracker lets the track continue (no appearance gate), the identity does not.
    scene.tracker.config = TrackerConfig(min_appearance=0.0, timeout=0.5)
    assert scene.frame(person(205, appearance=BLUE)) is None


def test_a_doubtful_sighting_coasts_on_the_last_sure_one_for_the_horizon_then_is_dropped():
    scene = Scene()
    target = scene.frame(person(200, appearance=ORANGE))
    # A box holding part of someone else too: similar enough to keep, not to be sure.
    mixed = (1.0, 0.2, 0.8)
    assert 0.75 < similarity(look(ORANGE), look(mixed)) < 0.85
    tracks = scene.tracker.update([person(230, 90, appearance=mixed)], 0.2)
    view = scene.identity.update(tracks, 'person', 0.2, horizon=0.5)
    assert view.track.track_id == target.track.track_id and view.coasting
    assert view.box.center_x == pytest.approx(200.0)
    # Past the horizon with nothing but doubtful sightings, the track is not hers any more
    # (the person in front took it over as she left): she is lost, and that look, below
    # reacquire_similarity, is not re-acquired.
    tracks = scene.tracker.update([person(232, 90, appearance=mixed)], 0.7)
    assert scene.identity.update(tracks, 'person', 0.7, horizon=0.5) is None
    assert scene.identity.track_id is None
    tracks = scene.tracker.update([person(234, 90, appearance=mixed)], 0.8)
    assert scene.identity.update(tracks, 'person', 0.8, horizon=0.5) is None
    # Her sure look brings her back.
    tracks = scene.tracker.update([person(420, appearance=ORANGE)], 0.9)
    scene.identity.update(tracks, 'person', 0.9, horizon=0.5)
    tracks = scene.tracker.update([person(422, appearance=ORANGE)], 1.0)
    view = scene.identity.update(tracks, 'person', 1.0, horizon=0.5)
    assert view is not None and view.box.center_x == 422


def test_forget_then_the_largest_is_acquired_and_select_picks_a_track():
    scene = Scene(timeout=0.3)
    scene.frame(person(200, appearance=ORANGE), person(500, 120, 300, appearance=BLUE))
    scene.identity.forget()
    view = scene.frame(person(200, appearance=ORANGE), person(500, 120, 300, appearance=BLUE))
    assert view.box.center_x == 500
    orange = next(t for t in scene.tracker.tracks if t.box.center_x == 200)
    scene.identity.select(orange)
    view = scene.frame(person(200, appearance=ORANGE), person(500, 120, 300, appearance=BLUE))
    assert view.track.track_id == orange.track_id
    assert scene.identity.gallery.similarity(look(BLUE)) < 0.5


@pytest.mark.parametrize('kwargs', [{'policy': 'nearest'}, {'gallery_size': 0},
                                    {'reacquire_similarity': 1.5}, {'keep_similarity': -0.1},
                                    {'acquire_frames': 0}, {'acquire_window': -1.0}])
def test_identity_config_refuses_bad_values(kwargs):
    with pytest.raises(ValueError):
        IdentityConfig(**kwargs)
