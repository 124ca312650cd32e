"""Bridge node against scripted real-gRPC edges: health, latency choice, return, refusal."""
import os
import shutil
import subprocess

from bridge_harness import LegacyEdge, make_test_pki, SCRIPTED_PERSON
import grpc
from liquid_edge_bridge.edge_config import EdgeConfigError
from liquid_edge_toolkit.parameters import ConfigurationError
import pytest
from rclpy.parameter import Parameter
import yaml

GREEN, BLUE = '#00c853', '#2962ff'


def test_detections_carry_the_image_header_and_the_edge_boxes(make_rig, scripted_edges):
    edge = scripted_edges('edge-a', GREEN)
    rig = make_rig([('edge-a', edge.address, GREEN)])
    rig.wait_for(lambda: len(rig.detections) >= 5, 10.0, 'five detection messages')
    for _, message in rig.detections:
        stamp = message.header.stamp
        assert stamp.sec * 1_000_000_000 + stamp.nanosec in rig.sent_stamps
        assert message.header.frame_id == 'camera_optical_frame'
        person = message.detections[0]
        assert person.results[0].hypothesis.class_id == 'person'
        assert person.bbox.center.position.x == SCRIPTED_PERSON.x + SCRIPTED_PERSON.width / 2
        assert person.bbox.size_y == SCRIPTED_PERSON.height
    active = rig.wait_for(rig.active_is('edge-a'), 5.0, 'edge-a active')
    assert active
    assert rig.latest_active().color.g == pytest.approx(0xc8 / 255)
    assert rig.wait_for(lambda: rig.latencies, 5.0, 'a latency sample')


def test_not_serving_switches_to_the_other_edge(make_rig, scripted_edges):
    edge_a = scripted_edges('edge-a', GREEN)
    edge_b = scripted_edges('edge-b', BLUE)
    rig = make_rig([('edge-a', edge_a.address, GREEN), ('edge-b', edge_b.address, BLUE)])
    rig.wait_for(rig.active_is('edge-a'), 10.0, 'edge-a active')
    rig.wait_for(lambda: rig.detections, 10.0, 'detections from edge-a')
    edge_a.set_serving(False)
    rig.wait_for(rig.active_is('edge-b'), 5.0, 'edge-b active after NOT_SERVING of edge-a')
    assert rig.latest_active().color.b == pytest.approx(1.0)
    served_by_b = edge_b.requests
    rig.wait_for(lambda: edge_b.requests > served_by_b + 5, 5.0, 'frames served by edge-b')
    assert rig.edge_diagnostics('edge-a') is not None


def test_edge_draining_slow_requests_does_not_hold_the_frames_back(make_rig, scripted_edges):
    edge_a = scripted_edges('edge-a', GREEN)
    edge_b = scripted_edges('edge-b', BLUE)
    # No probes: every request edge-b gets is a camera frame of the pipeline.
    rig = make_rig([('edge-a', edge_a.address, GREEN), ('edge-b', edge_b.address, BLUE)],
                   request_timeout=5.0, probe_period=0.0)
    rig.wait_for(rig.active_is('edge-a'), 10.0, 'edge-a active')
    rig.wait_for(lambda: rig.detections, 10.0, 'detections from edge-a')
    # edge-a hangs on every request (longer than the deadline), then drains.
    edge_a.delay_s = 6.0
    hung = edge_a.started
    rig.wait_for(lambda: edge_a.started >= hung + 2, 5.0, 'both slots held by edge-a')
    answered_by_a = edge_a.requests
    edge_a.set_serving(False)
    # Frames go to edge-b at once, not when edge-a's requests reach their 5 s deadline.
    rig.wait_for(lambda: edge_b.requests >= 3, 4.0,
                 'frames served by edge-b while edge-a still holds its requests')
    assert edge_a.requests == answered_by_a


