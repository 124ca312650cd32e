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

"""Tracker association, prediction (own motion and the robot's turn) and track lifetime."""
import math

from liquid_edge_follow.box import Box
from liquid_edge_follow.motion import image_x_after_turn, image_y_after_tilt
from liquid_edge_follow.tracker import MultiObjectTracker, TrackerConfig
import numpy as np
import pytest


def person(x, y, w=60.0, h=150.0, name='person'):
    """Build a box centred at (x, y) px."""
    return Box(name, x, y, w, h, 0.9)


def ids(tracks):
    """Map each track's box centre x to its id."""
    return {t.box.center_x: t.track_id for t in tracks}


def test_box_iou_of_known_overlaps():
    a = Box('person', 50.0, 50.0, 100.0, 100.0)
    assert a.iou(a) == pytest.approx(1.0)
    assert a.iou(Box('person', 100.0, 50.0, 100.0, 100.0)) == pytest.approx(50 / 150)
    assert a.iou(Box('person', 300.0, 50.0, 100.0, 100.0)) == 0.0


@pytest.mark.parametrize('values', [(0, 0, 0, 10), (0, 0, 10, -1), (math.nan, 0, 10, 10)])
def test_box_refuses_impossible_values(values):
    with pytest.raises(ValueError):
        Box('person', *values)


def test_slowly_moving_object_keeps_its_id():
    tracker = MultiObjectTracker()
    first = tracker.update([person(100, 200)], 0.0)[0].track_id
    for step in range(1, 20):
        tracks = tracker.update([person(100 + 5 * step, 200)], step * 0.1)
        assert [t.track_id for t in tracks] == [first]


def test_jump_without_overlap_within_the_gate_keeps_its_id():
    tracker = MultiObjectTracker(TrackerConfig(max_centroid_distance=1.0))
    first = tracker.update([person(100, 200)], 0.0)[0].track_id
    assert [t.track_id for t in tracker.update([person(200, 200)], 0.1)] == [first]


def test_jump_beyond_the_gate_starts_a_new_track():
    tracker = MultiObjectTracker(TrackerConfig(max_centroid_distance=1.0))
    first = tracker.update([person(100, 200)], 0.0)[0].track_id
    tracks = tracker.update([person(400, 200)], 0.1)
    assert first in [t.track_id for t in tracks]
    assert len({t.track_id for t in tracks}) == 2


def test_classes_never_share_a_track():
    tracker = MultiObjectTracker()
    tracker.update([person(100, 200)], 0.0)
    tracks = tracker.update([person(100, 200, name='dog')], 0.1)
    by_class = {t.class_name: t for t in tracks}
    assert by_class['person'].missed == 1
    assert by_class['dog'].missed == 0
    assert by_class['person'].track_id != by_class['dog'].track_id


def test_track_lives_through_its_timeout_and_is_dropped_after():
    tracker = MultiObjectTracker(TrackerConfig(timeout=1.0))
    first = tracker.update([person(100, 200)], 0.0)[0].track_id
    assert tracker.get(first) is not None and tracker.update([], 1.0)
    assert tracker.get(first).missed == 1
    assert tracker.update([], 1.01) == []
    assert tracker.get(first) is None


def test_ids_are_never_reused():
    tracker = MultiObjectTracker(TrackerConfig(timeout=0.5))
    first = tracker.update([person(100, 200)], 0.0)[0].track_id
    tracker.update([], 1.0)
    assert tracker.update([person(100, 200)], 1.1)[0].track_id != first


def test_two_people_crossing_frames_keep_their_ids_by_overlap():
    tracker = MultiObjectTracker()
    start = ids(tracker.update([person(100, 200), person(300, 200)], 0.0))
    moved = ids(tracker.update([person(120, 200), person(280, 200)], 0.1))
    assert moved[120] == start[100] and moved[280] == start[300]


@pytest.mark.parametrize('kwargs', [{'timeout': 0.0}, {'iou_threshold': 0.0},
                                    {'iou_threshold': 1.5}, {'max_centroid_distance': -1.0},
                                    {'max_size_ratio': 0.9},
                                    {'timeout': 2.0, 'occlusion_timeout': 1.0},
                                    {'occluded_share': 0.0}])
def test_config_refuses_bad_values(kwargs):
    with pytest.raises(ValueError):
        TrackerConfig(**kwargs)


def look(*values):
    """Build an L2-normalised descriptor."""
    vector = np.asarray(values, np.float32)
    return vector / np.linalg.norm(vector)


