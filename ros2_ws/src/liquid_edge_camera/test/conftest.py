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

"""Shared fixtures: real video files of a real photo."""

import cv2
import pytest
from skimage import data


def _write_video(path, frame_count, width=320, height=240, fps=30.0):
    """Write an MJPG AVI of the astronaut photo with the frame number drawn on each frame."""
    photo = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (width, height))
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*'MJPG'), fps, (width, height))
    assert writer.isOpened(), 'OpenCV cannot write MJPG AVI here'
    for number in range(frame_count):
        frame = photo.copy()
        cv2.putText(frame, str(number), (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.2,
                    (255, 255, 255), 3)
        writer.write(frame)
    writer.release()
    return path


@pytest.fixture
def make_video(tmp_path):
    """Return a writer of 320x240 30 fps videos in tmp_path: (name, frame_count) -> path."""
    return lambda name, frame_count: _write_video(tmp_path / name, frame_count)


@pytest.fixture
def video_file(make_video):
    """Write a 20-frame 320x240 video at 30 fps; return its path."""
    return make_video('astronaut.avi', 20)
