"""What the Dockerfiles and the edge host's compose file must say."""
import re

from deploy_checks import DOCKER, find_tool, ROOT, run_tool
import pytest
import yaml

SERVICES = {'objectdetection': 50051, 'facedetection': 50053, 'yolodetection': 50055,
            'yolodetection-cuda': 50055}
COMPOSE = DOCKER / 'docker-compose.yml'
COMPOSE_GPU = DOCKER / 'docker-compose.gpu.yml'


def instructions(dockerfile):
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined."""
    text = re.sub(r'\\\n', ' ', dockerfile.read_text())
    return [tuple(line.split(None, 1)) for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith('#')]


def final_stage(dockerfile):
    """Return the instructions of the last build stage (the image that ships)."""
    steps = instructions(dockerfile)
    start = max(i for i, (op, _) in enumerate(steps) if op == 'FROM')
    return steps[start:]


@pytest.mark.parametrize('dockerfile', sorted(DOCKER.glob('*.Dockerfile')), ids=lambda p: p.name)
def test_bases_are_pinned_and_the_image_runs_as_a_non_root_user(dockerfile):
    for op, args in instructions(dockerfile):
        if op == 'FROM':
            image = args.split()[0]
            assert re.fullmatch(r'[\w./-]+:[\w.-]+', image), image
            assert not image.endswith(':latest'), image
    users = [args for op, args in final_stage(dockerfile) if op == 'USER']
    assert users and users[-1].split(':')[0] not in ('0', 'root'), users


@pytest.mark.parametrize('dockerfile', sorted(DOCKER.glob('*.Dockerfile')), ids=lambda p: p.name)
def test_every_copied_path_exists_in_the_build_context(dockerfile):
    # No engine builds the images here, so a moved file must at least fail this.
    copied = [args.split() for op, args in instructions(dockerfile) if op == 'COPY']
    sources = [path for words in copied if not any(w.startswith('--from=') for w in words)
               for path in words[:-1] if not path.startswith('--')]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f'{dockerfile.name}: COPY {source}'


@pytest.mark.parametrize('service,port', SERVICES.items())
def test_service_image_checks_grpc_health_and_exposes_its_ports(service, port):
    stage = final_stage(DOCKER / f'{service}.Dockerfile')
    healthcheck = next(args for op, args in stage if op == 'HEALTHCHECK')
    assert f'"grpc-health-check", "127.0.0.1:{port}", "liquidedge.v1.Detector"' in healthcheck
    exposed = next(args for op, args in stage if op == 'EXPOSE').split()
    assert exposed == [str(port), str(port - 50051 + 9051)]
    entrypoint = next(args for op, args in stage if op == 'ENTRYPOINT')
    assert entrypoint == f'["{service.replace("-cuda", "")}"]'


@pytest.mark.parametrize('service,device', [('yolodetection', 'cpu'),
                                            ('yolodetection-cuda', 'cuda')])
def test_yolo_model_is_fetched_at_build_time_and_verified(service, device):
    text = (DOCKER / f'{service}.Dockerfile').read_text()
    # A checksum is required for each file; the weights' has no default on purpose.
    for name in ('YOLOV3_CFG_SHA256', 'COCO_NAMES_SHA256'):
        assert re.search(rf'^ARG {name}=[0-9a-f]{{64}}$', text, re.M), name
    assert re.search(r'^ARG YOLOV3_WEIGHTS_SHA256$', text, re.M)
    assert 'YOLOV3_WEIGHTS_SHA256 is required' in text
    assert 'sha256sum --strict --check' in text
    backend = {'cpu': 'openvino', 'cuda': 'onnxruntime'}[device]
    assert f'"--backend", "{backend}", "--device", "{device}"' in text


def test_cuda_image_runs_onnxruntime_gpu_in_place_of_onnxruntime():
    text = (DOCKER / 'yolodetection-cuda.Dockerfile').read_text()
    cuda = (ROOT / 'requirements' / 'cuda.txt').read_text()
    pins = [line for line in cuda.splitlines() if line and not line.startswith('#')]
    assert all(re.fullmatch(r'[\w.-]+==[\w.]+', pin) for pin in pins), pins
    assert re.search(r'^onnxruntime-gpu==\d+\.\d+\.\d+$', cuda, re.M)
    # The project's pins, plus the GPU runtime's, for the wheels and their installation.
    constraints = '/src/requirements/base.txt /src/requirements/cuda.txt'
    assert f'ENV PIP_CONSTRAINT="{constraints}"' in text
    assert '--constraint /requirements/base.txt --constraint /requirements/cuda.txt' in text
    # liquid-edge's [onnx] extra is the CPU onnxruntime: left out, and the build checks it.
    assert 'edge[onnx]' not in text and "'onnxruntime-gpu[cuda,cudnn]'" in text
    assert 'if pip show --quiet onnxruntime; then' in text
    # The container toolkit refuses a driver older than the CUDA major the pins install.
    cuda_major = re.search(r'^nvidia-cuda-runtime==(\d+)\.', cuda, re.M).group(1)
    assert f'NVIDIA_REQUIRE_CUDA="cuda>={cuda_major}.0"' in text


def test_cuda_image_converts_the_model_at_build_time_for_the_cuda_defaults():
    stage = final_stage(DOCKER / 'yolodetection-cuda.Dockerfile')
    env = ' '.join(args for op, args in stage if op == 'ENV')
    assert 'LIQUID_EDGE_MODEL_CACHE=/opt/liquid-edge/cache' in env
    user = next(i for i, (op, _) in enumerate(stage) if op == 'USER')
    converted = [i for i, (op, args) in enumerate(stage)
                 if op == 'RUN' and 'darknet_as_onnx(' in args and 'DEFAULT_INPUT_SIZE' in args]
    assert converted and converted[0] < user
    command = next(args for op, args in stage if op == 'CMD')
    assert '"--backend", "onnxruntime", "--device", "cuda"' in command
    # Batching is the service's CUDA default, not a second copy of it here.
    assert '--max-batch' not in command and '--workers' not in command


def test_robot_image_builds_the_workspace_and_launches_the_robot():
    text = (DOCKER / 'robot.Dockerfile').read_text()
    assert text.startswith('# syntax=')
    assert re.search(r'^FROM ros:jazzy-[\w.-]+$', text, re.M)
    assert 'rosdep install --from-paths ros2_ws/src' in text
    # vision_msgs is Jazzy's apt package on a real ROS install, never the compat copy.
    assert re.search(r'^COPY ros2_ws/src ', text, re.M)
    assert not re.search(r'^COPY ros2_ws/compat', text, re.M)
    assert 'python3 -m venv --system-site-packages' in text
    assert 'venv/bin/python -m colcon build' in text
    assert 'CMD ["ros2", "launch", "liquid_edge_bringup", "robot.launch.py"]' in text


def test_compose_validates_against_the_compose_specification():
    checker = find_tool('check-jsonschema')
    result = run_tool([checker, '--builtin-schema', 'vendor.compose-spec', str(COMPOSE),
                       str(COMPOSE_GPU)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_publishes_only_the_ingress_on_loopback_by_default():
    services = yaml.safe_load(COMPOSE.read_text())['services']
    assert set(services) == {'objectdetection', 'facedetection', 'yolodetection'}
    ingress = services['objectdetection']
    assert '${EDGE_BIND_ADDRESS:-127.0.0.1}:50051:50051' in ingress['ports']
    assert all(port.startswith('${') and ':-127.0.0.1}' in port for port in ingress['ports'])
    assert ingress['environment']['FACEDETECTION_HOST'] == 'facedetection:50053'
    assert ingress['environment']['YOLODETECTION_HOST'] == 'yolodetection:50055'
    networks = yaml.safe_load(COMPOSE.read_text())['networks']
    assert networks['backends']['internal'] is True
    assert ingress['networks'] == ['robots', 'backends']
    for name, service in services.items():
        if name != 'objectdetection':
            assert 'ports' not in service, name
            assert service['networks'] == ['backends'], name
        port = SERVICES[name]
        assert service['healthcheck']['test'] == [
            'CMD', 'grpc-health-check', f'127.0.0.1:{port}', 'liquidedge.v1.Detector']
        assert service['read_only'] is True and service['cap_drop'] == ['ALL'], name
        assert service['user'] == '10001:10001', name


def test_compose_gpu_override_reserves_a_gpu_for_yolo():
    yolo = yaml.safe_load(COMPOSE_GPU.read_text())['services']['yolodetection']
    device, = yolo['deploy']['resources']['reservations']['devices']
    assert device['driver'] == 'nvidia' and device['capabilities'] == ['gpu']
    assert 'yolodetection-cuda' in yolo['image']
    assert yolo['command'][yolo['command'].index('--device') + 1] == 'cuda'
    assert yolo['command'][yolo['command'].index('--backend') + 1] == 'onnxruntime'
