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
The bridge's view of its links: one `LinkEstimator` per edge, the encoding the active one allows.

Pure logic between the bridge node and the modules that measure (`link_estimator`) and decide
(`encoding_controller`): the node reports every finished call here and, on its timer, asks
`update` for the settings to give the camera. Time is passed in (seconds, monotonic).

On the local standby the camera gets the richest settings (the local edge is on loopback, so
no link limits them), while the controller keeps following the link to the remote edge that
would serve: the probes to it carry frames re-encoded to `probe_settings`, so they show when
that link is good enough again at the size it allows, not at the local edge's size.

A frame the camera captured before a change to fewer bytes still has the old bytes: sent as it
is, the first frames after a robot leaves a 5G cell for congested Wi-Fi would queue on the new
link at the old size. `reencoding_for` says what such a frame is re-encoded to in the bridge
(the fallback the camera's own encoding spares every other frame).

With adaptive encoding off the settings never change: `fixed` is what the camera is told
(the original system's JPEG quality 98 at 640x480, the baseline of the figures).
"""
from bisect import bisect_right
from collections import deque
from dataclasses import dataclass, replace
import math
from typing import Dict, Optional, Sequence

from liquid_edge_bridge.encoding_controller import EncodingController, EncodingSettings
from liquid_edge_bridge.link_estimator import LinkEstimate, LinkEstimator

#: The original system's setting: JPEG quality 98 at 640x480, 15 frames/s.
ORIGINAL_SETTINGS = EncodingSettings(quality=98, width=640, height=480, fps=15.0)
_CHANGES_KEPT = 8


@dataclass(frozen=True)
class LinkUpdate:
    """The settings in force after an update, whether they changed, and why."""

    settings: EncodingSettings
    changed: bool
    reason: str


class LinkAdaptation:
    """Per-edge link estimates and the camera settings chosen for the active edge's link."""

    def __init__(self, edges: Sequence[str], controller: Optional[EncodingController],
                 fixed: EncodingSettings = ORIGINAL_SETTINGS, window_s: float = 5.0):
        """Measure `edges`; `controller` None keeps `fixed` (adaptive encoding off)."""
        if not edges:
            raise ValueError('link adaptation needs at least one edge')
        self._estimators: Dict[str, LinkEstimator] = {
            edge: LinkEstimator(window_s) for edge in edges}
        self._controller = controller
        self._reason = 'adaptive' if controller is not None else 'fixed (adaptive encoding off)'
        self._on_local = False
        # (time, settings) of the latest changes, the last one in force; frames older than
        # these are long gone.
        self._changes = deque(
            [(-math.inf, controller.settings if controller is not None else fixed)],
            maxlen=_CHANGES_KEPT)

    @property
    def adaptive(self) -> bool:
        """Tell whether the settings follow the link."""
        return self._controller is not None

    @property
    def settings(self) -> EncodingSettings:
        """Return the settings in force."""
        return self._changes[-1][1]

    @property
    def probe_settings(self) -> Optional[EncodingSettings]:
        """Return what probes to remote edges carry instead of the camera's frames; None: those."""
        if self._controller is None or not self._on_local:
            return None
        settings = self._controller.settings
        return None if settings == self.settings else settings

    @property
    def reason(self) -> str:
        """Return why the settings in force were chosen (or kept)."""
        return self._reason

    def record_answer(self, edge: str, now: float, request_bytes: int, response_bytes: int,
                      round_trip_s: float, server_s: float) -> bool:
        """
        Record an answered call to `edge` (frame or probe): bytes, round trip, edge time.

        Returns True when the answer showed that the link to `edge` has changed, so the
        settings are best re-decided at once rather than at the next update.
        """
        return self._estimators[edge].record_answer(now, request_bytes, response_bytes,
                                                    round_trip_s, server_s)

    def record_failure(self, edge: str, now: float) -> None:
        """Record a call to `edge` that missed its deadline or failed."""
        self._estimators[edge].record_failure(now)

    def estimate(self, edge: str, now: float) -> LinkEstimate:
        """Return the link to `edge` as measured over the window ending at `now`."""
        return self._estimators[edge].estimate(now)

    def update(self, now: float, remote: Optional[str], on_local: bool = False) -> LinkUpdate:
        """
        Re-decide the settings for the link to the remote edge `remote` (None: none).

        On the local standby (`on_local`) the camera gets the richest settings and the
        controller's choice for `remote`'s link goes to the probes only.
        """
        if self._controller is None:
            return LinkUpdate(self.settings, False, self._reason)
        self._on_local = on_local
        if remote is not None:
            decision = self._controller.update(now, self._estimators[remote].estimate(now))
            self._reason = decision.reason
        settings = self._controller.settings
        if on_local:
            settings = self._controller.richest_settings
            self._reason = f'local standby; link to {remote}: {self._reason}' \
                if remote is not None else 'local standby, no remote edge'
        changed = settings != self.settings
        if changed:
            self._changes.append((now, settings))
        return LinkUpdate(settings, changed, self._reason)

    def reencoding_for(self, captured_at: float) -> Optional[EncodingSettings]:
        """
        Return what a frame captured at `captured_at` is re-encoded to; None: sent as it is.

        Only a frame captured under settings of more bytes than those in force now is: at
        its own size (its detections stay in the pixels the camera's frame has), at the
        highest quality of the profile whose bytes there are at most those of the settings
        in force (the lowest quality there, if none is).
        """
        if self._controller is None:
            return None
        index = bisect_right([t for t, _ in self._changes], captured_at) - 1
        if index < 0:
            return None
        captured, settings = self._changes[index][1], self.settings
        if captured == settings:
            return None
        profile = self._controller.profile
        limit = profile.point(settings.quality, settings.width, settings.height).bytes_mean
        if profile.point(captured.quality, captured.width,
                         captured.height).bytes_mean <= limit:
            return None
        same_size = [point for point in profile.points
                     if (point.width, point.height) == (captured.width, captured.height)]
        fitting = [point for point in same_size if point.bytes_mean <= limit]
        quality = max(p.quality for p in fitting) if fitting else \
            min(p.quality for p in same_size)
        return replace(captured, quality=quality) if quality != captured.quality else None
