"""Edge benchmark: frames/s and p50/p99 latency per backend and through the ingress.

Starts the real commands (``facedetection``, ``yolodetection``, ``objectdetection``) as
subprocesses on 127.0.0.1, sends one 640x480 JPEG (a person on a grey canvas) from 1, 4 and
8 concurrent clients, and counts a frame as correct only when its answer equals the answer
the same frame gets alone. Figures, not a test: nothing here asserts a speed.

The baseline computes a frame the way the original does, in this process, one frame at a
time: JPEG decode, then YOLOv3-tiny at 416 px on OpenCV DNN with OpenCV's default threads in
parallel with Haar (scale 1.3, 3 neighbours, 30 px) on the grey full-size image. It is
measured before and after our ingress (original protocol) in the same run, and the ratios
use their mean. Targets (issue 10): 1-client p50 <= the baseline's frame time, 4-client
correct frames/s >= 2x the baseline's frames/s, 0 wrong answers.

The fleet row: 8 robots send open-loop to the ingress (v1, ``robot_id``, both engines), one
at 90 frames/s and seven at 15, each frame with a 0.5 s deadline: about twice what 2 cores
serve, so each robot's served rate is compared with its max-min fair share of the capacity
measured.

    python benchmarks/bench_edge.py [--seconds 5] [--clients 1 4 8] [--yolo-int8]
"""
import argparse
from concurrent.futures import ThreadPoolExecutor
import contextlib
from dataclasses import dataclass
import os
from pathlib import Path
import statistics
import tempfile
import threading
import time

import cv2
import grpc
from liquid_edge.face import cascade_path
from liquid_edge.stack import ServiceProcess
from liquid_edge.yolo import default_model_files
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_protocol import legacy_pb2, legacy_pb2_grpc
import numpy as np
import skimage.data

START_TIMEOUT_S = 120.0
CALL_TIMEOUT_S = 10.0
# The fleet row: one robot at 90 frames/s, seven at 15 (an overload on 2 cores).
FLEET_RATES = {'robot-0': 90.0, **{f'robot-{index}': 15.0 for index in range(1, 8)}}


def benchmark_frame() -> bytes:
    """Return a 640x480 JPEG: the astronaut resized to 200 px on a grey canvas."""
    astronaut = cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR)
    canvas = np.full((480, 640, 3), 128, dtype=np.uint8)
    canvas[80:280, 220:420] = cv2.resize(astronaut, (200, 200), interpolation=cv2.INTER_AREA)
    ok, data = cv2.imencode('.jpg', canvas, [cv2.IMWRITE_JPEG_QUALITY, 95])
    if not ok:
        raise RuntimeError('cannot encode the benchmark frame')
    return data.tobytes()


# Real photos for --yolo-int8 calibration; not the astronaut, the benchmark's own image.
CALIBRATION_PHOTOS = ('coffee', 'chelsea', 'rocket', 'cat', 'immunohistochemistry')


def write_calibration_photos(directory: Path) -> None:
    """Write the scikit-image calibration photos to ``directory`` as JPEGs."""
    for name in CALIBRATION_PHOTOS:
        photo = getattr(skimage.data, name)()
        if photo.ndim == 2:
            photo = np.stack([photo] * 3, axis=-1)
        if not cv2.imwrite(str(directory / f'{name}.jpg'),
                           cv2.cvtColor(photo, cv2.COLOR_RGB2BGR)):
            raise RuntimeError(f'cannot write calibration photo {name}')


@dataclass(frozen=True)
class Row:
    """One measurement: target, clients, correct frames/s, latency percentiles."""

    target: str
    clients: int
    frames_per_s: float
    p50_ms: float
    p99_ms: float
    wrong: int
    failed: int


# Each client is a robot of its own: robot_id (v1) or user_id (original protocol) = its index.
def _v1_call(channel: grpc.Channel, frame: bytes):
    stub = v1_grpc.DetectorStub(channel)

    def call(client: int = 0):
        response = stub.Detect(v1.DetectRequest(jpeg=frame, robot_id=f'client-{client}'),
                               timeout=CALL_TIMEOUT_S)
        return (response.partial, tuple((d.engine, d.class_name, round(d.score, 4),
                                         round(d.box_px.x, 1), round(d.box_px.y, 1))
                                        for d in response.detections))
    return call


