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
Choose JPEG quality, size and frame rate so that detections stay within the latency budget.

Pure logic: time is passed in, nothing here encodes or talks gRPC. The choice rests on an
`EncodingProfile`, measured offline (`python -m liquid_edge_sim.encoding_profile`): for each
quality x size, the JPEG bytes per frame and the person recall of the real detector. With the
link to the active edge as `LinkEstimate` measures it, a setting's capture-to-detections p95
is predicted as

    local_overhead + server_p95 + rtt + bytes_p95 / goodput + delay_p95(bytes_p95)

where the delay beyond round trip and transfer is jitter, or a TCP retransmission when
losses would hit more than 5 % of frames of that size (`LinkEstimate.network_p95_s`); and
a frame rate is sustainable while rate x mean transfer time stays below
`max_utilization` of the link (beyond it frames queue and latency grows without bound).

Settings whose recall is below `min_recall_ratio` of the profile's best are never chosen: a
frame on which the detector misses the person most of the time is no answer, however fast.
Among the settings predicted within `latency_budget_s`, the controller keeps those whose
recall is within `recall_tolerance` of the best of them, then takes the highest frame rate,
then the highest recall, then the fewest bytes. Hysteresis, so it does not oscillate:

- when no setting is predicted within budget while every frame had the same size (goodput
  not measurable) and the network time is at least the edge's, the bytes are at least halved
  once per `upgrade_hold_s`, down to what the goodput the answers prove would carry within
  budget: the smaller frames either help or, by their different size, show whether
  bandwidth is what is slow;
- when no setting is predicted within budget, the best of those predicted within
  (1 - `upgrade_margin`) x budget of the fastest is taken: smaller frames where the transfer
  is what is slow, the best recall where the round trip or the edge is;
- the current setting is left at once when it is predicted over budget or the link loses
  more than `max_loss_rate` of its calls (then the frame budget is at least halved, once
  per `upgrade_hold_s`, as the window still holds the losses of the old setting);
- a better setting is taken only after it has been predicted within `upgrade_margin` of the
  budget (and of the utilisation limit) for `upgrade_hold_s` without interruption;
