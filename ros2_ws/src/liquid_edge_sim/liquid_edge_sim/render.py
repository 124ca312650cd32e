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
What the robot's camera sees: a pinhole camera on the gimbal, rendering the world's people.

The camera sits `mount_height` above the floor at the robot's position, looks along the
chassis yaw plus the gimbal yaw, tilted up by the pose's `tilt`. People are billboards (their
photo cut-out facing the camera), drawn far to near so the nearer one hides the farther,
scaled by distance, cut at the frame edges and skipped when behind the camera. The background
is a brick-walled hall seen at infinity (it turns with the camera, it does not come closer),
precomputed once as a 360-degree panorama over elevation and azimuth, so a frame costs one
pixel lookup plus a resize per visible person.
"""
from dataclasses import dataclass
import math

import cv2
from liquid_edge_sim.people import Cutout
from liquid_edge_sim.world import World
import numpy as np
from skimage import data

# Nearer than this (m, along the optical axis) a person is not drawn: the lens would be inside.
_NEAR_PLANE = 0.2
# The background covers elevations up to this (rad) above and below the horizon.
_MAX_ELEVATION = math.radians(80.0)


@dataclass(frozen=True)
class CameraModel:
    """
    Pinhole camera intrinsics and mount: Raspicam v2 at 640x480 by default.

    `horizontal_fov` in rad (62.2 deg for the Raspicam v2), `mount_height` in m above the floor.
    """

    width: int = 640
    height: int = 480
    horizontal_fov: float = math.radians(62.2)
    mount_height: float = 0.3

    def __post_init__(self):
        """Reject a camera that cannot form an image."""
        if self.width < 16 or self.height < 16:
            raise ValueError(f'image size {self.width}x{self.height} is too small (min 16x16)')
        if not 0.0 < self.horizontal_fov < math.pi:
            raise ValueError(f'horizontal_fov must be in (0, pi) rad, got {self.horizontal_fov}')
        if not self.mount_height > 0.0:
            raise ValueError(f'mount_height must be above the floor, got {self.mount_height} m')

    @property
    def focal_length(self) -> float:
        """Return the focal length in pixels (square pixels, so fx = fy)."""
        return self.width / 2.0 / math.tan(self.horizontal_fov / 2.0)

    @property
    def principal_point(self) -> tuple[float, float]:
        """Return the image centre (cx, cy) in pixels."""
        return self.width / 2.0, self.height / 2.0

    def camera_matrix(self) -> list[float]:
        """Return the 3x3 intrinsic matrix K, row-major, as CameraInfo.k carries it."""
        f = self.focal_length
        cx, cy = self.principal_point
        return [f, 0.0, cx, 0.0, f, cy, 0.0, 0.0, 1.0]


@dataclass(frozen=True)
class CameraPose:
    """
    Where the camera is and looks.

    Robot position (m, odom frame), yaw (chassis + gimbal, rad, counter-clockwise) and tilt
    (rad, positive looking up).
    """

    x: float = 0.0
    y: float = 0.0
    yaw: float = 0.0
    tilt: float = 0.0


@dataclass(frozen=True)
class PersonInView:
    """
    Ground truth: where a person appears in one rendered frame.

    `box` (x, y, w, h) is the drawn part in pixels, cut at the frame edges and by nobody
    else; `centre_x`, `centre_y`, `full_width`, `full_height` are the person's whole picture in
    pixels, even where it reaches beyond the frame; `distance` is the depth along the optical
    axis in m.
    """

    person_id: str
    box: tuple[int, int, int, int]
    centre_x: float
    centre_y: float
    full_width: float
    full_height: float
    distance: float

    def horizontal_error(self, width: int) -> float:
        """Return the offset of the centre from the image centre, fraction of width."""
        return self.centre_x / width - 0.5


class SceneRenderer:
    """Renders the world from a camera pose; one instance per camera, reused every frame."""

    def __init__(self, world: World, camera: CameraModel = CameraModel()):
        """Precompute the background panorama for this camera."""
        self.world = world
        self.camera = camera
        self._panorama, self._pixels_per_radian = _background_panorama(camera)
        f = camera.focal_length
        cx, cy = camera.principal_point
        # Angle of each image column (left positive) and row (up positive) off the optical axis.
        self._column_azimuth = np.arctan((cx - (np.arange(camera.width) + 0.5)) / f)
        self._row_elevation = np.arctan((cy - (np.arange(camera.height) + 0.5)) / f)

    def render(self, t: float, pose: CameraPose) -> tuple[np.ndarray, list[PersonInView]]:
        """Render the frame (BGR uint8, H x W x 3) seen at time t from pose, and who is in it."""
        if not abs(pose.tilt) < _MAX_ELEVATION:
            raise ValueError(f'camera tilt {pose.tilt} rad is beyond +-{_MAX_ELEVATION:.2f} rad')
        rows_total, columns_total = self._panorama.shape[:2]
        yaw = pose.yaw % (2.0 * math.pi)  # so that every turn of the robot looks the same
        columns = ((yaw + self._column_azimuth) * self._pixels_per_radian).astype(np.int64)
        elevation = np.clip(pose.tilt + self._row_elevation, -_MAX_ELEVATION, _MAX_ELEVATION)
        rows = ((_MAX_ELEVATION - elevation) * self._pixels_per_radian).astype(np.int64)
        # One 32-bit gather per pixel (BGR + padding) is twice as fast as three 8-bit ones.
        packed = np.take(np.take(self._panorama, np.minimum(rows, rows_total - 1), axis=0),
                         columns % columns_total, axis=1)
        frame = packed.view(np.uint8).reshape(packed.shape + (4,))[:, :, :3].copy()
        in_view = []
        placed = []
        for person_pose in self.world.poses(t):
            if not person_pose.visible:
                continue
            cutout = self.world.person(person_pose.person_id).cutout
            placement = self._place(cutout, pose, person_pose.x, person_pose.y)
            if placement is not None:
                placed.append((placement[1], cutout, person_pose.person_id, placement[0]))
        for depth, cutout, person_id, rect in sorted(placed, key=lambda p: p[0], reverse=True):
            box = _paste(frame, cutout, rect)
            if box is not None:
                x0, y0, x1, y1 = rect
                in_view.append(PersonInView(person_id, box, (x0 + x1) / 2.0, (y0 + y1) / 2.0,
                                            x1 - x0, y1 - y0, depth))
        return frame, in_view

    def _place(self, cutout: Cutout, pose: CameraPose, x: float, y: float):
        """Return the unclipped image rectangle (x0, y0, x1, y1) and depth, or None."""
        cam = self.camera
        dx, dy = x - pose.x, y - pose.y
        forward = math.cos(pose.yaw) * dx + math.sin(pose.yaw) * dy
        left = -math.sin(pose.yaw) * dx + math.cos(pose.yaw) * dy
        up = cutout.centre_height_m - cam.mount_height
        depth = forward * math.cos(pose.tilt) + up * math.sin(pose.tilt)
        if depth < _NEAR_PLANE:
            return None
        up_in_view = -forward * math.sin(pose.tilt) + up * math.cos(pose.tilt)
        f = cam.focal_length
        cx, cy = cam.principal_point
        centre_x = cx - f * left / depth
        centre_y = cy - f * up_in_view / depth
        half_w = f * cutout.width_m / depth / 2.0
        half_h = f * cutout.height_m / depth / 2.0
        return (centre_x - half_w, centre_y - half_h, centre_x + half_w, centre_y + half_h), depth


def _paste(frame: np.ndarray, cutout: Cutout, rect) -> tuple[int, int, int, int] | None:
    """Draw the cut-out scaled into rect, cut at the frame edges; return the drawn box."""
    x0, y0, x1, y1 = rect
    height, width = frame.shape[:2]
    dx0, dy0 = max(int(round(x0)), 0), max(int(round(y0)), 0)
    dx1, dy1 = min(int(round(x1)), width), min(int(round(y1)), height)
    if dx1 - dx0 < 2 or dy1 - dy0 < 2:
        return None
    # Only the part of the photo that lands inside the frame is resized: a person 0.5 m away
    # would otherwise cost a 2000-pixel resize.
    src_h, src_w = cutout.image.shape[:2]
    sx = src_w / (x1 - x0)
    sy = src_h / (y1 - y0)
    sx0 = min(max(int((dx0 - x0) * sx), 0), src_w - 1)
    sy0 = min(max(int((dy0 - y0) * sy), 0), src_h - 1)
    sx1 = max(min(int(math.ceil((dx1 - x0) * sx)), src_w), sx0 + 1)
    sy1 = max(min(int(math.ceil((dy1 - y0) * sy)), src_h), sy0 + 1)
    size = (dx1 - dx0, dy1 - dy0)
    image = cv2.resize(cutout.image[sy0:sy1, sx0:sx1], size, interpolation=cv2.INTER_AREA)
    mask = cv2.resize(cutout.mask[sy0:sy1, sx0:sx1], size, interpolation=cv2.INTER_NEAREST)
    region = frame[dy0:dy1, dx0:dx1]
    cv2.copyTo(image, mask, region)
    return dx0, dy0, dx1 - dx0, dy1 - dy0


def _background_panorama(camera: CameraModel) -> tuple[np.ndarray, float]:
    """
    Return a 360-degree view of a brick-walled hall on a gravel floor, at this resolution.

    The panorama is rows x columns, BGR packed in uint32, with how many pixels one radian
    spans. Rows are elevation from +_MAX_ELEVATION down, columns azimuth, so turning or
    tilting the camera is a lookup. Pillars every 45 degrees show the eye (and the GIF) that
    the robot turns.
    """
    wall_distance = 7.0
    wall_top = 6.0
    texture_metres = 1.2  # one brick/gravel photo spans this much wall or floor
    f = camera.focal_length
    columns = int(round(2.0 * math.pi * f))
    per_radian = columns / (2.0 * math.pi)
    elevation = _MAX_ELEVATION - np.arange(int(2.0 * _MAX_ELEVATION * per_radian)) / per_radian
    azimuth = np.arange(columns) / per_radian
    # The brick photo is a pavement seen at an angle: turned a quarter, its courses lie level.
    brick = _mirror_tiled(np.rot90(data.brick()))
    gravel = _mirror_tiled(data.gravel())

    height_on_wall = camera.mount_height + wall_distance * np.tan(elevation)
    wall_rows = _texture_index(height_on_wall / texture_metres, brick.shape[0])
    wall_cols = _texture_index(wall_distance * azimuth / texture_metres, brick.shape[1])
    wall = (0.7 + 0.3 * brick[wall_rows[:, None], wall_cols[None, :]])[:, :, None]
    panorama = wall * np.array([70.0, 95.0, 170.0], np.float32)  # terracotta bricks
    pillar = (np.degrees(azimuth) % 45.0) < 2.0
    panorama[:, pillar] *= 0.8
    panorama[height_on_wall > wall_top] = (215.0, 222.0, 225.0)

    ground_distance = camera.mount_height / np.tan(np.maximum(-elevation, 1e-3))
    floor_rows = _texture_index(ground_distance / texture_metres, gravel.shape[0])
    floor_cols = _texture_index(4.0 * azimuth / texture_metres, gravel.shape[1])
    floor = (0.5 + 0.5 * gravel[floor_rows[:, None], floor_cols[None, :]])[:, :, None]
    floor = floor * np.array([120.0, 135.0, 145.0], np.float32)
    on_floor = ground_distance < wall_distance
    panorama[on_floor] = floor[on_floor]
    packed = np.zeros(panorama.shape[:2] + (4,), np.uint8)
    packed[:, :, :3] = np.clip(panorama, 0, 255)
    return packed.view(np.uint32)[:, :, 0], per_radian


def _mirror_tiled(texture: np.ndarray) -> np.ndarray:
    """Return the texture in [0, 1] mirrored into a 2x2 tile: repeating it shows no seams."""
    top = np.hstack([texture, texture[:, ::-1]])
    return np.vstack([top, top[::-1]]).astype(np.float32) / 255.0


def _texture_index(coordinate: np.ndarray, size: int) -> np.ndarray:
    """Return the texture pixel index of a coordinate measured in texture repeats."""
    return (coordinate * size / 2.0).astype(np.int64) % size
