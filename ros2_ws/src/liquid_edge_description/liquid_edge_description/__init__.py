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

"""Where the S1's URDF is installed, and the frame prefix a robot namespace gives."""

import os

from ament_index_python.packages import get_package_share_directory


def urdf_path() -> str:
    """Return the installed path of the Robomaster S1 URDF."""
    return os.path.join(get_package_share_directory('liquid_edge_description'), 'urdf',
                        'robomaster_s1.urdf')


def frame_prefix(namespace: str) -> str:
    """
    Return the TF frame prefix of a robot in ``namespace``: '/robot1' gives 'robot1/'.

    robot_state_publisher's ``frame_prefix`` takes it as is; the driver's ``tf_prefix`` and
    the camera's ``frame_id`` take it without the trailing slash or joined to the frame name.
    """
    name = namespace.strip('/')
    return f'{name}/' if name else ''