- without a measurement (no answer in the estimator's window) nothing changes.
"""
from dataclasses import dataclass
import math
from typing import Any, List, Mapping, Optional, Sequence, Tuple

from liquid_edge_bridge.link_estimator import LinkEstimate


class EncodingProfileError(ValueError):
    """An encoding profile cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class EncodingSettings:
    """What the camera is told to capture: JPEG quality 1..100, pixels, frames per second."""

    quality: int
    width: int
    height: int
    fps: float

    def __post_init__(self):
        """Reject settings no camera can apply."""
        if not 1 <= self.quality <= 100:
            raise ValueError(f'JPEG quality must be in 1..100, got {self.quality}')
        if self.width < 16 or self.height < 16:
            raise ValueError(f'size {self.width}x{self.height} is too small (min 16x16)')
        if not (math.isfinite(self.fps) and self.fps > 0.0):
            raise ValueError(f'frame rate must be positive, got {self.fps}')


@dataclass(frozen=True)
class ProfilePoint:
    """One measured quality x size: JPEG bytes per frame and person recall in [0, 1]."""

    quality: int
    width: int
    height: int
    bytes_mean: float
    bytes_p95: float
    recall: float

    @property
    def key(self) -> Tuple[int, int, int]:
        """Return (quality, width, height), what identifies the point."""
        return self.quality, self.width, self.height


_POINT_FIELDS = ('quality', 'width', 'height', 'bytes_mean', 'bytes_p95', 'recall')


class EncodingProfile:
    """The measured points of a profile (config/encoding_profile.yaml)."""

    def __init__(self, points: Sequence[ProfilePoint]):
        """Check the points: at least one, each once, sane figures."""
        if not points:
            raise EncodingProfileError('an encoding profile needs at least one point')
        keys = [point.key for point in points]
        if len(set(keys)) != len(keys):
            raise EncodingProfileError(f'profile points repeat a quality x size: {keys}')
        for point in points:
            if not 0.0 <= point.recall <= 1.0:
                raise EncodingProfileError(f'{point.key}: recall must be in [0, 1], '
                                           f'got {point.recall}')
            if not 0.0 < point.bytes_mean <= point.bytes_p95:
                raise EncodingProfileError(f'{point.key}: need 0 < bytes_mean <= bytes_p95, '
                                           f'got {point.bytes_mean}, {point.bytes_p95}')
        self.points: Tuple[ProfilePoint, ...] = tuple(points)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> 'EncodingProfile':
        """Build from the YAML's mapping: `points: [{quality, width, height, ...}, ...]`."""
        if not isinstance(data, Mapping) or not isinstance(data.get('points'), list):
            raise EncodingProfileError('an encoding profile is a mapping with a points list')
        points = []
        for index, entry in enumerate(data['points']):
            if not isinstance(entry, Mapping):
                raise EncodingProfileError(f'points[{index}] must be a mapping')
            missing = [field for field in _POINT_FIELDS if field not in entry]
            if missing:
                raise EncodingProfileError(f'points[{index}] lacks {missing}')
            try:
                points.append(ProfilePoint(
                    quality=int(entry['quality']), width=int(entry['width']),
                    height=int(entry['height']), bytes_mean=float(entry['bytes_mean']),
                    bytes_p95=float(entry['bytes_p95']), recall=float(entry['recall'])))
            except (TypeError, ValueError) as error:
                raise EncodingProfileError(f'points[{index}]: {error}') from None
        return cls(points)

    @classmethod
    def load(cls, path: str) -> 'EncodingProfile':
        """Read a profile YAML file; EncodingProfileError says what is wrong with it."""
        import yaml
        try:
            with open(path, encoding='utf-8') as file:
                data = yaml.safe_load(file)
        except (OSError, yaml.YAMLError) as error:
            raise EncodingProfileError(f"cannot read encoding profile '{path}': {error}") \
                from None
        try:
            return cls.from_dict(data)
        except EncodingProfileError as error:
            raise EncodingProfileError(f"encoding profile '{path}': {error}") from None

    def point(self, quality: int, width: int, height: int) -> ProfilePoint:
        """Return the point of this quality x size (KeyError names the measured ones)."""
        for point in self.points:
            if point.key == (quality, width, height):
                return point
        raise KeyError(f'{(quality, width, height)} is not in the profile: '
                       f'{[p.key for p in self.points]}')


@dataclass(frozen=True)
class ControllerConfig:
    """Tuning of the encoding choice; seconds, frames per second, fractions."""

    latency_budget_s: float = 0.150
    frame_rates: Tuple[float, ...] = (15.0, 10.0, 7.5, 5.0)
    local_overhead_s: float = 0.010
    max_utilization: float = 0.7
    upgrade_margin: float = 0.8
    upgrade_hold_s: float = 3.0
    recall_tolerance: float = 0.03
    min_recall_ratio: float = 0.4
    max_loss_rate: float = 0.2

    def __post_init__(self):
        """Reject settings that cannot work, with the reason."""
        if not self.latency_budget_s > 0.0:
            raise ValueError(f'latency_budget_s must be positive, got {self.latency_budget_s}')
        if not self.frame_rates or any(not rate > 0.0 for rate in self.frame_rates):
            raise ValueError(f'frame_rates must be positive, got {list(self.frame_rates)}')
        if self.local_overhead_s < 0.0 or self.upgrade_hold_s < 0.0:
            raise ValueError('local_overhead_s and upgrade_hold_s must not be negative')
        for name in ('max_utilization', 'upgrade_margin'):
            if not 0.0 < getattr(self, name) <= 1.0:
                raise ValueError(f'{name} must be in (0, 1], got {getattr(self, name)}')
        for name in ('recall_tolerance', 'max_loss_rate', 'min_recall_ratio'):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f'{name} must be in [0, 1], got {getattr(self, name)}')


@dataclass(frozen=True)
class EncodingDecision:
    """The settings in force after an update, and why."""

    settings: EncodingSettings
    recall: float
    bytes_p95: float
    predicted_p95_s: Optional[float]  # None without a link measurement
    changed: bool
    reason: str