def _legacy_call(channel: grpc.Channel, frame: bytes):
    stub = legacy_pb2_grpc.ObjectDetectionStub(channel)

    def call(client: int = 0):
        response = stub.ObjectDetect(legacy_pb2.ObjectDetectionRequest(
            user_id=client, wantface=1, wantyolo=1,
            frame=legacy_pb2.VideoFrame(number=1, img=frame)), timeout=CALL_TIMEOUT_S)
        return tuple((o.name, o.x, o.y, o.w, o.h, o.r, o.g, o.b) for o in response.objects)
    return call


def measure(target: str, call, clients: int, seconds: float, warmup: int = 3) -> Row:
    """Run ``call(client)`` in ``clients`` threads for ``seconds``; compare with lone answers."""
    reference = call()
    for _ in range(warmup):
        call()
    latencies: list[float] = []
    wrong = failed = 0
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(index: int):
        nonlocal wrong, failed
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            try:
                answer = call(index)
            except grpc.RpcError:
                with lock:
                    failed += 1
                continue
            elapsed = time.perf_counter() - start
            with lock:
                if answer == reference:
                    latencies.append(elapsed)
                else:
                    wrong += 1

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        for future in [pool.submit(client, index) for index in range(clients)]:
            future.result()
    wall = time.perf_counter() - started
    if not latencies:
        return Row(target, clients, 0.0, float('nan'), float('nan'), wrong, failed)
    quantiles = statistics.quantiles(latencies, n=100, method='inclusive')
    return Row(target, clients, len(latencies) / wall, statistics.median(latencies) * 1000,
               quantiles[98] * 1000, wrong, failed)


def original_frame_times(frame: bytes, seconds: float) -> list[float]:
    """Frame times (s) of the original's computation, one frame at a time, for ``seconds``."""
    files = default_model_files()
    net = cv2.dnn.readNetFromDarknet(str(files.cfg), str(files.weights))
    outputs = net.getUnconnectedOutLayersNames()
    cascade = cv2.CascadeClassifier(str(cascade_path()))

    def yolo(image):
        net.setInput(cv2.dnn.blobFromImage(image, 1 / 255.0, (416, 416), swapRB=True,
                                           crop=False))
        return net.forward(outputs)

    def faces(image):
        return cascade.detectMultiScale(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), 1.3, 3,
                                        minSize=(30, 30))

    times = []
    with ThreadPoolExecutor(max_workers=2) as pool:
        stop_at = time.perf_counter() + seconds
        while time.perf_counter() < stop_at or len(times) < 3:
            start = time.perf_counter()
            image = cv2.imdecode(np.frombuffer(frame, dtype=np.uint8), cv2.IMREAD_COLOR)
            both = [pool.submit(yolo, image), pool.submit(faces, image)]
            for future in both:
                future.result()
            times.append(time.perf_counter() - start)
    return times[3:]  # the first frames warm OpenCV up


@dataclass(frozen=True)
class RobotRate:
    """One simulated robot of the fleet row: frames sent, answered in time, refused, late."""

    robot: str
    rate: float
    sent: int
    served: int
    shed: int       # RESOURCE_EXHAUSTED: no room, or superseded by the robot's newer frames
    dropped: int    # DEADLINE_EXCEEDED, or partial: a backend dropped it as late
    late: int       # answered, but after the deadline


