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

"""An axis-aligned detection box in image pixels, shared by the tracker and the control law."""
from dataclasses import dataclass, field
import math
from typing import Optional

import numpy as np


@dataclass(frozen=True)
class Box:
    """
    One detected object: class name, centre and size in pixels (x right, y down).

    `appearance`: its L2-normalised appearance descriptor from the edge, None when none.
    """

    class_name: str
    center_x: float
    center_y: float
    width: float
    height: float
    score: float = 1.0
    appearance: Optional[np.ndarray] = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        """Refuse boxes no detector can produce, so no NaN reaches the control law."""
        values = (self.center_x, self.center_y, self.width, self.height, self.score)
        if not all(math.isfinite(v) for v in values):
            raise ValueError(f'box values must be finite, got {values}')
        if self.width <= 0.0 or self.height <= 0.0:
            raise ValueError(f'box size must be positive, got {self.width} x {self.height}')

    @property
    def area(self) -> float:
        """Area in square pixels."""
        return self.width * self.height

    @property
    def diagonal(self) -> float:
        """Length of the diagonal in pixels."""
        return math.hypot(self.width, self.height)

    def iou(self, other: 'Box') -> float:
        """Intersection over union with another box, in [0, 1]."""
        overlap_x = (min(self.center_x + self.width / 2, other.center_x + other.width / 2)
                     - max(self.center_x - self.width / 2, other.center_x - other.width / 2))
        overlap_y = (min(self.center_y + self.height / 2, other.center_y + other.height / 2)
                     - max(self.center_y - self.height / 2, other.center_y - other.height / 2))
        if overlap_x <= 0.0 or overlap_y <= 0.0:
            return 0.0
        intersection = overlap_x * overlap_y
        return intersection / (self.area + other.area - intersection)

    def contains(self, x: float, y: float) -> bool:
        """Whether the image point (x, y) lies in the box."""
        return (abs(x - self.center_x) <= self.width / 2
                and abs(y - self.center_y) <= self.height / 2)

    def covered_by(self, other: 'Box') -> float:
        """Share of this box's area that lies inside `other`, in [0, 1]."""
        overlap = self.iou(other)
        return overlap * (self.area + other.area) / (1.0 + overlap) / self.area

    def overlaps(self, other: 'Box') -> bool:
        """Whether the two boxes share any area."""
        return self.iou(other) > 0.0

    def center_distance(self, other: 'Box') -> float:
        """Distance between the two centres in pixels."""
        return math.hypot(self.center_x - other.center_x, self.center_y - other.center_y)
