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
