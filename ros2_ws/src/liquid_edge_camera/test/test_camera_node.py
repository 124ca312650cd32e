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

"""Camera node over real DDS on loopback: frames, CameraInfo, refusals, failure reporting."""

import os
import time

import cv2
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from liquid_edge_camera.camera_node import CameraNode
from liquid_edge_camera.sources import Frame, FrameSource
from liquid_edge_interfaces.msg import CaptureSettings
from liquid_edge_toolkit.main import start_lifecycle
from liquid_edge_toolkit.pytest_plugin import change_state, lifecycle_state, spin_until
from liquid_edge_toolkit.qos import LATCHED, SENSOR_DATA
import numpy as np
import pytest
from rcl_interfaces.srv import SetParameters
from rclpy.exceptions import InvalidParameterValueException
from rclpy.parameter import Parameter
from sensor_msgs.msg import CameraInfo, CompressedImage
from skimage import data


def start(camera):
    """Configure and activate ``camera`` in process, as ``autostart`` does; return it."""
    assert start_lifecycle(camera)
    return camera


def stamp_of(message):
    """Return a message's header stamp in seconds."""
    return message.header.stamp.sec + message.header.stamp.nanosec * 1e-9


def open_files():
    """Return the paths this process has open (Linux /proc)."""
    paths = set()
    for descriptor in os.listdir('/proc/self/fd'):
        try:
            paths.add(os.readlink(f'/proc/self/fd/{descriptor}'))
        except OSError:
            pass  # closed since listed
    return paths


def key_value(status, key):
    """Return the value of ``key`` in a DiagnosticStatus."""
    return next(item.value for item in status.values if item.key == key)


CALIBRATION_320X240 = """
image_width: 320
image_height: 240
camera_name: test
camera_matrix: {rows: 3, cols: 3, data: [250.5, 0, 160, 0, 251.5, 120, 0, 0, 1]}
distortion_model: plumb_bob
distortion_coefficients: {rows: 1, cols: 5, data: [0.1, 0, 0, 0, 0]}
projection_matrix: {rows: 3, cols: 4, data: [250, 0, 160, 0, 0, 251, 120, 0, 0, 0, 1, 0]}
"""


class AstronautSource(FrameSource):
    """A source of our own, as the simulation plugs one in: the astronaut photo, numbered."""

    def __init__(self):
        self.photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
        self.opened = False

    def open(self):  # noqa: A003 - the FrameSource interface's name
        self.opened = True

    def read(self):
        return Frame(image=self.photo, stamp_ns=time.time_ns())

    def close(self):
        self.opened = False


def test_publishes_decodable_frames_at_the_asked_rate(
        ros_context, ros_graph, video_file, tmp_path):
    executor, probe, add = ros_graph
    images, infos = [], []
    probe.create_subscription(
        CompressedImage, 'camera/image_raw/compressed', images.append, SENSOR_DATA)
    probe.create_subscription(CameraInfo, 'camera/camera_info', infos.append, SENSOR_DATA)
    calibration = tmp_path / 'camera.yaml'
    calibration.write_text(CALIBRATION_320X240)
    start(add(CameraNode(context=ros_context, parameter_overrides=[
        Parameter('source', value='file'), Parameter('path', value=str(video_file)),
        Parameter('fps', value=10.0), Parameter('width', value=320),
        Parameter('height', value=240), Parameter('camera_info_file', value=str(calibration))])))

    assert spin_until(executor, lambda: len(images) >= 12 and infos, timeout=10.0), \
        f'got {len(images)} images and {len(infos)} camera infos'

    for message in images:
        assert message.format == 'jpeg'
        assert message.header.frame_id == 'camera_optical_frame'
        image = cv2.imdecode(np.frombuffer(bytes(message.data), np.uint8), cv2.IMREAD_COLOR)
        assert image is not None and image.shape == (240, 320, 3)
    stamps = [stamp_of(message) for message in images]
    assert all(later > earlier for earlier, later in zip(stamps, stamps[1:]))
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    # A pacing check, not a benchmark: 10 Hz asked, anything from 5 to 15 Hz is paced.
    assert 5.0 <= rate <= 15.0, f'published at {rate:.1f} Hz for 10 Hz asked'

    info = infos[-1]
    assert (info.width, info.height) == (320, 240)
    assert info.header.frame_id == 'camera_optical_frame'
    assert (info.k[0], info.k[4], info.d[0]) == (250.5, 251.5, 0.1)
    image_stamps = {(m.header.stamp.sec, m.header.stamp.nanosec) for m in images}
    assert (info.header.stamp.sec, info.header.stamp.nanosec) in image_stamps