def fleet(channel: grpc.Channel, frame: bytes, rates: dict[str, float], seconds: float,
          deadline_s: float = 0.5) -> list[RobotRate]:
    """Send open-loop at each robot's rate for ``seconds``; count each robot's answers."""
    stub = v1_grpc.DetectorStub(channel)
    counts = {robot: {'sent': 0, 'served': 0, 'shed': 0, 'dropped': 0, 'late': 0}
              for robot in rates}
    lock = threading.Lock()
    done = threading.Semaphore(0)

    def on_done(robot: str, sent_at: float, future) -> None:
        elapsed = time.perf_counter() - sent_at
        with lock:
            if future.exception() is not None:
                shed = future.code() == grpc.StatusCode.RESOURCE_EXHAUSTED
                counts[robot]['shed' if shed else 'dropped'] += 1
            elif future.result().partial:
                counts[robot]['dropped'] += 1
            elif elapsed > deadline_s:
                counts[robot]['late'] += 1
            else:
                counts[robot]['served'] += 1
        done.release()

    def robot_sender(robot: str, rate: float, stop_at: float) -> None:
        request = v1.DetectRequest(jpeg=frame, robot_id=robot)
        next_at = time.perf_counter()
        while next_at < stop_at:
            time.sleep(max(next_at - time.perf_counter(), 0.0))  # a robot's camera rate
            sent_at = time.perf_counter()
            future = stub.Detect.future(request, timeout=deadline_s)
            with lock:
                counts[robot]['sent'] += 1
            future.add_done_callback(
                lambda f, robot=robot, sent_at=sent_at: on_done(robot, sent_at, f))
            next_at += 1.0 / rate

    stop_at = time.perf_counter() + seconds
    senders = [threading.Thread(target=robot_sender, args=(robot, rate, stop_at))
               for robot, rate in rates.items()]
    for sender in senders:
        sender.start()
    for sender in senders:
        sender.join()
    for _ in range(sum(c['sent'] for c in counts.values())):
        done.acquire()
    return [RobotRate(robot, rates[robot], **counts[robot]) for robot in rates]


def fair_shares(capacity: float, demands: dict[str, float]) -> dict[str, float]:
    """Max-min fair share of ``capacity`` (frames/s) among robots demanding ``demands``."""
    shares, left, waiting = {}, capacity, sorted(demands, key=demands.get)
    while waiting:
        equal = left / len(waiting)
        robot = waiting.pop(0)
        shares[robot] = min(demands[robot], equal)
        left -= shares[robot]
    return shares


def print_fleet(rows: list[RobotRate], seconds: float) -> None:
    """Print each robot's served rate against its fair share of the capacity served."""
    capacity = sum(r.served for r in rows) / seconds
    shares = fair_shares(capacity, {r.robot: r.rate for r in rows})
    print(f'fleet through the ingress (v1 robot_id, 0.5 s deadline), {seconds:g} s, served '
          f'{capacity:.1f} frames/s in all:')
    print(f'{"robot":<10}{"sends/s":>9}{"served/s":>10}{"fair share":>12}{"ratio":>7}'
          f'{"shed":>6}{"dropped":>9}{"late":>6}')
    for row in rows:
        served = row.served / seconds
        print(f'{row.robot:<10}{row.rate:>9.1f}{served:>10.2f}{shares[row.robot]:>12.2f}'
              f'{served / shares[row.robot]:>7.2f}{row.shed:>6}{row.dropped:>9}{row.late:>6}')


def paired_ingress_overhead_ms(direct, through_ingress, pairs: int = 150) -> float:
    """Median of (ingress - direct) latency over alternating calls, one engine, one client.

    Alternating the two cancels the drift of a shared machine's load, which is much larger
    than the ingress's own cost.
    """
    differences = []
    for _ in range(pairs):
        start = time.perf_counter()
        direct()
        middle = time.perf_counter()
        through_ingress()
        differences.append((time.perf_counter() - middle) - (middle - start))
    return statistics.median(differences) * 1000


def server_stage_ms(channel: grpc.Channel, frame: bytes, calls: int = 20) -> dict:
    """Median server-side decode and inference ms per engine, from the ingress's answers."""
    stub = v1_grpc.DetectorStub(channel)
    stages: dict[str, list[float]] = {}
    for _ in range(calls):
        for backend in stub.Detect(v1.DetectRequest(jpeg=frame),
                                   timeout=CALL_TIMEOUT_S).backends:
            name = v1.Engine.Name(backend.engine)
            stages.setdefault(f'{name} decode', []).append(backend.timings.decode_ms)
            stages.setdefault(f'{name} inference', []).append(backend.timings.inference_ms)
    return {stage: statistics.median(values) for stage, values in stages.items()}


