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
Photo cut-outs of the people in the simulated world (real photos, so the detections are real).

The one real photo of a person we may ship is scikit-image's astronaut (Eileen Collins, NASA,
public domain): an upper-body portrait. Its cut-out is therefore a billboard of the visible
upper body, 0.9 m tall, centred 1.3 m above the floor (waist 0.85 m to crown 1.75 m of a
1.75 m tall person); the legs are not drawn.
"""
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from skimage import data

# Outline of the astronaut in skimage.data.astronaut() (512x512): head, suit, left of the flag
# and of the helmet she holds; traced by hand, (x, y) pixels.
_ASTRONAUT_OUTLINE = np.array([
    (222, 14), (262, 20), (292, 45), (302, 80), (298, 115), (288, 145), (300, 160),
    (305, 200), (330, 230), (352, 270), (362, 320), (368, 380), (372, 440), (380, 511),
    (20, 511), (22, 420), (26, 350), (40, 290), (70, 255), (112, 225), (115, 185),
    (140, 160), (160, 140), (152, 100), (158, 55), (185, 25),
], np.int32)


@dataclass(frozen=True)
class Cutout:
    """
    A person's picture with its mask, and the size and height it has in the world.

    `image` is BGR uint8 (h, w, 3), `mask` uint8 (h, w), 255 where the person is. The picture
    spans `height_m` metres, its centre `centre_height_m` above the floor.
    """

    image: np.ndarray
    mask: np.ndarray
    height_m: float
    centre_height_m: float

    @property
    def width_m(self) -> float:
        """Return the width the picture spans in the world, m (the photo's aspect ratio)."""
        return self.height_m * self.image.shape[1] / self.image.shape[0]


@lru_cache(maxsize=1)
def astronaut_cutout() -> Cutout:
    """Return the astronaut, cut out of her photo's background."""
    photo = cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR)
    mask = np.zeros(photo.shape[:2], np.uint8)
    cv2.fillPoly(mask, [_ASTRONAUT_OUTLINE], 255)
    x, y, w, h = cv2.boundingRect(_ASTRONAUT_OUTLINE)
    return _frozen(Cutout(photo[y:y + h, x:x + w].copy(), mask[y:y + h, x:x + w].copy(),
                          height_m=0.9, centre_height_m=1.3))


def distractor_cutout() -> Cutout:
    """Return a second person: the astronaut mirrored, her suit turned orange to blue."""
    return person_cutout(mirrored=True, suit_hue_shift=200)


@lru_cache(maxsize=16)
def person_cutout(mirrored: bool = False, suit_hue_shift: int = 0) -> Cutout:
    """
    Return a person made from the astronaut: mirrored or not, her suit's hue turned.

    ``suit_hue_shift`` is in degrees (0..359): 0 keeps the orange suit (a look-alike), 200
    makes it blue. Only bright, strongly saturated pixels (the suit) change hue; skin and
    hair keep theirs.
    """
    if not 0 <= suit_hue_shift < 360:
        raise ValueError(f'suit_hue_shift must be in [0, 360) degrees, got {suit_hue_shift}')
    target = astronaut_cutout()
    if not mirrored and suit_hue_shift == 0:
        return target
    image = cv2.flip(target.image, 1) if mirrored else target.image
    mask = cv2.flip(target.mask, 1) if mirrored else target.mask
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV)
    suit = (hsv[:, :, 1] > 150) & (hsv[:, :, 2] > 150)
    # OpenCV keeps 8-bit hue in half degrees (0..179).
    hsv[:, :, 0][suit] = (hsv[:, :, 0][suit].astype(np.int16) + suit_hue_shift // 2) % 180
    return _frozen(Cutout(cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR), mask.copy(),
                          height_m=target.height_m, centre_height_m=target.centre_height_m))


def _frozen(cutout: Cutout) -> Cutout:
    """Make the cached arrays read-only so no caller can change every later frame."""
    cutout.image.setflags(write=False)
    cutout.mask.setflags(write=False)
    return cutout