def test_lifecycle_services_start_stop_and_release_the_capture(
        ros_context, ros_graph, video_file):
    executor, probe, add = ros_graph
    images, inactive_reports = [], []

    def on_diagnostics(array):
        inactive_reports.extend(status for status in array.status
                                if status.message == 'inactive: not capturing')

    probe.create_subscription(
        CompressedImage, 'camera/image_raw/compressed', images.append, SENSOR_DATA)
    probe.create_subscription(DiagnosticArray, '/diagnostics', on_diagnostics, 10)
    add(CameraNode(context=ros_context, parameter_overrides=[
        Parameter('source', value='file'), Parameter('path', value=str(video_file)),
        Parameter('fps', value=15.0), Parameter('width', value=320),
        Parameter('height', value=240)]))
    path = str(video_file)

    assert lifecycle_state(probe, executor, 'camera') == 'unconfigured'
    assert change_state(probe, executor, 'camera', 'configure')
    assert lifecycle_state(probe, executor, 'camera') == 'inactive'
    assert images == [] and path not in open_files()

    assert change_state(probe, executor, 'camera', 'activate')
    assert path in open_files()
    assert spin_until(executor, lambda: len(images) >= 3)

    inactive_reports.clear()
    assert change_state(probe, executor, 'camera', 'deactivate')
    stopped_ns = time.time_ns()
    assert path not in open_files()
    # Frames stop: three inactive reports (two of them periodic, a second apart) count the
    # same frames, and no frame captured after the transition arrives meanwhile.
    assert spin_until(executor, lambda: len(inactive_reports) >= 3)
    assert len({key_value(status, 'frames_published') for status in inactive_reports}) == 1
    assert all(stamp_of(message) < stopped_ns * 1e-9 for message in images)

    assert change_state(probe, executor, 'camera', 'cleanup')
    assert lifecycle_state(probe, executor, 'camera') == 'unconfigured'
    # Configured again, the node builds a new source from its parameters and streams again.
    assert change_state(probe, executor, 'camera', 'configure')
    assert change_state(probe, executor, 'camera', 'activate')
    assert spin_until(executor, lambda: stamp_of(images[-1]) > stopped_ns * 1e-9)
    assert path in open_files()


@pytest.mark.parametrize('name, value, expected', [
    ('fps', 0.0, 'fps out of range'),
    ('jpeg_quality', 101, 'jpeg_quality out of range'),
    ('source', 'usb', "source 'usb' is unknown; use one of file, picamera2, v4l2"),
    ('width', 8, 'width out of range'),
])
def test_bad_parameter_at_start_is_refused_clearly(ros_context, name, value, expected):
    with pytest.raises(InvalidParameterValueException) as caught:
        CameraNode(context=ros_context, parameter_overrides=[
            Parameter('source', value='file'), Parameter(name, value=value)])
    assert expected in str(caught.value)


class RecordingSource(AstronautSource):
    """The astronaut photo, remembering what it was asked to apply (it scales nothing)."""

    def __init__(self):
        super().__init__()
        self.applied = []

    def apply(self, settings):
        self.applied.append(settings)
        return settings


def test_capture_settings_from_the_bridge_change_size_quality_and_camera_info(
        ros_context, ros_graph):
    executor, probe, add = ros_graph
    images, infos = [], []
    probe.create_subscription(
        CompressedImage, 'camera/image_raw/compressed', images.append, SENSOR_DATA)
    probe.create_subscription(CameraInfo, 'camera/camera_info', infos.append, SENSOR_DATA)
    settings_pub = probe.create_publisher(CaptureSettings, 'camera/capture_settings', LATCHED)
    source = RecordingSource()
    start(add(CameraNode(source=source, context=ros_context, parameter_overrides=[
        Parameter('fps', value=15.0), Parameter('jpeg_quality', value=95)])))
    assert spin_until(executor, lambda: len(images) >= 3 and infos, timeout=10.0)
    large = len(images[-1].data)
    focal = infos[-1].k[0]
    assert (infos[-1].width, infos[-1].height) == (640, 480)

    settings_pub.publish(CaptureSettings(quality=50, width=320, height=240, fps=7.5))

    def small_frames():
        return [m for m in images if cv2.imdecode(np.frombuffer(bytes(m.data), np.uint8),
                                                  cv2.IMREAD_COLOR).shape == (240, 320, 3)]
    assert spin_until(executor, lambda: len(small_frames()) >= 3, timeout=10.0)
    assert [(s.quality, s.width, s.height, s.fps) for s in source.applied] == [
        (50, 320, 240, 7.5)]
    # Half the pixels each way at quality 50: far fewer bytes.
    assert len(small_frames()[-1].data) < large / 4
    info = infos[-1]
    assert (info.width, info.height) == (320, 240)
    assert info.k[0] == pytest.approx(focal / 2) and info.k[2] == pytest.approx(160.0)


