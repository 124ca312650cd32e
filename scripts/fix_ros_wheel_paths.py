"""Point the ROS wheels' CMake exports at this interpreter's include dirs.

The PyPI ros-* wheels are built in a manylinux container and their
``share/*/cmake/*.cmake`` files keep that container's ``/opt/python/cpXY-cpXY``
paths, so any interface package built against them fails at CMake generate time.
"""
import pathlib
import re
import sys
import sysconfig

import numpy


def main(prefix: str) -> int:
    include = sysconfig.get_paths()['include']
    numpy_include = numpy.get_include()
    pattern = re.compile(r'/opt/python/cp3\d+-cp3\d+/(include/python3\.\d+|'
                         r'lib/python3\.\d+/site-packages/numpy/_core/include)')

    def replace(match: re.Match) -> str:
        return numpy_include if 'numpy' in match.group(1) else include

    fixed = 0
    for path in pathlib.Path(prefix, 'share').glob('*/cmake/*.cmake'):
        text = path.read_text()
        new = pattern.sub(replace, text)
        if new != text:
            path.write_text(new)
            fixed += 1
    print(f'fix_ros_wheel_paths: rewrote {fixed} CMake files under {prefix}/share')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