def test_walking_person_is_found_where_the_prediction_says_not_where_she_was():
    # 150 px/s to the right at 5 fps: the third frame's box overlaps the prediction only.
    tracker = MultiObjectTracker(TrackerConfig(max_centroid_distance=0.1))
    first = tracker.update([person(100, 240, 100)], 0.0)[0].track_id
    tracker.update([person(130, 240, 100)], 0.2)
    tracker.update([person(160, 240, 100)], 0.4)
    tracks = tracker.update([person(205, 240, 100)], 0.7)   # a frame late: 45 px in 0.3 s
    assert [t.track_id for t in tracks] == [first]
    assert tracks[0].velocity_x == pytest.approx(150.0, rel=0.2)


def test_a_person_walking_at_the_camera_is_predicted_nearer_while_missed():
    # Her box grows 100 px/s (0.4 of 250 px frames at 5 fps); the detector then misses her.
    tracker = MultiObjectTracker()
    tracker.update([person(320, 240, 60, 150)], 0.0)
    tracker.update([person(320, 240, 64, 160)], 0.1)
    track = tracker.update([person(320, 240, 68, 170)], 0.2)[0]
    assert track.velocity_h == pytest.approx(100.0, rel=0.2)
    predicted = track.predicted(0.7)
    assert predicted.height == pytest.approx(170.0 + track.velocity_h * 0.5)
    # Her shape is kept, and the horizon caps the growth as it caps the motion.
    assert predicted.width / predicted.height == pytest.approx(68.0 / 170.0)
    assert track.predicted(5.0, horizon=0.5).height == predicted.height
    # Walking away shrinks the box, at most to half.
    track.velocity_h = -200.0
    assert track.predicted(10.0).height == pytest.approx(85.0)


def test_gimbal_tilt_is_taken_out_of_the_prediction_and_the_velocity():
    # The person stands still; the gimbal pitches up 0.2 rad between two frames: she slides
    # down. Her track continues, with no vertical velocity of her own.
    focal, centre = 530.0, 240.0
    tilted = image_y_after_tilt(240.0, -0.2, focal, centre)
    assert tilted == pytest.approx(centre + focal * math.tan(0.2))

    def ego(x, y, since):
        return x, image_y_after_tilt(y, -0.2 if since < 0.1 else 0.0, focal, centre)
    tracker = MultiObjectTracker(TrackerConfig(max_centroid_distance=0.1))
    first = tracker.update([person(320, 240)], 0.0)[0].track_id
    tracks = tracker.update([person(320, tilted)], 0.1, ego)
    assert [t.track_id for t in tracks] == [first]
    assert tracks[0].velocity_y == pytest.approx(0.0, abs=1e-6)
    assert tracks[0].predicted(0.5).center_y == pytest.approx(tilted)


def test_robot_turn_is_taken_out_of_the_prediction():
    # The person stands still; the robot turns left (CCW) 0.3 rad: she slides right.
    focal, centre = 530.0, 320.0
    turned = image_x_after_turn(320.0, 0.3, focal, centre)
    assert turned == pytest.approx(centre + focal * math.tan(0.3))

    def ego(x, y, since):
        return image_x_after_turn(x, 0.3 if since < 0.5 else 0.0, focal, centre), y
    tracker = MultiObjectTracker(TrackerConfig(max_centroid_distance=0.1))
    first = tracker.update([person(320, 240)], 0.0)[0].track_id
    tracks = tracker.update([person(turned, 240)], 0.5, ego)
    assert [t.track_id for t in tracks] == [first]
    # Her own velocity stays zero: the slide was the robot's, not hers.
    assert tracks[0].velocity_x == pytest.approx(0.0, abs=1e-6)
    # Without the turn, the same frame starts a new track (no overlap, gate 0.1 diagonal).
    tracker = MultiObjectTracker(TrackerConfig(max_centroid_distance=0.1))
    tracker.update([person(320, 240)], 0.0)
    assert len(tracker.update([person(turned, 240)], 0.5)) == 2


def test_a_detection_that_looks_unlike_a_track_does_not_continue_it():
    tracker = MultiObjectTracker(TrackerConfig(min_appearance=0.8))
    orange, blue = look(1.0, 0.1, 0.0), look(0.0, 0.1, 1.0)
    first = tracker.update([Box('person', 200, 240, 60, 150, 0.9, orange)], 0.0)[0]
    # Same place, other look (a person stepping in front): a new track, the old one missed.
    tracks = tracker.update([Box('person', 205, 240, 60, 150, 0.9, blue)], 0.1)
    assert {t.track_id for t in tracks} == {first.track_id, tracks[-1].track_id}
    assert tracker.get(first.track_id).missed == 1
    # The same look continues it.
    tracks = tracker.update([Box('person', 200, 240, 60, 150, 0.9, orange),
                             Box('person', 205, 240, 60, 150, 0.9, blue)], 0.2)
    assert tracker.get(first.track_id).missed == 0