@dataclass(frozen=True)
class _Option:
    point: ProfilePoint
    fps: float

    @property
    def settings(self) -> EncodingSettings:
        return EncodingSettings(self.point.quality, self.point.width, self.point.height,
                                self.fps)


class EncodingController:
    """Holds the current encoding settings and changes them as the link changes."""

    def __init__(self, profile: EncodingProfile, config: ControllerConfig = ControllerConfig(),
                 initial: Optional[EncodingSettings] = None):
        """Start from `initial`, else the fewest bytes at the best recall, highest rate."""
        self.profile = profile
        self.config = config
        best = max(point.recall for point in profile.points)
        self._options = [_Option(point, fps) for point in profile.points
                         if point.recall >= config.min_recall_ratio * best
                         for fps in sorted(set(config.frame_rates), reverse=True)]
        near = [option for option in self._options
                if option.point.recall >= best - config.recall_tolerance]
        self._richest = max(near, key=lambda o: (o.fps, o.point.recall, -o.point.bytes_p95))
        if initial is None:
            self._current = self._richest
        else:
            self._current = _Option(
                profile.point(initial.quality, initial.width, initial.height), initial.fps)
        self._better_since: Optional[float] = None
        self._loss_step_at = -math.inf

    @property
    def settings(self) -> EncodingSettings:
        """Return the settings in force."""
        return self._current.settings

    @property
    def richest_settings(self) -> EncodingSettings:
        """Return the fewest bytes at the best recall and the highest rate: no link limits."""
        return self._richest.settings

    def predicted_p95_s(self, settings: EncodingSettings, link: LinkEstimate
                        ) -> Optional[float]:
        """Return the capture-to-detections p95 predicted for `settings`; None unmeasured."""
        point = self.profile.point(settings.quality, settings.width, settings.height)
        return self._predict(point, link)

    def update(self, now: float, link: LinkEstimate) -> EncodingDecision:
        """Re-decide with the link as measured at `now`; returns the settings in force."""
        if link.answers == 0 or link.rtt_s is None:
            self._better_since = None
            return self._decision(link, changed=False, reason='no link measurement')
        if link.loss_rate > self.config.max_loss_rate:
            if now - self._loss_step_at < self.config.upgrade_hold_s:
                return self._decision(link, changed=False, reason='waiting out losses')
            self._loss_step_at = now
            return self._switch(self._after_losses(), link,
                                f'{link.loss_rate:.0%} of calls lost')
        feasible = [option for option in self._options if self._fits(option, link, 1.0)]
        if (not feasible and link.goodput_bytes_per_s is None and not link.sizes_vary
                and link.rtt_p95_s >= (link.server_p95_s or 0.0)):
            # Over budget with every frame the same size and the network at least as slow as
            # the edge: whether bytes are what is slow is unknown, and smaller frames either
            # help or show that they do not. An edge slower than its network gets no less.
            if now - self._loss_step_at < self.config.upgrade_hold_s:
                return self._decision(link, changed=False, reason='waiting out a step down')
            self._loss_step_at = now
            return self._switch(self._step_down(link), link,
                                'over budget, bandwidth unknown: what the proven goodput '
                                'carries')
        if not feasible:
            return self._switch(self._fastest(link), link,
                                'no setting fits the budget: the fastest')
        best = self._best(feasible)
        if not self._fits(self._current, link, 1.0):
            return self._switch(best, link, 'over budget')
        comfortable = [option for option in feasible
                       if self._fits(option, link, self.config.upgrade_margin)]
        target = self._best(comfortable) if comfortable else None
        best_recall = max(option.point.recall for option in feasible)
        if target is None or (self._rank(target, best_recall)
                              <= self._rank(self._current, best_recall)):
            self._better_since = None
            return self._decision(link, changed=False, reason='within budget')
        if self._better_since is None:
            self._better_since = now
        if now - self._better_since < self.config.upgrade_hold_s:
            return self._decision(link, changed=False, reason='holding before an upgrade')
        return self._switch(target, link, 'upgrade')

    def _predict(self, point: ProfilePoint, link: LinkEstimate) -> Optional[float]:
        if link.rtt_s is None:
            return None
        return (self.config.local_overhead_s + (link.server_p95_s or 0.0)
                + link.network_p95_s(point.bytes_p95))

    def _fits(self, option: _Option, link: LinkEstimate, margin: float) -> bool:
        utilization = option.fps * link.transfer_s(option.point.bytes_mean)
        return (self._predict(option.point, link) <= self.config.latency_budget_s * margin
                and utilization <= self.config.max_utilization * margin)

    def _fastest(self, link: LinkEstimate) -> _Option:
        """
        Return the best option among those predicted about as fast as the fastest.

        Fewer bytes help only as far as the transfer is what is slow: when the round trip or
        the edge alone is over budget, shrinking the frames would cost recall for nothing.
        The current option stays while it is among those: noise in the figures must not
        make the camera hop between settings at every update.
        """
        floor = min(self._predict(option.point, link) for option in self._options)
        slack = (1.0 - self.config.upgrade_margin) * self.config.latency_budget_s
        near = [option for option in self._options
                if self._predict(option.point, link) <= floor + slack
                and option.fps * link.transfer_s(option.point.bytes_mean)
                <= self.config.max_utilization]
        if not near:
            return min(self._options, key=lambda o: (self._predict(o.point, link), o.fps))
        return self._current if self._current in near else self._best(near)

    def _rank(self, option: _Option, best_recall: float) -> tuple:
        """Rank by recall near the best of the choice, then rate, recall, fewer bytes."""
        near_best = option.point.recall >= best_recall - self.config.recall_tolerance
        return (near_best, option.fps, option.point.recall, -option.point.bytes_p95)

    def _best(self, options: List[_Option]) -> _Option:
        best_recall = max(option.point.recall for option in options)
        return max(options, key=lambda option: self._rank(option, best_recall))

    def _after_losses(self) -> _Option:
        """Return the best option with at most half the current bytes, else the cheapest."""
        smaller = self._smaller_options()
        if smaller:
            return self._best(smaller)
        # Nothing has half the bytes: the cheapest, at the lowest rate, as calls are lost.
        return min(self._cheapest_options(), key=lambda o: o.fps)

    def _step_down(self, link: LinkEstimate) -> _Option:
        """
        Return the best option of at most half the bytes that the proven goodput carries.

        The answers prove a goodput floor (bytes over network time) but not how the time
        splits between round trip and transfer. An option is carried when, at that floor, it
        keeps the link within `max_utilization` and fits the budget with the round trip left
        out: pessimistic on bandwidth, optimistic on the round trip, so one step goes about
        as far down as the answers justify. Without a floor the best of the smaller options;
        when none is carried or smaller, the cheapest at the current rate, since fewer frames
        would not make one answer sooner.
        """
        smaller = self._smaller_options()
        floor = link.goodput_floor_bytes_per_s
        if floor is not None:
            fixed = self.config.local_overhead_s + (link.server_p95_s or 0.0)
            smaller = [o for o in smaller
                       if o.fps * o.point.bytes_mean / floor <= self.config.max_utilization
                       and fixed + o.point.bytes_p95 / floor <= self.config.latency_budget_s]
        if smaller:
            return self._best(smaller)
        return min(self._cheapest_options(), key=lambda o: abs(o.fps - self._current.fps))

    def _smaller_options(self) -> List[_Option]:
        limit = self._current.point.bytes_p95 / 2.0
        return [o for o in self._options if o.point.bytes_p95 <= limit]

    def _cheapest_options(self) -> List[_Option]:
        cheapest = min(o.point.bytes_p95 for o in self._options)
        return [o for o in self._options if o.point.bytes_p95 == cheapest]

    def _switch(self, option: _Option, link: LinkEstimate, reason: str) -> EncodingDecision:
        self._better_since = None
        changed = option != self._current
        self._current = option
        return self._decision(link, changed=changed, reason=reason)

    def _decision(self, link: LinkEstimate, changed: bool, reason: str) -> EncodingDecision:
        point = self._current.point
        return EncodingDecision(self._current.settings, point.recall, point.bytes_p95,
                                self._predict(point, link), changed, reason)
