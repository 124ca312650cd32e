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
Whom the robot follows: the target's identity across occlusion, loss and look-alikes.

Pure, clock-free: `TargetIdentity.update` takes each frame's tracks and answers with the
target to steer by, or None.

- The first acquisition takes the largest person of the target class (both policies), once
  that person has been seen in `acquire_frames` frames in a row and is still the largest of
  every live track, those missed in this frame included: a detector that misses the near
  person in one frame does not hand the robot to a far stranger. For `acquire_window`
  seconds the first acquisition stays provisional: a person larger than the target in
  `acquire_frames` frames in a row takes over (a detector that missed the target in the
  first frames, with a stranger nearly as near, would otherwise give the robot to the
  stranger for good; one frame in which the target's box came out small does not).
- While the target's track lives, it is followed; in frames where it is not seen, on its
  predicted box (coasting, at most the tracker's timeout). The target's identity is a
  gallery of its descriptors, added only on confident, unambiguous matches: the detection
  looks like the gallery (or the gallery is new) and no other detection overlaps it (one
  that looks like her is her own nested second box).
- A track whose look turns clearly unlike the gallery (below `keep_similarity`: another
  person took over the track while two crossed) stops being the target. A doubtful sighting
  (below `reacquire_similarity`: a box that holds part of the person in front, or of both)
  is not steered by: the target coasts on her last sure sighting, for at most the tracker's
  prediction horizon; a track seen only doubtfully for longer is not hers any more (the
  person in front took it over as she left) and the target is lost: re-acquisition then
  needs a sure match.
- After a loss, `same_target` (default) re-acquires only a person whose look matches the
  gallery (at least `reacquire_similarity`, and clearly better than anyone else in view, by
  `reacquire_margin`), seen in at least two frames in a row and overlapping nobody else (a
  box that holds part of someone else has a mixed look; the people the detector missed in
  this frame count by their last box while their track lives, but a track that looks like
  her is her own stale or nested second track); nobody else, however large. While such
  a look is in view but not yet re-acquired (overlapping someone, or seen once),
  `likely_in_view` says so: the search then waits for her instead of turning away.
  `largest` takes the largest person again, the original "follow anyone" behaviour. Without
  descriptors (an edge that sends none), `same_target` re-acquires nobody: stop and search
  rather than follow a stranger.
- `select` and `forget` are the user's choice: follow this track (its look starts a new
  gallery), or nobody until the next first acquisition.
"""
from copy import copy
from dataclasses import dataclass
import math
from typing import Iterable, List, Optional, Sequence

from liquid_edge_follow.appearance import Gallery
from liquid_edge_follow.box import Box
from liquid_edge_follow.tracker import EgoShift, Track

SAME_TARGET = 'same_target'
LARGEST = 'largest'
POLICIES = (SAME_TARGET, LARGEST)


@dataclass(frozen=True)
class IdentityConfig:
    """Acquisition policy and the appearance thresholds of the target's identity."""

    policy: str = SAME_TARGET
    gallery_size: int = 30
    gallery_similarity: float = 0.9      # a match this good (or better) feeds the gallery
    keep_similarity: float = 0.75        # below this the target's track is someone else
    reacquire_similarity: float = 0.85   # least gallery match to re-acquire after a loss
    reacquire_margin: float = 0.05       # ... ahead of the second-best person in view
    acquire_frames: int = 3              # frames in a row the first target must be seen
    acquire_window: float = 2.0          # s a larger person may still take the first lock

    def __post_init__(self):
        """Refuse an unknown policy and thresholds outside [0, 1]."""
        if self.policy not in POLICIES:
            raise ValueError(f'acquire_policy must be one of {POLICIES}, got {self.policy!r}')
        if self.gallery_size < 1:
            raise ValueError(f'gallery_size must be >= 1, got {self.gallery_size}')
        if self.acquire_frames < 1:
            raise ValueError(f'acquire_frames must be >= 1, got {self.acquire_frames}')
        if not self.acquire_window >= 0.0:
            raise ValueError(f'acquire_window must be >= 0 s, got {self.acquire_window}')
        for name in ('gallery_similarity', 'keep_similarity', 'reacquire_similarity',
                     'reacquire_margin'):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f'{name} must be in [0, 1], got {value}')


@dataclass(frozen=True)
class TargetView:
    """The target in one frame: its track, the box to steer by, its appearance match."""

    track: Track
    box: Box              # the matched box, or the prediction while coasting
    match_score: Optional[float]   # gallery similarity of the matched box; None unknown
    coasting: bool