def test_bad_parameter_at_run_time_is_refused_over_the_service(
        ros_context, ros_graph, video_file):
    executor, probe, add = ros_graph
    camera = start(add(CameraNode(context=ros_context, parameter_overrides=[
        Parameter('source', value='file'), Parameter('path', value=str(video_file))])))
    client = probe.create_client(SetParameters, 'camera/set_parameters')
    assert spin_until(executor, client.service_is_ready, timeout=10.0)

    request = SetParameters.Request(parameters=[
        Parameter('jpeg_quality', value=101).to_parameter_msg(),
        Parameter('fps', value=0.0).to_parameter_msg(),
        Parameter('source', value='v4l2').to_parameter_msg(),
        Parameter('jpeg_quality', value=60).to_parameter_msg()])
    future = client.call_async(request)
    assert spin_until(executor, future.done, timeout=10.0)
    quality, fps, source, good = future.result().results

    assert not quality.successful and 'jpeg_quality out of range' in quality.reason
    assert not fps.successful and 'fps out of range' in fps.reason
    assert not source.successful and 'read-only' in source.reason
    assert good.successful
    assert camera.get_parameter('jpeg_quality').value == 60


def test_missing_file_keeps_node_up_with_diagnostics_error(ros_context, ros_graph, tmp_path):
    executor, probe, add = ros_graph
    errors = []

    def on_diagnostics(array):
        errors.extend(status for status in array.status
                      if status.name.endswith('camera') and status.level == DiagnosticStatus.ERROR)

    probe.create_subscription(DiagnosticArray, '/diagnostics', on_diagnostics, 10)
    missing = str(tmp_path / 'missing.avi')
    start(add(CameraNode(context=ros_context, parameter_overrides=[
        Parameter('source', value='file'), Parameter('path', value=missing)])))

    # Two ERROR reports: the one at the failure and a later periodic one, so the node lives on.
    assert spin_until(executor, lambda: len(errors) >= 2, timeout=10.0)
    assert missing in errors[0].message
    assert 'retrying' in errors[0].message


def test_given_source_replaces_the_source_parameter(ros_context, ros_graph):
    executor, probe, add = ros_graph
    images = []
    probe.create_subscription(
        CompressedImage, 'camera/image_raw/compressed', images.append, SENSOR_DATA)
    source = AstronautSource()
    start(add(CameraNode(source=source, context=ros_context, parameter_overrides=[
        Parameter('source', value='simulated'), Parameter('fps', value=20.0)])))
    assert spin_until(executor, lambda: len(images) >= 3, timeout=10.0)
    assert source.opened
    image = cv2.imdecode(np.frombuffer(bytes(images[-1].data), np.uint8), cv2.IMREAD_COLOR)
    # The photo is 512x512; the node publishes the default 640x480.
    assert image.shape == (480, 640, 3)


def test_calibration_for_another_size_fails_configure_saying_why(
        ros_context, ros_graph, tmp_path):
    executor, probe, add = ros_graph
    errors = []
    probe.create_subscription(DiagnosticArray, '/diagnostics', lambda array: errors.extend(
        status for status in array.status if status.level == DiagnosticStatus.ERROR), 10)
    calibration = tmp_path / 'camera.yaml'
    calibration.write_text(CALIBRATION_320X240)
    add(CameraNode(context=ros_context, parameter_overrides=[
        Parameter('source', value='file'),
        Parameter('camera_info_file', value=str(calibration))]))

    assert not change_state(probe, executor, 'camera', 'configure')
    assert lifecycle_state(probe, executor, 'camera') == 'unconfigured'
    assert spin_until(executor, lambda: errors)
    assert '320x240 but width x height is 640x480' in errors[0].message


class GreyFloatSource(AstronautSource):
    """A faulty source: float images, which JPEG cannot carry."""

    def read(self):
        return Frame(image=np.full((240, 320, 3), 0.5, np.float32), stamp_ns=time.time_ns())


def test_bad_frames_are_reported_not_fatal(ros_context, ros_graph):
    executor, probe, add = ros_graph
    errors = []
    probe.create_subscription(DiagnosticArray, '/diagnostics', lambda array: errors.extend(
        status for status in array.status if status.level == DiagnosticStatus.ERROR), 10)
    start(add(CameraNode(source=GreyFloatSource(), context=ros_context)))
    assert spin_until(executor, lambda: len(errors) >= 2, timeout=10.0)
    assert 'bad frame' in errors[0].message and 'float32' in errors[0].message


def test_file_plays_at_its_own_rate_when_asked(ros_context, ros_graph, make_video):
    executor, probe, add = ros_graph
    images = []
    probe.create_subscription(
        CompressedImage, 'camera/image_raw/compressed', images.append, SENSOR_DATA)
    video = make_video('long.avi', 60)
    start(add(CameraNode(context=ros_context, parameter_overrides=[
        Parameter('source', value='file'), Parameter('path', value=str(video)),
        Parameter('fps', value=5.0), Parameter('use_source_fps', value=True),
        Parameter('width', value=320), Parameter('height', value=240)])))
    assert spin_until(executor, lambda: len(images) >= 20, timeout=10.0)
    stamps = [stamp_of(message) for message in images]
    rate = (len(stamps) - 1) / (stamps[-1] - stamps[0])
    # The file was written at 30 fps and fps says 5: a rate well above 5 follows the file.
    assert 15.0 <= rate <= 45.0, f'published at {rate:.1f} Hz for a 30 fps file'
