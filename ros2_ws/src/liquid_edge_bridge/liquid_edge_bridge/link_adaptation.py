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

With adaptive encoding off the settings never change: `fixed` is what the camera is told
(the original system's JPEG quality 98 at 640x480, the baseline of the figures).
"""
from dataclasses import dataclass
from typing import Dict, Optional, Sequence

from liquid_edge_bridge.encoding_controller import EncodingController, EncodingSettings
from liquid_edge_bridge.link_estimator import LinkEstimate, LinkEstimator

#: The original system's setting: JPEG quality 98 at 640x480, 15 frames/s.
ORIGINAL_SETTINGS = EncodingSettings(quality=98, width=640, height=480, fps=15.0)


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
        self._settings = controller.settings if controller is not None else fixed
        self._reason = 'adaptive' if controller is not None else 'fixed (adaptive encoding off)'

    @property
    def adaptive(self) -> bool:
        """Tell whether the settings follow the link."""
        return self._controller is not None

    @property
    def settings(self) -> EncodingSettings:
        """Return the settings in force."""
        return self._settings

    @property
    def reason(self) -> str:
        """Return why the settings in force were chosen (or kept)."""
        return self._reason

    def record_answer(self, edge: str, now: float, request_bytes: int, response_bytes: int,
                      round_trip_s: float, server_s: float) -> None:
        """Record an answered call to `edge` (frame or probe): bytes, round trip, edge time."""
        self._estimators[edge].record_answer(now, request_bytes, response_bytes, round_trip_s,
                                             server_s)

    def record_failure(self, edge: str, now: float) -> None:
        """Record a call to `edge` that missed its deadline or failed."""
        self._estimators[edge].record_failure(now)

    def estimate(self, edge: str, now: float) -> LinkEstimate:
        """Return the link to `edge` as measured over the window ending at `now`."""
        return self._estimators[edge].estimate(now)

    def update(self, now: float, active: Optional[str]) -> LinkUpdate:
        """Re-decide the settings for the link to `active` (None: no edge, nothing changes)."""
        if self._controller is None or active is None:
            return LinkUpdate(self._settings, False, self._reason)
        decision = self._controller.update(now, self._estimators[active].estimate(now))
        self._settings = decision.settings
        self._reason = decision.reason
        return LinkUpdate(decision.settings, decision.changed, decision.reason)
