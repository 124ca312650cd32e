"""
Multi-object tracker with stable track ids and the choice of the target to follow.

Association is global (Hungarian, scipy) per class: a detection joins the track it overlaps
most (IoU); when nothing overlaps (a fast move between two slow frames) it may join the
nearest track whose centre lies within ``max_centroid_distance`` box diagonals. A track
lives while it is matched at least once every ``timeout`` seconds of detection time; time,
not a frame count, so "lost" means the same at 2 fps and at 30 fps (the original's 25
frames were 1.7 s at 15 fps but 12 s at a 2 fps edge).
"""
from dataclasses import dataclass
import itertools
from typing import Dict, Iterable, List, Optional, Sequence

from liquid_edge_follow.box import Box
import numpy as np
from scipy.optimize import linear_sum_assignment

# Cost of a pair that must not be matched; any real cost is below 1 + max_centroid_distance.
_FORBIDDEN = 1e6


@dataclass(frozen=True)
class TrackerConfig:
    """Association and lifetime settings of `MultiObjectTracker`."""

    timeout: float = 1.0               # s without a match before a track is dropped
    iou_threshold: float = 0.3         # least overlap for an IoU match
    max_centroid_distance: float = 1.0  # centroid fallback gate, in box diagonals
    max_size_ratio: float = 1.5        # centroid fallback: larger / smaller box height

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


@dataclass
class Track:
    """One object followed over frames."""

    track_id: str
    box: Box                # last matched box
    last_seen: float        # detection stamp of the last match, s
    missed: int = 0         # detection frames since the last match

    @property
    def class_name(self) -> str:
        """Class of the tracked object."""
        return self.box.class_name


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

    def update(self, boxes: Sequence[Box], stamp: float) -> List[Track]:
        """Associate one frame of detections taken at ``stamp`` (s); return the live tracks."""
        tracks = list(self._tracks.values())
        pairs = dict(self._associate(tracks, boxes))
        for track_index, track in enumerate(tracks):
            if track_index in pairs:
                track.box = boxes[pairs[track_index]]
                track.last_seen = stamp
                track.missed = 0
                continue
            track.missed += 1
            if stamp - track.last_seen > self.config.timeout:
                del self._tracks[track.track_id]
        matched_boxes = set(pairs.values())
        for index, box in enumerate(boxes):
            if index not in matched_boxes:
                track_id = '%s-%d' % (box.class_name.replace(' ', '_'), next(self._ids))
                self._tracks[track_id] = Track(track_id, box, stamp)
        return self.tracks

    def _associate(self, tracks: Sequence[Track], boxes: Sequence[Box]) -> Iterable:
        """Yield (track index, box index) pairs of the cheapest allowed global assignment."""
        if not tracks or not boxes:
            return
        cost = np.full((len(tracks), len(boxes)), _FORBIDDEN)
        for i, track in enumerate(tracks):
            for j, box in enumerate(boxes):
                cost[i, j] = self._pair_cost(track.box, box)
        for i, j in zip(*linear_sum_assignment(cost)):
            if cost[i, j] < _FORBIDDEN:
                yield int(i), int(j)

    def _pair_cost(self, previous: Box, current: Box) -> float:
        """Cost of matching two boxes: IoU matches always beat centroid matches."""
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


def choose_target(tracks: Iterable[Track], target_class: str,
                  current_id: Optional[str]) -> Optional[Track]:
    """
    Keep the current target while its track lives, else lock on the largest one in view.

    Only tracks matched in the latest frame are candidates for a new lock, so the robot
    never locks onto where something was.
    """
    tracks = list(tracks)
    for track in tracks:
        if track.track_id == current_id and track.class_name == target_class:
            return track
    candidates = [t for t in tracks if t.class_name == target_class and t.missed == 0]
    return max(candidates, key=lambda t: t.box.area, default=None)
