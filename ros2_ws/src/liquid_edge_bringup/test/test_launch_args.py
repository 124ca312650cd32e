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
Both launch files declare the shared arguments of launch_args, with its defaults.

Runs where launch and launch_ros are installed (a ROS 2 install from apt); skipped with the
reason otherwise.
"""
import os
import pathlib

import pytest

launch_ros = pytest.importorskip(
    'launch_ros', reason='launch_ros is not installed (ROS 2 from apt provides it)')

from launch import LaunchContext  # noqa: E402, I100
from launch.launch_description_sources import (  # noqa: E402
    get_launch_description_from_python_launch_file)
from liquid_edge_bringup.launch_args import (  # noqa: E402
    declare_params_file, declare_run_options)

LAUNCH = pathlib.Path(__file__).resolve().parents[1] / 'launch'


def _default(argument, context: LaunchContext) -> str:
    return ''.join(part.perform(context) for part in argument.default_value)


@pytest.mark.parametrize('launch_file', ['robot.launch.py', 'sim.launch.py'])
def test_the_shared_arguments_are_declared_as_launch_args_has_them(launch_file):
    description = get_launch_description_from_python_launch_file(
        os.fspath(LAUNCH / launch_file))
    declared = {argument.name: argument for argument in description.get_launch_arguments()}
    context = LaunchContext()
    for shared in [declare_params_file(), *declare_run_options()]:
        assert shared.name in declared, shared.name
        assert _default(declared[shared.name], context) == _default(shared, context)
        assert declared[shared.name].description == shared.description
