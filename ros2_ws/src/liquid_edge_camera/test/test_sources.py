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

import importlib.util

from liquid_edge_camera.sources import (
    CameraError, EndOfStream, make_source, Picamera2Source, SourceConfig, SOURCES,
    V4L2Source, VideoFileSource)
import pytest


def test_registry_maps_every_source_name():
    assert SOURCES == {
        'picamera2': Picamera2Source, 'v4l2': V4L2Source, 'file': VideoFileSource}
    assert isinstance(make_source('file', SourceConfig(path='x.avi')), VideoFileSource)


def test_unknown_source_names_the_known_ones():
    with pytest.raises(ValueError, match='file, picamera2, v4l2'):
        make_source('usb', SourceConfig())


def test_file_source_reads_frames_with_increasing_stamps(video_file):
    source = VideoFileSource(SourceConfig(path=str(video_file), loop=False))
    source.open()
    frames = [source.read() for _ in range(20)]
    source.close()
    assert all(frame.image.shape == (240, 320, 3) for frame in frames)
    stamps = [frame.stamp_ns for frame in frames]
    assert stamps == sorted(stamps)
    assert source.nominal_fps == pytest.approx(30.0)


def test_file_source_without_loop_ends(make_video):
    path = make_video('short.avi', 3)
    source = VideoFileSource(SourceConfig(path=str(path), loop=False))
    source.open()
    for _ in range(3):
        source.read()
    with pytest.raises(EndOfStream, match='end of video file'):
        source.read()
    source.close()


def test_file_source_with_loop_restarts(make_video):
    path = make_video('short.avi', 3)
    source = VideoFileSource(SourceConfig(path=str(path), loop=True))
    source.open()
    frames = [source.read() for _ in range(7)]
    source.close()
    assert len(frames) == 7
    # Frame 3 is frame 0 again: the loop went back to the start.
    assert (frames[3].image == frames[0].image).all()


def test_missing_file_is_a_camera_error(tmp_path):
    source = VideoFileSource(SourceConfig(path=str(tmp_path / 'missing.avi')))
    with pytest.raises(CameraError, match='cannot open video file'):
        source.open()


def test_file_source_needs_a_path():
    with pytest.raises(CameraError, match='path parameter'):
        VideoFileSource(SourceConfig(path='')).open()


def test_read_before_open_is_a_camera_error():
    with pytest.raises(CameraError, match='before open'):
        VideoFileSource(SourceConfig(path='x.avi')).read()


def test_absent_v4l2_device_is_a_camera_error():
    with pytest.raises(CameraError, match='cannot open V4L2 device'):
        V4L2Source(SourceConfig(device='/dev/video-liquid-edge-absent')).open()


@pytest.mark.skipif(importlib.util.find_spec('picamera2') is not None,
                    reason='picamera2 is installed: its absence cannot be tested here')
def test_absent_picamera2_says_how_to_install():
    with pytest.raises(CameraError) as caught:
        Picamera2Source(SourceConfig()).open()
    assert 'python3-picamera2' in str(caught.value)
    assert 'source:=file' in str(caught.value)
