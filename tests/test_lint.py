"""The Python outside ros2_ws follows the same style as the ROS packages (ament_flake8)."""
import pathlib

from ament_flake8.main import main_with_errors
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
# ros2_ws packages lint themselves in colcon test; everything else is linted here.
PATHS = ['benchmarks', 'docker', 'edge', 'launch', 'protocol/setup.py',
         'protocol/liquid_edge_protocol/__init__.py', 'scripts', 'tests']


@pytest.mark.linter
def test_flake8(monkeypatch):
    monkeypatch.chdir(ROOT)
    rc, errors = main_with_errors(argv=PATHS)
    assert rc == 0, f'Found {len(errors)} code style errors / warnings:\n' + '\n'.join(errors)
