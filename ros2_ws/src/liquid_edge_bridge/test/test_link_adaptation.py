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

"""Per-edge link estimates and the camera settings for the active edge's link."""
from liquid_edge_bridge.encoding_controller import (ControllerConfig, EncodingController,
                                                    EncodingProfile)
from liquid_edge_bridge.link_adaptation import LinkAdaptation, ORIGINAL_SETTINGS
import pytest

PROFILE = EncodingProfile.from_dict({'points': [
    {'width': 640, 'height': 480, 'quality': 95, 'bytes_mean': 80_000, 'bytes_p95': 85_000,
     'recall': 0.8},
    {'width': 320, 'height': 240, 'quality': 50, 'bytes_mean': 5_000, 'bytes_p95': 5_500,
     'recall': 0.4},
]})


def controller():
    return EncodingController(PROFILE, ControllerConfig(latency_budget_s=0.15))


def test_each_edge_has_its_own_estimate():
    links = LinkAdaptation(['edge-a', 'edge-b'], controller())
    links.record_answer('edge-a', 1.0, 80_000, 500, 0.040, 0.020)
    links.record_failure('edge-b', 1.0)
    assert links.estimate('edge-a', 1.0).rtt_s == pytest.approx(0.020)
    assert links.estimate('edge-b', 1.0).loss_rate == 1.0
    assert links.estimate('edge-b', 1.0).answers == 0


def test_settings_follow_the_active_edge_link_only():
    links = LinkAdaptation(['edge-a', 'edge-b'], controller())
    assert links.adaptive and (links.settings.width, links.settings.quality) == (640, 95)
    for i in range(10):
        size = 80_000 if i % 2 else 5_000
        # edge-b: 1 Mbit/s, the 80 kB frames take 0.64 s; edge-a: 500 Mbit/s.
        links.record_answer('edge-b', 1.0 + 0.1 * i, size, 0, 0.015 + size / 125_000, 0.010)
        links.record_answer('edge-a', 1.0 + 0.1 * i, size, 0, 0.015 + size / 62_500_000,
                            0.010)
    assert not links.update(2.0, 'edge-a').changed
    update = links.update(2.0, 'edge-b')
    assert update.changed and update.settings.width == 320
    assert update.reason == links.reason


def slow_link(links, edge, until=2.0):
    """Record 1 Mbit/s answers of two sizes on `edge`: only the small frames fit 150 ms."""
    for i in range(10):
        size = 80_000 if i % 2 else 5_000
        links.record_answer(edge, until - 1.0 + 0.1 * i, size, 0, 0.015 + size / 125_000,
                            0.010)


def test_on_the_local_standby_the_camera_is_richest_and_probes_suit_the_remote_link():
    links = LinkAdaptation(['edge-a', 'local'], controller())
    slow_link(links, 'edge-a')
    update = links.update(2.0, 'edge-a', on_local=True)
    # The local edge is on loopback: the camera keeps the best recall ...
    assert (update.settings.width, update.settings.quality) == (640, 95)
    assert not update.changed and 'local standby' in update.reason
    # ... while probes to edge-a carry what its 1 Mbit/s link allows.
    assert (links.probe_settings.width, links.probe_settings.quality) == (320, 50)
    # Back on edge-a the camera gets the probes' settings at once, and probes carry its frames.
    back = links.update(2.1, 'edge-a', on_local=False)
    assert back.changed and (back.settings.width, back.settings.quality) == (320, 50)
    assert links.probe_settings is None


def test_probes_carry_the_camera_frames_when_the_settings_are_the_same():
    links = LinkAdaptation(['edge-a', 'local'], controller())
    links.update(1.0, None, on_local=True)
    assert links.reason == 'local standby, no remote edge'
    assert links.probe_settings is None
    assert LinkAdaptation(['edge-a'], None).probe_settings is None


def test_without_an_active_edge_nothing_changes():
    links = LinkAdaptation(['edge-a'], controller())
    before = links.settings
    assert links.update(1.0, None).settings == before
    assert not links.update(1.0, None).changed


def test_fixed_settings_never_change():
    links = LinkAdaptation(['edge-a'], None)
    for i in range(10):
        links.record_answer('edge-a', 0.1 * i, 150_000, 500, 0.900, 0.010)
    update = links.update(1.0, 'edge-a')
    assert not links.adaptive and update.settings == ORIGINAL_SETTINGS
    assert (ORIGINAL_SETTINGS.quality, ORIGINAL_SETTINGS.width) == (98, 640)
    assert not update.changed


def test_an_unknown_edge_or_no_edge_is_refused():
    with pytest.raises(ValueError, match='at least one edge'):
        LinkAdaptation([], None)
    with pytest.raises(KeyError):
        LinkAdaptation(['edge-a'], None).record_failure('edge-x', 0.0)


GRID = EncodingProfile.from_dict({'points': [
    {'width': w, 'height': h, 'quality': q, 'bytes_mean': b, 'bytes_p95': b * 1.05,
     'recall': r}
    for w, h, q, b, r in ((640, 480, 95, 80_000, 0.8), (640, 480, 50, 20_000, 0.7),
                          (640, 480, 20, 9_000, 0.6), (320, 240, 50, 5_000, 0.4))]})


def test_frames_captured_before_a_step_down_are_reencoded_at_their_own_size():
    links = LinkAdaptation(['edge-a', 'local'], EncodingController(GRID))
    assert links.reencoding_for(1.0) is None
    slow_link(links, 'edge-a')
    update = links.update(2.0, 'edge-a')
    assert update.changed and update.settings.quality < 95
    # Captured at 640x480 q95 before the step: the quality at that size which fits the new
    # settings' bytes (20 whether the step went to 640x480 q20 or to 320x240 q50).
    before = links.reencoding_for(1.9)
    assert (before.quality, before.width, before.height) == (20, 640, 480)
    assert links.reencoding_for(2.0) is None and links.reencoding_for(2.5) is None
    # A step up (the local standby's richest settings): older frames are smaller, sent as
    # they are.
    assert links.update(3.0, 'edge-a', on_local=True).changed
    assert links.reencoding_for(2.5) is None
    assert LinkAdaptation(['edge-a'], None).reencoding_for(0.0) is None
