"""Bridge node and the link: capture settings for the link it measures, the local standby edge."""
import pathlib
import time

from bridge_harness import astronaut_jpeg
from liquid_edge_bridge.edge_config import EdgeConfigError
from liquid_edge_bridge.encoding_controller import EncodingProfile, EncodingProfileError
from liquid_edge_bridge.link_awareness import InterfaceReading, LinkSource
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_sim.link_schedule import LinkSchedule
from liquid_edge_sim.link_shaper import LinkShaper
from liquid_edge_toolkit.parameters import ConfigurationError
import pytest

GREEN, BLUE, AMBER = '#00c853', '#2962ff', '#ffab00'
PROFILE = EncodingProfile.load(
    str(pathlib.Path(__file__).resolve().parents[2] / 'config' / 'encoding_profile.yaml'))


def settings_of(message):
    """Return (quality, width, height, fps) of a CaptureSettings message."""
    return message.quality, message.width, message.height, message.fps


def test_a_slow_link_makes_the_bridge_ask_the_camera_for_fewer_bytes(make_rig, scripted_edges):
    edge = scripted_edges('edge-a', GREEN)
    # A real 2 Mbit/s link to the edge: a 57 kB frame takes 230 ms, over the 150 ms budget.
    slow = LinkSchedule.from_list([{'duration': 600, 'rate_mbit': 2, 'delay_ms': 5}])
    with LinkShaper(edge.address, slow) as shaper:
        rig = make_rig([('edge-a', shaper.address, GREEN)], latency_budget=0.15)
        # Frames of two sizes, so the bridge can tell bandwidth from round trip.
        rig.jpegs = [astronaut_jpeg(90), astronaut_jpeg(40)]
        first = rig.wait_for(lambda: rig.capture_settings, 5.0, 'latched capture settings')
        # The profile's best recall at the highest rate: JPEG q95 at 640x480, 15 fps.
        assert settings_of(first[0][1]) == (95, 640, 480, 15.0)
        changed = rig.wait_for(
            lambda: [m for _, m in rig.capture_settings
                     if settings_of(m) != (95, 640, 480, 15.0)],
            20.0, 'capture settings for the slow link')
        point = PROFILE.point(changed[-1].quality, changed[-1].width, changed[-1].height)
        assert point.bytes_p95 < PROFILE.point(95, 640, 480).bytes_p95 / 2

        def slow_link_measured():
            for _, state in rig.links[-1:]:
                link = state.edges[0]
                if link.active and 100_000 <= link.goodput <= 400_000:
                    return state
            return None
        state = rig.wait_for(slow_link_measured, 10.0, 'edge/link with the 2 Mbit/s goodput')
        assert (state.edges[0].name, state.edges[0].edge_class) == ('edge-a', 'remote')
        assert not state.on_local
        assert settings_of(state.settings) in {settings_of(m) for _, m in rig.capture_settings}
        diagnostics = rig.edge_diagnostics('edge-a')
        assert 0.8 <= float(diagnostics['link_goodput_mbit_s']) <= 3.2


def test_fixed_encoding_keeps_the_original_setting(make_rig, scripted_edges):
    edge = scripted_edges('edge-a', GREEN, delay_s=0.3)
    rig = make_rig([('edge-a', edge.address, GREEN)], adaptive_encoding=False)

    def slow_link_measured():
        return len(rig.links) >= 10 and rig.links[-1][1].edges[0].rtt >= 0.25
    rig.wait_for(slow_link_measured, 15.0, 'the slow link measured')
    assert {settings_of(m) for _, m in rig.capture_settings} == {(98, 640, 480, 15.0)}
    assert rig.links[-1][1].settings.quality == 98


def test_a_bad_encoding_profile_stops_the_node_with_its_path(
        make_rig, scripted_edges, tmp_path):
    profile = tmp_path / 'profile.yaml'
    profile.write_text('points: []\n')
    edge = scripted_edges('edge-a', GREEN)
    with pytest.raises(EncodingProfileError, match='profile.yaml.*at least one point'):
        make_rig([('edge-a', edge.address, GREEN)], encoding_profile=str(profile))


