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
Multi-object tracker with stable track ids, predicting where each track will be.

Prediction: each track has a constant image velocity (px/s, an alpha-beta filter on its
matched centres, the robot's own turn taken out), and the robot's turn and the gimbal's tilt
since the track was last seen (`ego`, from odometry and the gimbal: see motion.py) are added
back, so a box is looked for where it should be now, not where it was.

Association is global (Hungarian: scipy's linear_sum_assignment) per class, against the
predicted boxes: a detection joins the track it overlaps most (IoU); when nothing overlaps
(a fast move between two slow frames) it may join the nearest track whose centre lies within
``max_centroid_distance`` box diagonals. Motion, size and appearance decide together: boxes
of very different heights never match without overlap, and when both carry a descriptor,
one that looks too unlike the track (below ``min_appearance``) never continues it, while a
better look lowers the cost. A detection that overlaps another one holds part of that
person too: it never changes the track's look or velocity.

Crossings: when two people pass, one detection may continue either track by motion. Such an
ambiguous detection never continues a track when it looks clearly more like the other one
(by ``ambiguity_margin``), so the person in front never carries on the track of the one
behind. A track lives while it is matched at
least once every ``timeout`` seconds of detection time (time, not a frame count, so "lost"
means the same at 2 fps and at 30 fps), and up to ``occlusion_timeout`` while its predicted
box is mostly covered by a taller (nearer) detection: a person hidden behind someone walking
past is waited for, not dropped. A prediction extrapolates the track's own motion for at
most ``timeout`` seconds; past that it holds still (a hidden person may have stopped).
"""
from dataclasses import dataclass, replace
import itertools
import math
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from liquid_edge_follow.appearance import similarity
from liquid_edge_follow.box import Box
import numpy as np
from scipy.optimize import linear_sum_assignment

# Where an image point (x, y), seen at stamp `since`, appears now (the robot's turn and tilt).
EgoShift = Callable[[float, float, float], Tuple[float, float]]

# Cost of a pair that must not be matched; any real cost is far below it.
_FORBIDDEN = 1e6


@dataclass(frozen=True)
class TrackerConfig:
    """Association and lifetime settings of `MultiObjectTracker`."""

    timeout: float = 1.0               # s without a match before a track is dropped
    iou_threshold: float = 0.3         # least overlap for an IoU match
    max_centroid_distance: float = 1.0  # centroid fallback gate, in box diagonals
    max_size_ratio: float = 1.5        # centroid fallback: larger / smaller box height
    min_appearance: float = 0.7        # least descriptor similarity to continue a track
    appearance_weight: float = 1.0     # cost per unit of (1 - similarity)
    velocity_gain: float = 0.3         # alpha-beta filter: share of a new velocity taken
    occlusion_timeout: float = 3.0     # s a track hidden behind a nearer detection lives
    occluded_share: float = 0.5        # share of the predicted box covered to count as hidden
    ambiguity_margin: float = 0.05     # a look this much closer to another track's is theirs

    def __post_init__(self):
        """Refuse settings that would never match or never drop a track."""
        if not self.timeout > 0.0:
            raise ValueError(f'track_timeout must be > 0 s, got {self.timeout}')
        if not 0.0 < self.iou_threshold <= 1.0:
            raise ValueError(f'track_iou_threshold must be in (0, 1], got {self.iou_threshold}')
        if not self.max_centroid_distance >= 0.0:
            raise ValueError('track_max_centroid_distance must be >= 0 box diagonals, '
                             f'got {self.max_centroid_distance}')
        if not self.max_size_ratio >= 1.0:
            raise ValueError(f'track_max_size_ratio must be >= 1, got {self.max_size_ratio}')
        if not 0.0 <= self.min_appearance <= 1.0:
            raise ValueError(f'track_min_appearance must be in [0, 1], got {self.min_appearance}')
        if not self.appearance_weight >= 0.0:
            raise ValueError('track_appearance_weight must be >= 0, '
                             f'got {self.appearance_weight}')
        if not 0.0 < self.velocity_gain <= 1.0:
            raise ValueError(f'velocity_gain must be in (0, 1], got {self.velocity_gain}')
        if not self.occlusion_timeout >= self.timeout:
            raise ValueError('track_occlusion_timeout must be >= track_timeout '
                             f'({self.timeout} s), got {self.occlusion_timeout}')
        if not 0.0 <= self.ambiguity_margin <= 1.0:
            raise ValueError(f'ambiguity_margin must be in [0, 1], got {self.ambiguity_margin}')
        if not 0.0 < self.occluded_share <= 1.0:
            raise ValueError(f'occluded_share must be in (0, 1], got {self.occluded_share}')


@dataclass
class Track:
    """One object followed over frames."""

    track_id: str
    box: Box                # last matched box
    last_seen: float        # detection stamp of the last match, s
    missed: int = 0         # detection frames since the last match
    hits: int = 1           # frames matched in a row
    velocity_x: float = 0.0  # px/s, the object's own motion (the robot's turn taken out)
    velocity_y: float = 0.0
    velocity_h: float = 0.0  # px/s, growth of the box height (+ coming closer)
    appearance: Optional[np.ndarray] = None  # smoothed descriptor of the matched boxes

    @property
    def class_name(self) -> str:
        """Class of the tracked object."""
        return self.box.class_name

    def predicted(self, stamp: float, ego: Optional[EgoShift] = None,
                  horizon: float = math.inf) -> Box:
        """
        Return the box expected at `stamp`: own motion (for `horizon` s), the robot's turn.

        The box also grows (or shrinks, at most to half) at its height's rate, keeping its
        shape: a person walking at the camera while the detector misses her is predicted
        nearer, not frozen where she was last seen.
        """
        elapsed = min(max(stamp - self.last_seen, 0.0), horizon)
        x = self.box.center_x + self.velocity_x * elapsed
        y = self.box.center_y + self.velocity_y * elapsed
        if ego is not None:
            x, y = ego(x, y, self.last_seen)
        height = max(self.box.height + self.velocity_h * elapsed, self.box.height / 2.0)
        return replace(self.box, center_x=x, center_y=y,
                       width=self.box.width * height / self.box.height, height=height)


class MultiObjectTracker:
    """Keeps tracks of every detected object across detection frames."""

    def __init__(self, config: TrackerConfig = TrackerConfig()):
        """Start with no track; ids count up from 1 for the tracker's lifetime."""
        self.config = config
        self._tracks: Dict[str, Track] = {}
        self._ids = itertools.count(1)

    @property
    def tracks(self) -> List[Track]:
        """Live tracks, oldest first."""
        return list(self._tracks.values())

    def get(self, track_id: Optional[str]) -> Optional[Track]:
        """Return the live track with this id, or None."""
        return self._tracks.get(track_id) if track_id else None

    def reset(self) -> None:
        """Forget every track (ids keep counting so an old id never comes back)."""
        self._tracks.clear()

    def update(self, boxes: Sequence[Box], stamp: float,
               ego: Optional[EgoShift] = None) -> List[Track]:
        """
        Associate one frame of detections taken at ``stamp`` (s); return the live tracks.

        ``ego(x, y, since)``: where image point (x, y) seen at `since` appears at ``stamp``
        after the robot's own turn and the gimbal's tilt; None when the robot does not turn
        (or it is unknown).
        """
        tracks = list(self._tracks.values())
        predictions = [t.predicted(stamp, ego, self.config.timeout) for t in tracks]
        # A box that overlaps another holds part of that person too: its look is mixed.
        crowded = [any(k != j and other.class_name == box.class_name and box.overlaps(other)
                       for k, other in enumerate(boxes)) for j, box in enumerate(boxes)]
        pairs = dict(self._associate(tracks, predictions, boxes))
        for track_index, track in enumerate(tracks):
            if track_index in pairs:
                self._matched(track, boxes[pairs[track_index]], stamp, ego,
                              crowded[pairs[track_index]])
                continue
            track.missed += 1
            track.hits = 0
            hidden = self._hidden(predictions[track_index], boxes)
            timeout = self.config.occlusion_timeout if hidden else self.config.timeout
            if stamp - track.last_seen > timeout:
                del self._tracks[track.track_id]
        matched_boxes = set(pairs.values())
        for index, box in enumerate(boxes):
            if index not in matched_boxes:
                track_id = '%s-%d' % (box.class_name.replace(' ', '_'), next(self._ids))
                self._tracks[track_id] = Track(track_id, box, stamp, appearance=box.appearance)
        return self.tracks

    def _matched(self, track: Track, box: Box, stamp: float, ego: Optional[EgoShift],
                 crowded: bool) -> None:
        """
        Move a track to its new box: velocity (and height growth) filter, smoothed descriptor.

        A crowded box (overlapping another) changes neither: half hidden, its centre moves
        with the one in front, not with the person, and its look is mixed. A box whose shape
        changed (width to height, by more than a quarter) is being cut by someone in front or
        by the frame: its centre shifts though the person does not, so it changes no velocity.
        """
        elapsed = stamp - track.last_seen
        reshaped = abs(math.log((box.width / box.height)
                                / (track.box.width / track.box.height))) > math.log(1.25)
        if elapsed > 0.0 and not crowded and not reshaped:
            start_x, start_y = ego(track.box.center_x, track.box.center_y, track.last_seen) \
                if ego else (track.box.center_x, track.box.center_y)
            # The first velocity of a track is measured, later ones filtered.
            gain = 1.0 if track.hits <= 1 and track.velocity_x == track.velocity_y == 0.0 \
                else self.config.velocity_gain
            # Walking across the view at 1 m/s is about 1.5 box widths a second; a larger
            # jump is a detection's noise (boxes jitter by pixels at 10 fps), not motion.
            limit = 2.0 * box.width
            measured_x = max(-limit, min(limit, (box.center_x - start_x) / elapsed))
            measured_y = max(-limit, min(limit, (box.center_y - start_y) / elapsed))
            measured_h = max(-limit, min(limit, (box.height - track.box.height) / elapsed))
            track.velocity_x += gain * (measured_x - track.velocity_x)
            track.velocity_y += gain * (measured_y - track.velocity_y)
            track.velocity_h += gain * (measured_h - track.velocity_h)
        if box.appearance is not None and not crowded:
            if track.appearance is None or track.appearance.shape != box.appearance.shape:
                track.appearance = box.appearance
            else:
                blended = 0.7 * track.appearance + 0.3 * box.appearance
                track.appearance = blended / max(float(np.linalg.norm(blended)), 1e-12)
        track.box = box
        track.last_seen = stamp
        track.missed = 0
        track.hits += 1

    def _hidden(self, predicted: Box, boxes: Sequence[Box]) -> bool:
        """Whether a taller (nearer) detection covers most of a track's predicted box."""
        return any(box.class_name == predicted.class_name and box.height > predicted.height
                   and predicted.covered_by(box) >= self.config.occluded_share
                   for box in boxes)

    def _associate(self, tracks: Sequence[Track], predictions: Sequence[Box],
                   boxes: Sequence[Box]) -> Iterable:
        """Yield (track index, box index) pairs of the cheapest allowed global assignment."""
        if not tracks or not boxes:
            return
        cost = np.full((len(tracks), len(boxes)), _FORBIDDEN)
        motion = np.array([[self._motion_cost(predicted, box) for box in boxes]
                           for predicted in predictions])
        for i, track in enumerate(tracks):
            for j, box in enumerate(boxes):
                if motion[i, j] < _FORBIDDEN and \
                        not self._looks_more_like_another(i, box, tracks, motion[:, j]):
                    cost[i, j] = self._pair_cost(motion[i, j], box, track.appearance)
        for i, j in zip(*linear_sum_assignment(cost)):
            if cost[i, j] < _FORBIDDEN:
                yield int(i), int(j)

    def _looks_more_like_another(self, index: int, box: Box, tracks: Sequence[Track],
                                 motion: np.ndarray) -> bool:
        """
        Whether another track that `box` could continue by motion looks clearly more like it.

        Clearly: by ``ambiguity_margin`` of similarity, so two look-alikes are told apart by
        motion alone, not by the noise of their descriptors.
        """
        own = tracks[index].appearance
        if own is None or box.appearance is None or own.shape != box.appearance.shape:
            return False
        match = similarity(own, box.appearance)
        return any(k != index and motion[k] < _FORBIDDEN and other.appearance is not None
                   and other.appearance.shape == own.shape
                   and similarity(other.appearance, box.appearance) >
                   match + self.config.ambiguity_margin
                   for k, other in enumerate(tracks))

    def _pair_cost(self, motion: float, current: Box,
                   appearance: Optional[np.ndarray] = None) -> float:
        """Cost of a pair allowed by motion: its motion cost, then its appearance."""
        if appearance is None or current.appearance is None \
                or appearance.shape != current.appearance.shape:
            return motion
        match = similarity(appearance, current.appearance)
        if match < self.config.min_appearance:
            return _FORBIDDEN
        return motion + self.config.appearance_weight * (1.0 - match)

    def _motion_cost(self, previous: Box, current: Box) -> float:
        """Return the motion cost: IoU matches below 1, centroid matches 1 and above."""
        if previous.class_name != current.class_name:
            return _FORBIDDEN
        overlap = previous.iou(current)
        if overlap >= self.config.iou_threshold:
            return 1.0 - overlap
        # Without overlap, only a box of about the same size may continue the track: a far
        # person near a lost near one is someone else, not the same person half a metre on.
        size_ratio = max(previous.height, current.height) / min(previous.height, current.height)
        if size_ratio > self.config.max_size_ratio:
            return _FORBIDDEN
        distance = previous.center_distance(current) / max(previous.diagonal, current.diagonal)
        if distance <= self.config.max_centroid_distance:
            return 1.0 + distance
        return _FORBIDDEN
