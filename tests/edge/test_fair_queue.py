"""The fleet's waiting frames: robots in turn, newest first, late and surplus frames dropped."""
from liquid_edge.fair_queue import FairQueue, Waiting
import pytest


def _put_all(queue: FairQueue, frames: list[tuple[str, str, float]]) -> list:
    return [queue.put(Waiting(name, robot, deadline)) for robot, name, deadline in frames]


def test_robots_are_served_in_turn_whatever_their_rate():
    queue = FairQueue(max_per_robot=10)
    _put_all(queue, [('fast', f'fast-{i}', 10.0) for i in range(6)])
    _put_all(queue, [('slow-a', 'a-0', 10.0), ('slow-b', 'b-0', 10.0)])
    first = queue.take(3, now=0.0)
    assert [w.item for w in first.run] == ['fast-5', 'a-0', 'b-0']
    rest = queue.take(10, now=0.0)
    assert [w.item for w in rest.run] == [f'fast-{i}' for i in (4, 3, 2, 1, 0)]
    assert len(queue) == 0


def test_the_turn_carries_over_from_one_take_to_the_next():
    queue = FairQueue(max_per_robot=10)
    _put_all(queue, [('a', 'a-0', 10.0), ('a', 'a-1', 10.0), ('b', 'b-0', 10.0),
                     ('b', 'b-1', 10.0), ('c', 'c-0', 10.0)])
    assert [w.item for w in queue.take(2, now=0.0).run] == ['a-1', 'b-1']
    assert [w.item for w in queue.take(2, now=0.0).run] == ['c-0', 'a-0']
    assert [w.item for w in queue.take(2, now=0.0).run] == ['b-0']


def test_frames_that_cannot_meet_their_deadline_are_dropped_not_run():
    queue = FairQueue(max_per_robot=10)
    _put_all(queue, [('a', 'due-soon', 1.05), ('b', 'due-later', 2.0)])
    taken = queue.take(4, now=1.0, service_s=0.1)
    assert [w.item for w in taken.run] == ['due-later']
    assert [w.item for w in taken.late] == ['due-soon']
    assert len(queue) == 0


def test_a_robot_beyond_its_share_loses_its_oldest_frame():
    queue = FairQueue(max_per_robot=2)
    dropped = _put_all(queue, [('a', 'a-0', 9.0), ('a', 'a-1', 9.0), ('a', 'a-2', 9.0),
                               ('b', 'b-0', 9.0)])
    assert [d.item if d else None for d in dropped] == [None, None, 'a-0', None]
    assert len(queue) == 3
    assert [w.item for w in queue.take(5, now=0.0).run] == ['a-2', 'b-0', 'a-1']


def test_a_robot_needs_room_for_one_frame():
    with pytest.raises(ValueError, match='max per robot must be >= 1'):
        FairQueue(max_per_robot=0)


def test_the_least_served_robot_goes_first_and_a_late_frame_keeps_its_turn():
    queue = FairQueue(max_per_robot=10)
    _put_all(queue, [('fast', f'fast-{i}', 10.0) for i in range(5)])
    assert [w.item for w in queue.take(2, now=0.0).run] == ['fast-4', 'fast-3']
    _put_all(queue, [('slow', 'slow-a', 10.0), ('slow', 'slow-b', 0.5)])
    # Joining at par with the robot waiting, the slow robot does not jump the queue.
    assert [w.item for w in queue.take(1, now=1.0).run] == ['fast-2']
    taken = queue.take(1, now=1.0)
    assert ([w.item for w in taken.late], [w.item for w in taken.run]) == (
        ['slow-b'], ['slow-a']), 'its late frame did not cost the slow robot its turn'
    assert [w.item for w in queue.take(5, now=1.0).run] == ['fast-1', 'fast-0']


def test_a_robot_whose_queue_runs_dry_at_each_turn_does_not_come_back_ahead():
    queue = FairQueue(max_per_robot=10)
    _put_all(queue, [('fast', f'fast-{i}', 10.0) for i in range(9)])
    _put_all(queue, [('a', 'a', 10.0), ('b', 'b', 10.0)])
    served = {'fast': 0, 'a': 0, 'b': 0}
    for _ in range(9):
        (taken,) = queue.take(1, now=0.0).run
        served[taken.robot] += 1
        if taken.robot != 'fast':  # a and b send their next frame once answered
            queue.put(Waiting(taken.robot, taken.robot, 10.0))
    assert served == {'fast': 3, 'a': 3, 'b': 3}
