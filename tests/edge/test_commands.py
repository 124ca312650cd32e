"""The real commands as subprocesses: --help, a whole stack, SIGTERM drain, a killed edge."""
from pathlib import Path
import signal
import subprocess
import sys
import time

import cv2
from edge_harness import iou, PASTED_BOX
import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc
from liquid_edge.stack import EdgeStack, ServiceProcess
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
import pytest
from skimage import data

TIMEOUT_S = 20.0
COMMANDS = ['objectdetection', 'facedetection', 'yolodetection']


@pytest.mark.parametrize('command', COMMANDS)
def test_help_lists_the_options(command):
    result = subprocess.run([str(Path(sys.executable).parent / command), '--help'],
                            capture_output=True, text=True, timeout=60, check=True)
    for option in ('--port', '--metrics-port', '--max-in-flight', '--max-pixels', '--site',
                   '--color', '--drain-seconds'):
        assert option in result.stdout


@pytest.mark.parametrize('command, options', [
    ('yolodetection', ('--max-batch', '--batch-window-ms', '--model-cache', '--backend',
                       '--lone-frame-threads')),
    ('objectdetection', ('--legacy-backends', '--max-dispatch')),
])
def test_help_lists_the_service_options(command, options):
    result = subprocess.run([str(Path(sys.executable).parent / command), '--help'],
                            capture_output=True, text=True, timeout=60, check=True)
    for option in options:
        assert option in result.stdout


def test_bad_option_value_ends_with_a_clear_error():
    result = subprocess.run([str(Path(sys.executable).parent / 'facedetection'),
                             '--color', 'red'], capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "colour 'red' is not of the form #rrggbb" in result.stderr


def test_stack_serves_both_apis_and_dies_when_killed(person):
    with EdgeStack('edge-sub', '#0000ff') as stack:
        with grpc.insecure_channel(stack.ingress_address) as channel:
            legacy = legacy_pb2_grpc.ObjectDetectionStub(channel).ObjectDetect(
                legacy_pb2.ObjectDetectionRequest(
                    user_id=3, wantface=1, wantyolo=1,
                    frame=legacy_pb2.VideoFrame(number=1, img=person.jpeg)),
                timeout=TIMEOUT_S)
            assert legacy.name == 'edge-sub'
            found = next(o for o in legacy.objects if o.name == 'person')
            assert iou((found.x, found.y, found.w, found.h), PASTED_BOX) >= 0.5
            answer = v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=person.jpeg),
                                                          timeout=TIMEOUT_S)
            assert (answer.edge.site, answer.edge.color, answer.partial) == (
                'edge-sub', '#0000ff', False)
            assert answer.backends[1].model.runtime == 'openvino', 'the default on the CPU'
            argv = Path(f'/proc/{stack.ingress_pid}/cmdline').read_bytes().split(b'\0')
            assert any(arg.endswith(b'objectdetection') for arg in argv[:2])
            stack.kill()
            with pytest.raises(grpc.RpcError) as dead:
                v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=person.jpeg),
                                                     timeout=TIMEOUT_S)
            assert dead.value.code() == grpc.StatusCode.UNAVAILABLE


def test_sigterm_turns_health_not_serving_then_exits_cleanly():
    service = ServiceProcess('facedetection', ['--site', 'drain', '--drain-seconds', '3'],
                             env=None)
    try:
        service.wait_serving(time.monotonic() + 60)
        with grpc.insecure_channel(service.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            service.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + TIMEOUT_S
            while health.Check(health_pb2.HealthCheckRequest(), timeout=TIMEOUT_S).status \
                    != health_pb2.HealthCheckResponse.NOT_SERVING:
                assert time.monotonic() < deadline, 'health never turned NOT_SERVING'
        assert service.process.wait(TIMEOUT_S) == 0
        assert any('"event": "draining"' in line for line in service.log_lines)
    finally:
        service.kill()


def test_cuda_asked_for_but_absent_runs_on_the_cpu_with_one_log_line(person):
    cuda = getattr(cv2, 'cuda', None)
    if cuda is not None and cuda.getCudaEnabledDeviceCount() > 0:
        pytest.skip('this machine has a CUDA device: the fallback cannot happen')
    service = ServiceProcess('yolodetection', ['--device', 'cuda', '--workers', '2'])
    try:
        service.wait_serving(time.monotonic() + 60)
        with grpc.insecure_channel(service.address) as channel:
            answer = v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(jpeg=person.jpeg),
                                                          timeout=TIMEOUT_S)
        assert answer.backends[0].model.device == 'cpu'
    finally:
        service.stop(TIMEOUT_S)
    warnings = [line for line in service.log_lines
                if '"level": "WARNING"' in line and 'CUDA' in line]
    assert len(warnings) == 1, warnings


def test_int8_yolo_command_finds_the_person(person, tmp_path):
    for name in ('coffee', 'chelsea', 'rocket'):
        assert cv2.imwrite(str(tmp_path / f'{name}.jpg'),
                           cv2.cvtColor(getattr(data, name)(), cv2.COLOR_RGB2BGR))
    service = ServiceProcess('yolodetection', ['--backend', 'onnxruntime', '--workers', '1',
                                               '--int8-calibration', str(tmp_path)])
    try:
        service.wait_serving(time.monotonic() + 60)
        with grpc.insecure_channel(service.address) as channel:
            answer = v1_grpc.DetectorStub(channel).Detect(
                v1.DetectRequest(jpeg=person.jpeg, class_names=['person']), timeout=TIMEOUT_S)
    finally:
        service.stop(TIMEOUT_S)
    assert answer.backends[0].model.runtime == 'onnxruntime'
    box = answer.detections[0].box_px
    assert iou((box.x, box.y, box.width, box.height), PASTED_BOX) >= 0.5
    assert any('quantised the model to int8' in line for line in service.log_lines)


def test_int8_needs_onnxruntime(tmp_path):
    result = subprocess.run([str(Path(sys.executable).parent / 'yolodetection'),
                             '--backend', 'opencv', '--int8-calibration', str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert '--int8-calibration needs --backend onnxruntime and --device cpu' in result.stderr


@pytest.mark.parametrize('command, options, error', [
    ('yolodetection', ['--backend', 'opencv', '--lone-frame-threads', '2'],
     '--lone-frame-threads needs --backend openvino or onnxruntime'),
    ('yolodetection', ['--lone-frame-threads', '-1'],
     '--lone-frame-threads must be >= 0, got -1'),
    ('objectdetection', ['--max-dispatch', '0'],
     '--max-dispatch must be between 1 and --max-in-flight - 1 (63), got 0'),
    ('objectdetection', ['--max-in-flight', '8', '--max-dispatch', '8'],
     '--max-dispatch must be between 1 and --max-in-flight - 1 (7), got 8'),
])
def test_concurrency_options_are_checked(command, options, error):
    result = subprocess.run([str(Path(sys.executable).parent / command), *options],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert error in result.stderr