def test_slow_edge_is_left_for_a_clearly_faster_one_and_returned_to_no_flap(
        make_rig, scripted_edges):
    edge_a = scripted_edges('edge-a', GREEN, delay_s=0.01)
    edge_b = scripted_edges('edge-b', BLUE, delay_s=0.01)
    rig = make_rig([('edge-a', edge_a.address, GREEN), ('edge-b', edge_b.address, BLUE)],
                   switch_hold=1.0, probe_period=0.2, latency_window=1.5)
    rig.wait_for(rig.active_is('edge-a'), 10.0, 'edge-a active')
    edge_a.delay_s = 0.12
    rig.wait_for(rig.active_is('edge-b'), 10.0, 'edge-b active once edge-a is slow')
    edge_a.delay_s = 0.01
    edge_b.delay_s = 0.12
    rig.wait_for(rig.active_is('edge-a'), 10.0, 'back to edge-a once it is faster again')
    switches = [message.name for _, message in rig.active]
    compact = [name for i, name in enumerate(switches) if i == 0 or switches[i - 1] != name]
    # Before the first health answer the latched message may say 'none reachable' ('').
    assert [name for name in compact if name] == ['edge-a', 'edge-b', 'edge-a']


def test_all_edges_down_is_grey_and_detections_stop(make_rig, scripted_edges):
    edge_a = scripted_edges('edge-a', GREEN)
    rig = make_rig([('edge-a', edge_a.address, GREEN)])
    rig.wait_for(lambda: rig.detections, 10.0, 'detections')
    edge_a.stop()
    rig.wait_for(rig.active_is(''), 5.0, 'no edge reachable')
    grey = rig.latest_active()
    assert not grey.reachable
    assert (grey.color.r, grey.color.g, grey.color.b) == pytest.approx((0.5, 0.5, 0.5))
    # Frames keep coming; none of them may produce detections any more.
    after = rig.active[-1][0]
    frames_then = len(rig.sent_stamps)
    rig.wait_for(lambda: len(rig.sent_stamps) >= frames_then + 10, 5.0, 'ten more frames')
    assert rig.first_detection_of_frame_after(after) is None


def test_original_protocol_edge_is_refused_with_a_clear_message(make_rig):
    legacy = LegacyEdge()
    try:
        rig = make_rig([('seed', legacy.address, GREEN)])
        values = rig.wait_for(lambda: rig.edge_diagnostics('seed'), 5.0, 'edge diagnostics')
        values = rig.wait_for(
            lambda: (rig.edge_diagnostics('seed') or {}).get('last_error'), 5.0,
            'the reason the seed edge is refused')
        assert 'original-protocol (seed) edge is not supported' in values
        assert not rig.latest_active().reachable
        assert not rig.detections
    finally:
        legacy.stop()


@pytest.mark.parametrize('addresses,colors,message', [
    (['127.0.0.1'], ['#00c853'], "edge 'edge-a': address '127.0.0.1' is not host:port"),
    (['127.0.0.1:99999'], ['#00c853'], 'outside 1..65535'),
    (['127.0.0.1:50051'], ['green'], "colour 'green' is not of the form"),
])
def test_bad_endpoint_is_a_clear_error_at_start(make_rig, addresses, colors, message):
    with pytest.raises(EdgeConfigError, match=message):
        make_rig([('edge-a', addresses[0], colors[0])])


def test_diagnostics_for_rqt(make_rig, scripted_edges):
    edge = scripted_edges('edge-a', GREEN)
    rig = make_rig([('edge-a', edge.address, GREEN)])
    rig.wait_for(lambda: rig.detections, 10.0, 'detections')

    def offload_status():
        for _, array in reversed(rig.diagnostics):
            for status in array.status:
                if status.name.endswith(': offload'):
                    values = {kv.key: kv.value for kv in status.values}
                    if values['latency_p50_ms'] != '-':
                        return values
        return None

    values = rig.wait_for(offload_status, 10.0, 'offload diagnostics with latency')
    assert values['active_edge'] == 'edge-a'
    assert float(values['fps']) > 0.0
    assert float(values['latency_p99_ms']) >= float(values['latency_p50_ms']) > 0.0
    assert rig.edge_diagnostics('edge-a')['health'] == 'serving'


