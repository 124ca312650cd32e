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
One pixel space for the tracker while the camera changes its picture size.

The bridge's adaptive encoding tells the camera to capture smaller frames on a slow link
(512x384 instead of 640x480, ...) and larger ones again later; detections are in the pixels
of the frame they were found in. A track kept in 512-pixel coordinates does not match the
same person detected in a 640-pixel frame (every position 1.25 times further right), so the
tracker would lose her at every change. `FrameSizes` remembers the size of each recent frame
by its capture stamp (the camera publishes a CameraInfo with each frame) and converts boxes
between a frame's pixels and the *reference* pixels (the `image_width` x `image_height`
parameters) that the tracker, the identity and the control law work in.
"""
from bisect import bisect_right
from dataclasses import replace
from typing import List, Optional, Tuple

from liquid_edge_follow.box import Box

Size = Tuple[int, int]


class FrameSizes:
    """The pixel size of recent frames, by capture stamp, and the scale to the reference."""

    def __init__(self, reference: Size, keep: int = 64):
        """Use `reference` (width, height) px as the tracker's space; remember `keep` frames."""
        if reference[0] <= 0 or reference[1] <= 0:
            raise ValueError(f'reference size must be positive, got {reference}')
        if keep < 1:
            raise ValueError(f'keep must be at least 1, got {keep}')
        self.reference = reference
        self._keep = keep
        self._stamps: List[float] = []
        self._sizes: List[Size] = []

    @property
    def latest(self) -> Optional[Size]:
        """Return the size of the newest frame; None before any."""
        return self._sizes[-1] if self._sizes else None

    def add(self, stamp: float, size: Size) -> None:
        """Record a frame's size; a stamp older than the newest is ignored."""
        if size[0] <= 0 or size[1] <= 0 or (self._stamps and stamp < self._stamps[-1]):
            return
        if self._stamps and stamp == self._stamps[-1]:
            self._sizes[-1] = size
            return
        self._stamps.append(stamp)
        self._sizes.append(size)
        if len(self._stamps) > self._keep:
            del self._stamps[0], self._sizes[0]

    def size_at(self, stamp: float) -> Size:
        """Return the size of the frame captured at `stamp` (the newest one at or before it)."""
        index = bisect_right(self._stamps, stamp)
        if index:
            return self._sizes[index - 1]
        return self._sizes[0] if self._sizes else self.reference

    def to_reference(self, box: Box, size: Size) -> Box:
        """Return `box`, in the pixels of a frame of `size`, in reference pixels."""
        return _scaled(box, self.reference[0] / size[0], self.reference[1] / size[1])

    def from_reference(self, box: Box, size: Size) -> Box:
        """Return `box`, in reference pixels, in the pixels of a frame of `size`."""
        return _scaled(box, size[0] / self.reference[0], size[1] / self.reference[1])

    def point_to_reference(self, x: float, y: float, size: Size) -> Tuple[float, float]:
        """Return the image point (x, y) of a frame of `size` in reference pixels."""
        return x * self.reference[0] / size[0], y * self.reference[1] / size[1]


def _scaled(box: Box, sx: float, sy: float) -> Box:
    if sx == 1.0 and sy == 1.0:
        return box
    return replace(box, center_x=box.center_x * sx, center_y=box.center_y * sy,
                   width=box.width * sx, height=box.height * sy)
