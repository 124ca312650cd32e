"""How many cores a service counts: its affinity, capped by a cgroup v2 CPU quota."""
import os

from liquid_edge.cli import usable_cores
import pytest

AFFINITY = len(os.sched_getaffinity(0))


@pytest.mark.parametrize(('cpu_max', 'expected'), [
    ('max 100000\n', AFFINITY),
    ('100000 100000\n', 1),
    ('150000 100000\n', min(AFFINITY, 2)),
    ('50000 100000\n', 1),
    ('6400000 100000\n', AFFINITY),
])
def test_a_quota_caps_the_cores(tmp_path, cpu_max, expected):
    (tmp_path / 'cpu.max').write_text(cpu_max)
    assert usable_cores(tmp_path) == expected


def test_without_a_cgroup_file_the_affinity_counts(tmp_path):
    assert usable_cores(tmp_path) == AFFINITY


def test_an_unreadable_quota_is_ignored(tmp_path):
    (tmp_path / 'cpu.max').write_text('garbage\n')
    assert usable_cores(tmp_path) == AFFINITY