def process_cpu_s(pid: int) -> float:
    """Return the user + system CPU seconds a process has used (Linux /proc)."""
    # Fields after the command name, which is in parentheses and may hold spaces.
    fields = Path(f'/proc/{pid}/stat').read_text().rsplit(')', 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf('SC_CLK_TCK')


def cpu_ms_per_frame(pids: dict[str, int], call, frames: int = 100) -> dict[str, float]:
    """CPU ms each process spends per ``call``, one client: unlike latency, load-independent."""
    before = {name: process_cpu_s(pid) for name, pid in pids.items()}
    for _ in range(frames):
        call()
    return {name: (process_cpu_s(pid) - before[name]) * 1000 / frames
            for name, pid in pids.items()}


def print_table(rows: list[Row]) -> None:
    """Print the rows as a fixed-width table."""
    header = f'{"target":<26}{"clients":>8}{"frames/s":>10}{"p50 ms":>9}{"p99 ms":>9}' \
             f'{"wrong":>7}{"failed":>8}'
    print(header)
    print('-' * len(header))
    for row in rows:
        print(f'{row.target:<26}{row.clients:>8}{row.frames_per_s:>10.1f}{row.p50_ms:>9.1f}'
              f'{row.p99_ms:>9.1f}{row.wrong:>7}{row.failed:>8}')


def main() -> None:
    """Start the three services, measure each target at each client count, print a table."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seconds', type=float, default=5.0, help='per measurement')
    parser.add_argument('--clients', type=int, nargs='+', default=[1, 4, 8])
    parser.add_argument('--face-args', default='', help='extra facedetection options')
    parser.add_argument('--yolo-args', default='', help='extra yolodetection options')
    parser.add_argument('--yolo-int8', action='store_true',
                        help='YOLO on ONNX Runtime, quantised to int8 on scikit-image photos')
    parser.add_argument('--targets', nargs='+',
                        default=['ingress-original', 'face', 'yolo', 'ingress', 'fleet'],
                        choices=['ingress-original', 'face', 'yolo', 'ingress', 'fleet'],
                        help='ingress-original comes with the baseline before and after it')
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix='bench-edge-calibration-') as calibration:
        yolo_args = args.yolo_args.split()
        if args.yolo_int8:
            write_calibration_photos(Path(calibration))
            yolo_args += ['--backend', 'onnxruntime', '--int8-calibration', calibration]
        run(args, yolo_args)


@contextlib.contextmanager
def baseline_around(wanted: bool, frame: bytes, seconds: float, into: list[float]):
    """Measure the baseline before and after the block (when ``wanted``), into ``into``."""
    if wanted:
        into += original_frame_times(frame, seconds)
    yield
    if wanted:
        into += original_frame_times(frame, seconds)


def print_comparison(baseline: list[float], rows: list[Row]) -> None:
    """Print the baseline and our ingress (original protocol) against it, with ratios."""
    frame_ms = statistics.median(baseline) * 1000
    frames_per_s = len(baseline) / sum(baseline)
    print(f'baseline, the original computation one frame at a time (before and after): '
          f'{frames_per_s:.1f} frames/s, p50 {frame_ms:.1f} ms')
    for row in (r for r in rows if r.target == 'ingress (original proto)'):
        print(f'  ours, {row.clients} client(s): {row.frames_per_s:.1f} correct frames/s = '
              f'{row.frames_per_s / frames_per_s:.2f}x the baseline, p50 {row.p50_ms:.1f} ms '
              f'= {row.p50_ms / frame_ms:.2f}x its frame time, {row.wrong} wrong, '
              f'{row.failed} failed')


def run(args: argparse.Namespace, yolo_args: list[str]) -> None:
    """Start the services, measure, print, stop them."""
    deadline = time.monotonic() + START_TIMEOUT_S
    face = ServiceProcess('facedetection', args.face_args.split())
    yolo = ServiceProcess('yolodetection', yolo_args)
    services = [face, yolo]
    try:
        face.wait_serving(deadline)
        yolo.wait_serving(deadline)
        ingress = ServiceProcess('objectdetection', ['--face-host', face.address,
                                                     '--yolo-host', yolo.address])
        services.append(ingress)
        ingress.wait_serving(deadline)
        frame = benchmark_frame()
        print(f'LIQUID EDGE benchmark: one {len(frame)} byte 640x480 JPEG, {os.cpu_count()} '
              f'cores, {args.seconds:g} s per row; face '
              f'{args.face_args or "defaults (Haar on the half-size decode)"}, YOLO '
              f'{" ".join(yolo_args) or "defaults (YOLOv3-tiny, 416 px, OpenVINO)"}; '
              f'load average {os.getloadavg()[0]:.2f}')
        addresses = {'face': face.address, 'yolo': yolo.address, 'ingress': ingress.address,
                     'ingress-original': ingress.address}
        rows = []
        baseline = []
        for target in (t for t in args.targets if t != 'fleet'):
            with grpc.insecure_channel(addresses[target]) as channel:
                call = (_legacy_call if target == 'ingress-original' else _v1_call)(
                    channel, frame)
                label = {'face': 'face (v1)', 'yolo': 'yolo (v1)', 'ingress': 'ingress (v1)',
                         'ingress-original': 'ingress (original proto)'}[target]
                with baseline_around(target == 'ingress-original', frame, args.seconds,
                                     baseline):
                    rows += [measure(label, call, clients, args.seconds)
                             for clients in args.clients]
        print_table(rows)
        if baseline:
            print_comparison(baseline, rows)
        if 'fleet' in args.targets:
            with grpc.insecure_channel(ingress.address) as channel:
                fleet_seconds = 2 * args.seconds
                print_fleet(fleet(channel, frame, FLEET_RATES, fleet_seconds), fleet_seconds)
        print(f'load average after the table: {os.getloadavg()[0]:.2f} (other work on these '
              f'cores slows every figure)')
        alone = {r.target: r.p50_ms for r in rows if r.clients == 1}
        if {'face (v1)', 'yolo (v1)', 'ingress (v1)'} <= set(alone):
            slowest = max(alone['face (v1)'], alone['yolo (v1)'])
            print(f'ingress (both engines) p50 over its slowest backend alone, 1 client: '
                  f'{alone["ingress (v1)"] - slowest:+.1f} ms (includes the two backends '
                  f'competing for the same cores)')
        with grpc.insecure_channel(yolo.address) as direct_channel, \
                grpc.insecure_channel(ingress.address) as ingress_channel:
            yolo_only = v1.DetectRequest(jpeg=frame, engines=[v1.ENGINE_YOLO])
            overhead = paired_ingress_overhead_ms(
                lambda: v1_grpc.DetectorStub(direct_channel).Detect(
                    yolo_only, timeout=CALL_TIMEOUT_S),
                lambda: v1_grpc.DetectorStub(ingress_channel).Detect(
                    yolo_only, timeout=CALL_TIMEOUT_S))
            print(f'ingress hop (YOLO only, alternating with direct calls), median: '
                  f'{overhead:+.2f} ms')
            stages = server_stage_ms(ingress_channel, frame)
            print('server-side medians per frame: ' + ', '.join(
                f'{stage} {ms:.1f} ms' for stage, ms in stages.items()))
            cpu = cpu_ms_per_frame(
                {'face': face.process.pid, 'yolo': yolo.process.pid,
                 'ingress': ingress.process.pid}, _v1_call(ingress_channel, frame))
            busy_ms = sum(cpu.values())
            print('CPU per ingress frame (decode, detection, gRPC): ' + ', '.join(
                f'{name} {ms:.1f} ms' for name, ms in cpu.items()) + f', total {busy_ms:.1f} ms')
            print(f'CPU-bound ceiling at this CPU per frame on {os.cpu_count()} idle cores: '
                  f'{1000 * (os.cpu_count() or 1) / busy_ms:.1f} frames/s through the ingress')
    finally:
        for service in reversed(services):
            service.stop(15.0)


if __name__ == '__main__':
    main()