def test_an_overlapped_detection_changes_neither_look_nor_velocity():
    tracker = MultiObjectTracker(TrackerConfig(min_appearance=0.5))
    orange, blue = look(1.0, 0.1, 0.0), look(0.0, 0.1, 1.0)
    mixed = look(0.6, 0.1, 0.5)
    first = tracker.update([Box('person', 200, 240, 60, 150, 0.9, orange)], 0.0)[0]
    # She is half behind a blue person: her box's look is mixed, but it is still her.
    tracker.update([Box('person', 205, 240, 60, 150, 0.9, mixed),
                    Box('person', 250, 250, 70, 170, 0.9, blue)], 0.1)
    assert tracker.get(first.track_id).missed == 0
    assert tracker.get(first.track_id).box.center_x == 205
    # The mixed look does not become the track's look, nor the shift its velocity.
    assert tracker.get(first.track_id).appearance == pytest.approx(orange)
    assert tracker.get(first.track_id).velocity_x == 0.0


def test_a_track_hidden_behind_a_nearer_person_lives_until_the_occlusion_timeout():
    tracker = MultiObjectTracker(TrackerConfig(timeout=0.5, occlusion_timeout=2.0))
    orange, blue = look(1.0, 0.1, 0.0), look(0.0, 0.1, 1.0)
    her = tracker.update([Box('person', 300, 240, 60, 150, 0.9, orange)], 0.0)[0].track_id
    front = Box('person', 305, 250, 90, 220, 0.9, blue)
    for stamp in (0.4, 1.0, 1.9):
        tracker.update([front], stamp)
        assert tracker.get(her) is not None and tracker.get(her).missed
    tracker.update([front], 2.1)
    assert tracker.get(her) is None
    # A shorter (farther) person over her prediction hides nobody: the plain timeout holds.
    tracker = MultiObjectTracker(TrackerConfig(timeout=0.5, occlusion_timeout=2.0))
    her = tracker.update([Box('person', 300, 240, 60, 150, 0.9, orange)], 0.0)[0].track_id
    tracker.update([Box('person', 305, 240, 50, 120, 0.9, blue)], 0.6)
    assert tracker.get(her) is None


def test_a_hidden_track_is_predicted_still_past_the_timeout():
    tracker = MultiObjectTracker(TrackerConfig(timeout=0.5, occlusion_timeout=3.0))
    her = tracker.update([person(100, 240)], 0.0)[0]
    tracker.update([person(120, 240)], 0.2)     # 100 px/s
    assert her.predicted(0.7, horizon=0.5).center_x == pytest.approx(170.0)
    assert her.predicted(2.2, horizon=0.5).center_x == pytest.approx(170.0)


def test_a_person_in_front_never_continues_the_track_of_the_one_behind():
    # Both looks pass the gate (0.5), but the blue box is blue's more than orange's.
    tracker = MultiObjectTracker(TrackerConfig(min_appearance=0.5))
    orange, blue = look(1.0, 0.5, 0.2), look(0.4, 0.5, 1.0)
    tracks = tracker.update([Box('person', 300, 240, 60, 150, 0.9, orange),
                             Box('person', 420, 250, 80, 200, 0.9, blue)], 0.0)
    her, him = tracks[0].track_id, tracks[1].track_id
    # He walks in front of her; the detector sees him only, over both predictions. His own
    # prediction lags (he sped up), so by overlap alone her track would be the cheaper one.
    tracker.update([Box('person', 310, 250, 80, 200, 0.9, blue)], 0.1)
    assert tracker.get(her).missed == 1
    assert tracker.get(him).missed == 0 and tracker.get(him).box.center_x == 310


def test_the_height_growth_of_a_person_walking_closer_is_measured():
    tracker = MultiObjectTracker()
    track = tracker.update([person(320, 240, 60, 150)], 0.0)[0]
    for step in range(1, 10):
        tracker.update([person(320, 240, 60, 150 + 10 * step)], 0.1 * step)
    assert track.velocity_h == pytest.approx(100.0, rel=0.05)


def test_a_box_cut_by_someone_in_front_changes_no_velocity():
    tracker = MultiObjectTracker()
    track = tracker.update([person(300, 240, 100, 200)], 0.0)[0]
    # Her left half is hidden: the box narrows and its centre moves right, she does not.
    tracker.update([person(325, 240, 50, 200)], 0.1)
    assert track.missed == 0 and track.velocity_x == 0.0