def test_the_local_edge_serves_only_while_no_remote_edge_does(make_rig, scripted_edges):
    remote = scripted_edges('edge-a', GREEN)
    local = scripted_edges('local', AMBER)
    rig = make_rig([('edge-a', remote.address, GREEN)], local_edge_address=local.address,
                   local_edge_color=AMBER, local_edge_max_fps=4.0, standby_enter_after=0.5,
                   standby_leave_after_answers=3, probe_period=0.2)
    # Until edge-a answers, no remote edge serves: the local edge may have the first frames.
    rig.wait_for(rig.active_is('edge-a'), 10.0, 'edge-a active')
    assert not rig.latest_active().local
    before, served_by_local = len(rig.detections), local.requests
    rig.wait_for(lambda: len(rig.detections) >= before + 10, 10.0, 'detections from edge-a')
    assert local.requests == served_by_local

    remote.set_serving(False)
    rig.wait_for(rig.active_is('local'), 5.0, 'the local standby active')
    active = rig.latest_active()
    assert active.local and active.reachable
    assert (active.color.r, active.color.g) == pytest.approx((1.0, 0xab / 255))
    since, served = time.monotonic(), local.requests
    rig.wait_for(lambda: local.requests >= served + 6, 10.0, 'frames served by the local edge')
    # Never faster than local_edge_max_fps (a cap, not a speed test: slowness cannot fail it).
    assert local.requests - served <= 4.0 * (time.monotonic() - since) + 2
    # The local edge is a YOLO service: asked only for YOLO, while remote edges get every engine.
    assert local.engines_asked == (v1.ENGINE_YOLO,)
    assert remote.engines_asked == (v1.ENGINE_YOLO, v1.ENGINE_FACE)

    remote.set_serving(True)
    rig.wait_for(rig.active_is('edge-a'), 10.0, 'edge-a back after the standby')
    assert not rig.latest_active().local


def test_a_local_edge_named_like_a_remote_one_is_refused(make_rig, scripted_edges):
    edge = scripted_edges('edge-a', GREEN)
    with pytest.raises(EdgeConfigError, match="local_edge_name 'edge-a' is also in edges"):
        make_rig([('edge-a', edge.address, GREEN)], local_edge_name='edge-a',
                 local_edge_address='127.0.0.1:50999')


class FakeLinkSource(LinkSource):
    """The OS's interface counters as the test sets them."""

    def __init__(self):
        self.errors = 0
        self.packets = 0

    def read(self):
        self.packets += 1000
        return {'wlan0': InterfaceReading('wlan0', 0, self.packets, self.errors, 0, 0,
                                          self.packets, 0, 0, wireless=True,
                                          signal_dbm=-60.0)}


def test_a_degrading_interface_fails_its_edge_over(make_rig, scripted_edges):
    edge_a = scripted_edges('edge-a', GREEN)
    edge_b = scripted_edges('edge-b', BLUE)
    source = FakeLinkSource()
    rig = make_rig([('edge-a', edge_a.address, GREEN), ('edge-b', edge_b.address, BLUE)],
                   link_source=source, link_interfaces=['wlan0'],
                   link_interface_edges=['edge-a'])
    rig.wait_for(rig.active_is('edge-a'), 10.0, 'edge-a active')
    message, values = rig.wait_for(lambda: rig.interface_diagnostics('wlan0'), 5.0,
                                   'wlan0 diagnostics')
    assert message == 'ok' and values['signal_dbm'] == '-60'
    source.errors = 10_000  # far more errors than packets since the last reading
    rig.wait_for(rig.active_is('edge-b'), 5.0, 'edge-b active after wlan0 degrades')
    message, _ = rig.wait_for(
        lambda: (d := rig.interface_diagnostics('wlan0')) and 'degrading' in d[0] and d,
        5.0, 'wlan0 reported degrading')
    assert 'of packets lost to errors and drops' in message


def test_loopback_is_reported_as_the_os_sees_it(make_rig, scripted_edges):
    edge = scripted_edges('edge-a', GREEN)
    rig = make_rig([('edge-a', edge.address, GREEN)], link_interfaces=['lo'])
    message, values = rig.wait_for(lambda: rig.interface_diagnostics('lo'), 5.0,
                                   'lo diagnostics')
    assert message == 'ok'
    assert int(values['rx_bytes']) > 0 and values['wireless'] == 'False'


def test_an_interface_mapped_to_an_unknown_edge_is_refused(make_rig, scripted_edges):
    edge = scripted_edges('edge-a', GREEN)
    with pytest.raises(ConfigurationError, match="link_interface_edges\\[0\\] 'edge-x'"):
        make_rig([('edge-a', edge.address, GREEN)], link_interfaces=['wlan0'],
                 link_interface_edges=['edge-x'])