class TargetIdentity:
    """The followed person: track id and gallery of descriptors."""

    def __init__(self, config: IdentityConfig = IdentityConfig()):
        """Start with no target and an empty gallery."""
        self.config = config
        self.gallery = Gallery(config.gallery_size)
        self.track_id: Optional[str] = None
        self.match_score: Optional[float] = None
        self._acquired = False   # a first acquisition happened (since the last forget)
        self._first_at: Optional[float] = None   # stamp of a still provisional first lock
        # A person larger than the provisional target: (track id, frames in a row larger).
        self._challenger: Optional[tuple] = None
        self._sure: Optional[Track] = None       # the target's track at its last sure sighting
        # No target, but a person in view looks like her (re-acquisition withheld, ambiguous).
        self.likely_in_view = False

    def forget(self) -> None:
        """Follow nobody: the next acquisition is a first one (the largest person)."""
        self.track_id = None
        self.match_score = None
        self._acquired = False
        self._first_at = None
        self._challenger = None
        self._sure = None
        self.gallery.clear()

    def select(self, track: Track) -> None:
        """Follow `track` from now on; its look starts a new gallery."""
        self.forget()
        self.track_id = track.track_id
        self._acquired = True
        self._sure = copy(track)
        if track.box.appearance is not None:
            self.gallery.add(track.box.appearance)
            self.match_score = 1.0

    def update(self, tracks: Iterable[Track], target_class: str, stamp: float,
               ego: Optional[EgoShift] = None,
               horizon: float = math.inf) -> Optional[TargetView]:
        """
        Take one frame's live tracks; return the target to steer by, or None.

        `ego` and `horizon` are the tracker's (see `Track.predicted`): the coasting target is
        where the tracker looks for it.
        """
        tracks = [t for t in tracks if t.class_name == target_class]
        seen = [t for t in tracks if t.missed == 0]
        self.likely_in_view = False
        if self._first_at is not None and stamp - self._first_at > self.config.acquire_window:
            self._first_at = None
        current = next((t for t in tracks if t.track_id == self.track_id), None)
        if self._first_at is not None and current is not None:
            # Only a person larger than the live target takes over: the largest live track
            # other than hers, larger than hers in acquire_frames frames in a row.
            challenger = self._larger_steadily(tracks, current)
            if challenger is not None:
                self.gallery.clear()
                return self._lock(challenger, seen)
        if current is not None and current.missed == 0:
            score = self.gallery.similarity(current.box.appearance)
            doubtful = score is not None and score < self.config.reacquire_similarity and \
                self._sure is not None
            if score is not None and score < self.config.keep_similarity:
                current = None      # someone else continued the target's track
            elif doubtful and stamp - self._sure.last_seen > horizon:
                current = None      # nothing but doubtful sightings for too long: not her
            elif not doubtful:
                self.match_score = score
                self._sure = copy(current)
                if score is None or score >= self.config.gallery_similarity or \
                        not len(self.gallery):
                    self._learn(current, seen)
                return TargetView(current, current.box, score, coasting=False)
        if current is not None:
            anchor = self._sure if self._sure is not None else current
            return TargetView(current, anchor.predicted(stamp, ego, horizon), self.match_score,
                              coasting=True)
        self.track_id = None
        self.match_score = None
        if not self._acquired:
            chosen = self._largest(tracks)
            self._first_at = stamp if chosen is not None else None
        else:
            chosen = self._reacquire(seen, tracks)
        return None if chosen is None else self._lock(chosen, seen)

    def _lock(self, chosen: Track, seen: Sequence[Track]) -> TargetView:
        """Follow `chosen` from this frame on."""
        self.track_id = chosen.track_id
        self._acquired = True
        self._sure = copy(chosen)
        self.match_score = self.gallery.similarity(chosen.box.appearance)
        self._learn(chosen, seen)
        return TargetView(chosen, chosen.box, self.match_score, coasting=False)

    def _larger_steadily(self, tracks: Sequence[Track], current: Track) -> Optional[Track]:
        """Return the largest track if larger than `current` in acquire_frames frames in a row."""
        largest = max(tracks, key=lambda t: t.box.area, default=None)
        if largest is None or largest is current or largest.missed:
            self._challenger = None
            return None
        previous = self._challenger[1] if self._challenger and \
            self._challenger[0] == largest.track_id else 0
        self._challenger = (largest.track_id, previous + 1)
        if previous + 1 < self.config.acquire_frames:
            return None
        self._challenger = None
        return largest

    def _largest(self, tracks: Sequence[Track]) -> Optional[Track]:
        """Return the largest live track if it is seen now and steadily, or None."""
        largest = max(tracks, key=lambda t: t.box.area, default=None)
        if largest is None or largest.missed or largest.hits < self.config.acquire_frames:
            return None
        return largest

    def _reacquire(self, seen: Sequence[Track], tracks: Sequence[Track]) -> Optional[Track]:
        """
        Return the track to lock on after a loss, or None.

        Only a person seen now is a candidate, but everyone whose track lives is in view: one
        the detector missed in this frame still makes a box that overlaps her last box a
        mixed one.
        """
        if self.config.policy == LARGEST:
            return max(seen, key=lambda t: t.box.area, default=None)
        scored: List[tuple] = []
        for track in seen:
            score = self.gallery.similarity(track.box.appearance)
            if score is not None:
                scored.append((score, track))
        if not scored:
            return None
        scored.sort(key=lambda pair: pair[0], reverse=True)
        best_score, best = scored[0]
        runner_up = scored[1][0] if len(scored) > 1 else 0.0
        alone = not self._someone_else_overlaps(best, tracks)
        if best_score >= self.config.reacquire_similarity and alone and \
                best_score - runner_up >= self.config.reacquire_margin and best.hits >= 2:
            return best
        self.likely_in_view = best_score >= self.config.reacquire_similarity
        return None

    def _someone_else_overlaps(self, track: Track, others: Sequence[Track]) -> bool:
        """
        Tell whether a track of `others` overlaps `track` and does not look like the target.

        A track that does (gallery match at least `reacquire_similarity`) is her own: a stale
        or nested second track of the same person, which the detector leaves while the robot
        turns, does not make her box a mixed one.
        """
        for other in others:
            if other is track or not other.box.overlaps(track.box):
                continue
            score = self.gallery.similarity(other.appearance)
            if score is None or score < self.config.reacquire_similarity:
                return True
        return False

    def _learn(self, track: Track, seen: Sequence[Track]) -> None:
        """Add the track's descriptor to the gallery unless another person overlaps it."""
        if track.box.appearance is None:
            return
        if self._someone_else_overlaps(track, seen):
            return
        if len(self.gallery) and \
                self.gallery.similarity(track.box.appearance) is None:
            self.gallery.clear()    # the edge changed descriptor kind: start again
        self.gallery.add(track.box.appearance)
