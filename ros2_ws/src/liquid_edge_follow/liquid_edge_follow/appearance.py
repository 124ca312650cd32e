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
A person's look as a gallery of appearance descriptors, the identity of the followed target.

Descriptors come from the edge (liquidedge.v1 `Detection.appearance`, through the bridge's
`detections/described`): L2-normalised vectors of one kind, so the cosine similarity of two
is their dot product, 1 for the same look. A gallery keeps up to `size` of them, taken only
when the caller is sure they show the target; its similarity to a new vector is the best
matches (the mean of the best `top` of them), so several poses (front, side, near, far) each
count while a single stray descriptor cannot vouch for a stranger on its own. A full gallery
drops the descriptor most like the new one, not the oldest: at 15 frames/s a first-in,
first-out gallery of 30 holds 2 s of looks, so after the target walked up to the robot it
held only her close, cut-off looks and no longer knew her when she was far again.
"""
from typing import List, Optional

import numpy as np


def similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Return the cosine similarity of two L2-normalised vectors, clipped to [0, 1]."""
    if a.shape != b.shape:
        raise ValueError(f'descriptors of different lengths: {a.shape} and {b.shape}')
    return float(min(max(float(np.dot(a, b)), 0.0), 1.0))


class Gallery:
    """Up to `size` distinct descriptors confirmed to show one person."""

    def __init__(self, size: int = 30, top: int = 3):
        """Start empty; `size` >= 1 descriptors are kept, the most redundant one dropped."""
        if size < 1:
            raise ValueError(f'gallery size must be >= 1, got {size}')
        if top < 1:
            raise ValueError(f'top must be >= 1, got {top}')
        self._vectors: List[np.ndarray] = []
        self._size = size
        self._top = top

    def __len__(self) -> int:
        """Return how many descriptors the gallery holds."""
        return len(self._vectors)

    def clear(self) -> None:
        """Forget every descriptor."""
        self._vectors.clear()

    def add(self, vector: np.ndarray) -> None:
        """Add one descriptor; when full, it replaces the one most like it."""
        if self._vectors and vector.shape != self._vectors[0].shape:
            raise ValueError(f'descriptor length {vector.shape} differs from the gallery '
                             f'length {self._vectors[0].shape}')
        if len(self._vectors) < self._size:
            self._vectors.append(vector)
            return
        nearest = int(np.argmax(np.stack(self._vectors) @ vector))
        self._vectors[nearest] = vector

    def similarity(self, vector: Optional[np.ndarray]) -> Optional[float]:
        """
        Return how well `vector` matches: the mean of its best `top` similarities.

        All of them while the gallery holds fewer; None if either is empty or of another kind.
        """
        if vector is None or not self._vectors:
            return None
        if vector.shape != self._vectors[0].shape:
            return None
        scores = np.sort(np.stack(self._vectors) @ vector)[-self._top:]
        return float(min(max(float(scores.mean()), 0.0), 1.0))
