"""YOLO on a GPU: frames/s and latency by batch size and by clients (CPU if there is no GPU).

One command for whoever has a GPU: the packaged YOLOv3-tiny, converted to ONNX (dynamic
batch), on ONNX Runtime with ``--device cuda`` (TensorRT, then CUDA execution providers,
where the installed onnxruntime has them). Without a GPU it says so in one line and measures
the CPU. Figures, not a test.

    python benchmarks/bench_yolo_gpu.py [--seconds 5] [--batches 1 2 4 8 16]
        [--clients 1 4 8 16] [--device cuda]

Rows: ``batch N`` times the network alone on N frames at once (ms per batch and frames/s);
``clients N`` has N threads each detecting one 640x480 frame at a time through the service's
batching detector (JPEG decode, pre-processing, batch, decoding: the service minus gRPC).
"""
import argparse
from concurrent.futures import ThreadPoolExecutor
import logging
import os
import statistics
import threading
import time

import cv2
from liquid_edge.yolo import default_model_files, load_detector
from liquid_edge.yolo.batching import BatchingDetector
from liquid_edge.yolo.onnx_cache import darknet_as_onnx, default_cache_dir
import numpy as np
import skimage.data

INPUT_SIZE = 416
WARM_UP_RUNS = 5


def frame_jpeg() -> bytes:
    """Return a 640x480 JPEG of the astronaut, 200 px, on a grey canvas (as bench_edge)."""
    canvas = np.full((480, 640, 3), 128, dtype=np.uint8)
    canvas[80:280, 220:420] = cv2.resize(
        cv2.cvtColor(skimage.data.astronaut(), cv2.COLOR_RGB2BGR), (200, 200),
        interpolation=cv2.INTER_AREA)
    return cv2.imencode('.jpg', canvas, [cv2.IMWRITE_JPEG_QUALITY, 95])[1].tobytes()


def time_batches(detector, batch: int, seconds: float) -> tuple[float, float]:
    """Return (median ms per batch, frames/s) of the network alone on ``batch`` frames."""
    blobs = np.random.default_rng(0).uniform(0, 1, (batch, 3, INPUT_SIZE, INPUT_SIZE)).astype(
        np.float32)
    for _ in range(WARM_UP_RUNS):
        detector.infer(blobs)
    times = []
    stop_at = time.perf_counter() + seconds
    while time.perf_counter() < stop_at:
        start = time.perf_counter()
        detector.infer(blobs)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, batch * len(times) / sum(times)


def time_clients(batching: BatchingDetector, jpeg: bytes, clients: int,
                 seconds: float) -> tuple[float, float, float]:
    """Return (frames/s, p50 ms, p99 ms) of ``clients`` closed-loop threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    stop_at = time.perf_counter() + seconds

    def client(index: int) -> None:
        while time.perf_counter() < stop_at:
            start = time.perf_counter()
            image = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
            batching.detect(image, None, f'robot-{index}')
            with lock:
                latencies.append(time.perf_counter() - start)

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    wall = time.perf_counter() - started
    percentiles = statistics.quantiles(latencies, n=100, method='inclusive')
    return len(latencies) / wall, statistics.median(latencies) * 1000, percentiles[98] * 1000


def main() -> None:
    """Load the model on the device, print the batch rows, then the client rows."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seconds', type=float, default=5.0, help='per row')
    parser.add_argument('--batches', type=int, nargs='+', default=[1, 2, 4, 8, 16])
    parser.add_argument('--clients', type=int, nargs='+', default=[1, 4, 8, 16])
    parser.add_argument('--max-batch', type=int, default=8,
                        help='batch limit of the batching detector in the client rows')
    parser.add_argument('--device', choices=['cuda', 'cpu'], default='cuda')
    args = parser.parse_args()
    files = default_model_files()
    # The fallback is said once, below, instead of the runtime's own warning.
    logging.getLogger('liquid_edge.yolo.runtimes').setLevel(logging.ERROR)
    model = darknet_as_onnx(files.cfg, files.weights, INPUT_SIZE, default_cache_dir())
    detector = load_detector(model=model, names=files.names, backend='onnxruntime',
                             device=args.device)
    if args.device == 'cuda' and detector.model_info.device != 'cuda':
        print('No GPU: onnxruntime has no usable CUDA or TensorRT provider here; the figures '
              'below are of the CPU.')
    print(f'YOLOv3-tiny {INPUT_SIZE} px, onnxruntime on {detector.model_info.device}, '
          f'{args.seconds:g} s per row, {os.cpu_count()} CPU cores, load average '
          f'{os.getloadavg()[0]:.2f}')
    print(f'{"network alone":<16}{"ms/batch":>10}{"frames/s":>10}')
    for batch in args.batches:
        batch_ms, frames_per_s = time_batches(detector, batch, args.seconds)
        print(f'{f"batch {batch}":<16}{batch_ms:>10.2f}{frames_per_s:>10.1f}')
    batching = BatchingDetector([detector], args.max_batch, 0.002, max(args.clients))
    jpeg = frame_jpeg()
    print(f'{f"max batch {args.max_batch}":<16}{"frames/s":>10}{"p50 ms":>9}{"p99 ms":>9}')
    for clients in args.clients:
        frames_per_s, p50, p99 = time_clients(batching, jpeg, clients, args.seconds)
        print(f'{f"clients {clients}":<16}{frames_per_s:>10.1f}{p50:>9.2f}{p99:>9.2f}')
    print(f'load average after: {os.getloadavg()[0]:.2f}')


if __name__ == '__main__':
    main()
