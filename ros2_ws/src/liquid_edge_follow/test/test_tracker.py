"""Tracker association, track lifetime and target choice (with distractors)."""
import math

from liquid_edge_follow.box import Box
from liquid_edge_follow.tracker import choose_target, MultiObjectTracker, TrackerConfig
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


def test_target_is_the_largest_of_the_target_class():
    tracker = MultiObjectTracker()
    tracks = tracker.update([person(100, 200, 40, 100), person(300, 200, 80, 200),
                             person(500, 200, 200, 300, name='car')], 0.0)
    assert choose_target(tracks, 'person', None).box.center_x == 300


def test_no_target_when_the_class_is_absent():
    tracks = MultiObjectTracker().update([person(100, 200, name='dog')], 0.0)
    assert choose_target(tracks, 'person', None) is None


def test_bigger_distractor_does_not_steal_the_target():
    tracker = MultiObjectTracker()
    tracks = tracker.update([person(100, 240, 60, 150)], 0.0)
    target = choose_target(tracks, 'person', None)
    for step in range(1, 10):
        tracks = tracker.update([person(100 + 8 * step, 240, 60, 150),
                                 person(500 - 5 * step, 240, 150, 350)], 0.1 * step)
        target = choose_target(tracks, 'person', target.track_id)
        assert target.box.center_x == 100 + 8 * step
    assert target.track_id == tracks[0].track_id


def test_target_survives_a_missed_frame_then_is_replaced_when_dropped():
    tracker = MultiObjectTracker(TrackerConfig(timeout=0.5))
    target = choose_target(tracker.update([person(100, 240)], 0.0), 'person', None)
    other = person(400, 240, 30, 80)
    kept = choose_target(tracker.update([other], 0.2), 'person', target.track_id)
    assert kept.track_id == target.track_id
    replaced = choose_target(tracker.update([other], 0.6), 'person', target.track_id)
    assert replaced.track_id != target.track_id
    assert replaced.box == other


def test_new_lock_only_on_objects_seen_in_the_latest_frame():
    tracker = MultiObjectTracker(TrackerConfig(timeout=1.0))
    tracker.update([person(100, 240)], 0.0)
    assert choose_target(tracker.update([], 0.1), 'person', None) is None


def test_current_target_of_another_class_is_not_kept():
    tracks = MultiObjectTracker().update([person(100, 240, name='dog'), person(300, 240)], 0.0)
    dog = next(t for t in tracks if t.class_name == 'dog')
    assert choose_target(tracks, 'person', dog.track_id).class_name == 'person'


def test_missed_target_does_not_pass_to_a_smaller_person_nearby():
    tracker = MultiObjectTracker()
    target = choose_target(tracker.update([person(300, 240, 100, 250)], 0.0), 'person', None)
    # The target is missed for a frame; a far (small) person stands within the centroid gate.
    tracks = tracker.update([person(420, 200, 25, 60)], 0.1)
    assert choose_target(tracks, 'person', target.track_id).box.center_x == 300
    assert len({t.track_id for t in tracks}) == 2


@pytest.mark.parametrize('kwargs', [{'timeout': 0.0}, {'iou_threshold': 0.0},
                                    {'iou_threshold': 1.5}, {'max_centroid_distance': -1.0},
                                    {'max_size_ratio': 0.9}])
def test_config_refuses_bad_values(kwargs):
    with pytest.raises(ValueError):
        TrackerConfig(**kwargs)


def test_bigger_distractor_overlapping_the_target_does_not_steal_it():
    tracker = MultiObjectTracker()
    target = choose_target(tracker.update([person(200, 240, 60, 150)], 0.0), 'person', None)
    tracks = tracker.update([person(240, 240, 150, 350), person(205, 240, 60, 150)], 0.1)
    target = choose_target(tracks, 'person', target.track_id)
    assert target.box.center_x == 205