def test_run_time_parameters_are_validated_with_the_reason(make_rig, scripted_edges):
    edge = scripted_edges('edge-a', GREEN)
    rig = make_rig([('edge-a', edge.address, GREEN)])
    bad = rig.bridge.set_parameters([Parameter('engines', value=['lidar'])])[0]
    assert not bad.successful and "unknown engines ['lidar']" in bad.reason
    empty = rig.bridge.set_parameters([Parameter('engines', Parameter.Type.STRING_ARRAY, [])])
    assert not empty[0].successful and 'engines is empty' in empty[0].reason
    fixed = rig.bridge.set_parameters([Parameter('max_in_flight', value=4)])[0]
    assert not fixed.successful  # read-only: the slots are sized at start
    good = rig.bridge.set_parameters([Parameter('class_names', value=['person']),
                                      Parameter('request_timeout', value=0.3)])
    assert all(result.successful for result in good)
    rig.wait_for(lambda: rig.detections, 10.0, 'detections with the new parameters')


def test_raw_input_without_cv_bridge_is_a_clear_error(make_rig):
    try:
        import cv_bridge  # noqa: F401
    except ImportError:
        with pytest.raises(ConfigurationError, match='input:=raw needs cv_bridge'):
            make_rig([('edge-a', '127.0.0.1:50051', GREEN)], input='raw')
    else:
        pytest.skip('cv_bridge is installed: the raw path is covered by the camera tests')


def test_edge_bridge_command_exits_with_the_configuration_error(tmp_path):
    command = os.path.join(os.environ['LIQUID_EDGE_ROOT'], 'ros2_ws', 'install',
                           'liquid_edge_bridge', 'lib', 'liquid_edge_bridge', 'edge_bridge')
    if not os.path.exists(command):
        pytest.skip(f'{command} is not built (colcon build)')
    # A name with '-' cannot be given with -p (rcl's lexer): edges come in a params file.
    params = tmp_path / 'bridge.yaml'
    params.write_text(yaml.safe_dump({'edge_bridge': {'ros__parameters': {
        'edges': ['edge-a'], 'edge-a': {'address': 'edge-a.local', 'color': '#00c853'}}}}))
    finished = subprocess.run(
        [command, '--ros-args', '--params-file', str(params)],
        env={**os.environ}, capture_output=True, text=True, timeout=30)
    assert finished.returncode == 1
    assert "edge 'edge-a': address 'edge-a.local' is not host:port" in finished.stderr


def mutual_tls_credentials(pki) -> grpc.ServerCredentials:
    """Server credentials of the test PKI that require a client certificate."""
    def read(name):
        with open(pki[name], 'rb') as file:
            return file.read()

    return grpc.ssl_server_credentials([(read('server.key'), read('server.pem'))],
                                       root_certificates=read('ca.pem'),
                                       require_client_auth=True)


@pytest.mark.skipif(shutil.which('openssl') is None, reason='openssl makes the test PKI')
def test_mutual_tls_edge_serves_detections(make_rig, scripted_edges, tmp_path):
    pki = make_test_pki(str(tmp_path))
    edge = scripted_edges('edge-tls', GREEN, credentials=mutual_tls_credentials(pki))
    rig = make_rig([('edge-tls', edge.address, GREEN)], **{
        'edge-tls.tls.ca': pki['ca.pem'], 'edge-tls.tls.cert': pki['client.pem'],
        'edge-tls.tls.key': pki['client.key']})
    rig.wait_for(lambda: len(rig.detections) >= 3, 10.0, 'detections over mutual TLS')
    assert rig.latest_active().name == 'edge-tls'


@pytest.mark.skipif(shutil.which('openssl') is None, reason='openssl makes the test PKI')
def test_tls_edge_without_the_client_certificate_is_not_used(make_rig, scripted_edges,
                                                             tmp_path):
    pki = make_test_pki(str(tmp_path))
    edge = scripted_edges('edge-tls', GREEN, credentials=mutual_tls_credentials(pki))
    rig = make_rig([('edge-tls', edge.address, GREEN)], **{'edge-tls.tls.ca': pki['ca.pem']})
    rig.wait_for(lambda: (rig.edge_diagnostics('edge-tls') or {}).get('health') ==
                 'unreachable', 10.0, 'the TLS edge reported unreachable')
    assert not rig.detections and not rig.latest_active().reachable
