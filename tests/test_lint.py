"""The Python outside ros2_ws follows the same style as the ROS packages (ament_flake8)."""
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
# ros2_ws packages lint themselves in colcon test; everything else is linted here.
PATHS = ['benchmarks', 'docker', 'edge', 'launch', 'protocol/setup.py',
         'protocol/liquid_edge_protocol/__init__.py', 'scripts', 'tests']


@pytest.mark.linter
def test_flake8():
    # In a process of its own: flake8's pool forks its caller, and this test process holds
    # the ROS 2 and gRPC threads of the tests before it (a forked copy once crashed in GC).
    result = subprocess.run([sys.executable, '-m', 'ament_flake8.main', *PATHS], cwd=ROOT,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, f'code style errors / warnings:\n{result.stdout}'
