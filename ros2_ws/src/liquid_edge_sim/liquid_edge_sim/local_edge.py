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
The robot's local standby edge in the simulation: the real YOLO service at a Pi 4's speed.

`LocalEdge` starts `yolodetection` on 127.0.0.1 (ONNX Runtime, a 320x320 input: the small
input the robot would run), measures its frame rate on this machine with a rendered frame,
then slows the process with `CpuShare` to share_for(measured, pi4_yolo_frame_rate(320)):
YOLOv3-tiny at 320x320 runs at 3.9 frames/s on a Raspberry Pi 4's CPU (2.3 frames/s at
416x416, takamatsu-shyo/objectdetection_pi, scaled by the input's area), so each answer takes
about as long as on the Pi. The bridge reaches it like any edge, as class `local`.
"""
import time
from typing import Optional

import cv2
import grpc
from liquid_edge.stack import ServiceProcess, START_TIMEOUT_S, STOP_TIMEOUT_S
from liquid_edge_bridge.local_standby import pi4_yolo_frame_rate
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_sim.cpu_share import CpuShare, share_for
from liquid_edge_sim.render import CameraModel
from liquid_edge_sim.sim_camera import SimCameraSource
from liquid_edge_sim.world import default_world

LOCAL_INPUT_SIZE = 320
# Frames timed on this machine before the share is set; the first one warms the model up.
_MEASURED_FRAMES = 8
_CALL_TIMEOUT_S = 10.0


class LocalEdge:
    """`yolodetection` on 127.0.0.1, its CPU share set so it answers at a Pi 4's rate."""

    def __init__(self, name: str, color: str, input_size: int = LOCAL_INPUT_SIZE):
        """Hold the identity; nothing runs before `start()`."""
        self.name, self.color, self.input_size = name, color, input_size
        self.target_fps = pi4_yolo_frame_rate(input_size)
        self.host_fps: Optional[float] = None
        self._service: Optional[ServiceProcess] = None
        self._share: Optional[CpuShare] = None

    @property
    def address(self) -> str:
        """Return `127.0.0.1:port` of the running service."""
        if self._service is None:
            raise RuntimeError('the local edge is not started')
        return self._service.address

    @property
    def share(self) -> Optional[float]:
        """Return the CPU share the service runs at, None before `start()`."""
        return self._share.share if self._share is not None else None

    def start(self) -> 'LocalEdge':
        """Start the service, time it here, then hold it to the Pi 4's rate."""
        self._service = ServiceProcess(
            'yolodetection', ['--site', self.name, '--color', self.color,
                              '--backend', 'onnxruntime',
                              '--input-size', str(self.input_size)])
        try:
            self._service.wait_serving(time.monotonic() + START_TIMEOUT_S)
            self.host_fps = _measure_fps(self._service.address)
            self._share = CpuShare(self._service.process.pid,
                                   share_for(self.host_fps, self.target_fps)).start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Let the service run freely again, then stop it."""
        if self._share is not None:
            self._share.stop()
        if self._service is not None:
            self._service.stop(STOP_TIMEOUT_S)

    def __enter__(self) -> 'LocalEdge':
        """Start the local edge."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop the local edge."""
        self.stop()


def _measure_fps(address: str) -> float:
    """Return the frames/s the YOLO service at `address` answers one rendered frame at."""
    source = SimCameraSource(default_world(), CameraModel())
    source.open()
    ok, jpeg = cv2.imencode('.jpg', source.read().image, [cv2.IMWRITE_JPEG_QUALITY, 75])
    if not ok:
        raise RuntimeError('cannot encode the rendered frame that times the local edge')
    request = v1.DetectRequest(request_id='timing', jpeg=jpeg.tobytes(),
                               engines=[v1.ENGINE_YOLO])
    with grpc.insecure_channel(address) as channel:
        detector = v1_grpc.DetectorStub(channel)
        detector.Detect(request, timeout=_CALL_TIMEOUT_S)
        started = time.monotonic()
        for _ in range(_MEASURED_FRAMES):
            detector.Detect(request, timeout=_CALL_TIMEOUT_S)
        return _MEASURED_FRAMES / (time.monotonic() - started)
