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
The simulated Raspicam: a `FrameSource` that renders the world from the robot's pose.

The real camera node takes it like any other source, so what goes out on the camera topics is
exactly what the robot publishes. The pose comes from outside (the sim camera node feeds it
from `odom` and `joint_states`); world time starts when the source opens. No ROS import here.
"""
from dataclasses import dataclass
import math
import threading
import time
from typing import Callable, Optional

from liquid_edge_camera.sources import CameraError, Frame, FrameSource
from liquid_edge_sim.render import CameraModel, CameraPose, PersonInView, SceneRenderer
from liquid_edge_sim.world import World

# Raspicam on the S1 gimbal at rest, looking up this much (rad) so that a standing person's
# upper body 1.5-4 m away is in the frame from 0.3 m above the floor.
DEFAULT_CAMERA_TILT = math.radians(20.0)


@dataclass(frozen=True)
class GroundTruthFrame:
    """Who was where in one rendered frame: its stamp (ns), world time (s) and people."""

    stamp_ns: int
    world_time: float
    pose: CameraPose
    people: tuple[PersonInView, ...]


class SimCameraSource(FrameSource):
    """
    Renders what the camera sees at the latest robot pose, one frame per `read()`.

    Thread-safe: the pose setters may be called from subscription callbacks while the camera
    timer reads. `on_frame`, when given, is called with each frame's ground truth before the
    frame is returned (the node publishes it).
    """

    def __init__(self, world: World, camera: CameraModel = CameraModel(),
                 camera_tilt: float = DEFAULT_CAMERA_TILT,
                 on_frame: Optional[Callable[[GroundTruthFrame], None]] = None,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall_clock_ns: Callable[[], int] = time.time_ns):
        """Hold the world and the camera; nothing is rendered before `open()`."""
        self.world = world
        self.camera = camera
        self.camera_tilt = camera_tilt
        self.on_frame = on_frame
        self._monotonic = monotonic
        self._wall_clock_ns = wall_clock_ns
        self._lock = threading.Lock()
        self._robot = (0.0, 0.0, 0.0)
        self._gimbal = (0.0, 0.0)
        self._renderer: Optional[SceneRenderer] = None
        self._started_at: Optional[float] = None

    @property
    def description(self) -> str:
        """One line for the camera node's log and diagnostics."""
        return (f'simulated Raspicam ({len(self.world.people)} people, '
                f'{self.camera.width}x{self.camera.height})')

    def set_robot_pose(self, x: float, y: float, yaw: float) -> None:
        """Chassis pose in the odom frame: metres and rad (counter-clockwise)."""
        if not all(math.isfinite(v) for v in (x, y, yaw)):
            raise ValueError(f'robot pose must be finite, got {(x, y, yaw)}')
        with self._lock:
            self._robot = (x, y, yaw)

    def set_gimbal(self, yaw: float, pitch: float) -> None:
        """Gimbal joint angles, rad: yaw counter-clockwise, pitch down (REP-103)."""
        if not (math.isfinite(yaw) and math.isfinite(pitch)):
            raise ValueError(f'gimbal angles must be finite, got {(yaw, pitch)}')
        with self._lock:
            self._gimbal = (yaw, pitch)

    def camera_pose(self) -> CameraPose:
        """Where the camera is and looks now: chassis pose plus gimbal angles and rest tilt."""
        with self._lock:
            (x, y, yaw), (gimbal_yaw, gimbal_pitch) = self._robot, self._gimbal
        return CameraPose(x, y, yaw + gimbal_yaw, self.camera_tilt - gimbal_pitch)

    def open(self) -> None:  # noqa: A003 - the FrameSource interface's name
        """Build the renderer (first time only) and start the world's clock."""
        if self._renderer is None or self._renderer.camera != self.camera:
            try:
                self._renderer = SceneRenderer(self.world, self.camera)
            except ValueError as error:
                raise CameraError(f'simulated camera cannot render: {error}') from error
        if self._started_at is None:
            self._started_at = self._monotonic()

    def read(self) -> Frame:
        """Render the world at the current time from the current pose."""
        if self._renderer is None or self._started_at is None:
            raise CameraError('simulated camera read before open()')
        world_time = self._monotonic() - self._started_at
        pose = self.camera_pose()
        try:
            image, people = self._renderer.render(world_time, pose)
        except ValueError as error:
            raise CameraError(f'simulated camera cannot render this pose: {error}') from error
        truth = GroundTruthFrame(self._wall_clock_ns(), world_time, pose, tuple(people))
        if self.on_frame is not None:
            self.on_frame(truth)
        return Frame(image=image, stamp_ns=truth.stamp_ns)

    def close(self) -> None:
        """Nothing to release; the world keeps its clock so a reopen continues the scene."""
