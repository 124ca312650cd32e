"""YOLO on the CPU: adaptive intra-op threads against fixed configurations, interleaved.

Starts ``yolodetection`` (the real command, YOLO service alone, v1 API, each client a robot
of its own) in several configurations at once and measures them in turns, round after round,
so that the load of a shared machine weighs on each alike (each round starting with the next
configuration). Figures, not a test.

- ``adaptive``: the default, one single-threaded detector per core plus the all-core one for
  a frame alone in the service.
- ``N x 1 thread``: fixed, one single-threaded detector per core (the round-1 default).
- ``1 x N threads``: fixed, one detector with a thread per core; at 1 client, the best latency
  a single frame gets on this machine.

Targets (issue 10, section 2): adaptive 1-client p50 <= 1.2 x that of ``1 x N threads``,
adaptive frames/s at 4 and 8 clients >= 0.9 x the best fixed configuration's. On a shared
machine frames/s follow the share of the cores the service gets from the other work, so the
service's CPU time per frame (from /proc) is printed too: unlike frames/s, it hardly moves
with the load, and at saturation frames/s = cores / CPU per frame.

    python benchmarks/bench_yolo_threads.py [--seconds 3] [--rounds 3]
"""
import argparse
import os
import socket
import statistics
import time
import urllib.request

from bench_edge import _v1_call, benchmark_frame, measure, process_cpu_s, START_TIMEOUT_S
import grpc
from liquid_edge.stack import ServiceProcess
from prometheus_client.parser import text_string_to_metric_families


CLIENTS = (1, 4, 8)


def configurations(cores: int) -> dict[str, list[str]]:
    """Return name -> yolodetection options of the configurations compared."""
    fixed = ['--lone-frame-threads', '0']
    return {
        'adaptive': [],
        f'{cores} x 1 thread': ['--workers', str(cores), '--opencv-threads', '1', *fixed],
        f'1 x {cores} threads': ['--workers', '1', '--opencv-threads', str(cores), *fixed],
    }


def free_port() -> int:
    """Return a loopback TCP port free now (for a service's metrics endpoint)."""
    with socket.socket() as probe:
        probe.bind(('127.0.0.1', 0))
        return probe.getsockname()[1]


def runs(metrics_port: int) -> tuple[float, float]:
    """Return (frames run, runs of a frame alone) a service has counted so far."""
    with urllib.request.urlopen(f'http://127.0.0.1:{metrics_port}/metrics') as page:
        samples = {sample.name: sample.value
                   for family in text_string_to_metric_families(page.read().decode())
                   for sample in family.samples}
    return samples['liquid_edge_batch_frames_sum'], samples['liquid_edge_lone_runs_total']


def main() -> None:
    """Start every configuration, measure them in turns, print medians and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--seconds', type=float, default=3.0, help='per measurement')
    parser.add_argument('--rounds', type=int, default=3, help='turns over the configurations')
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    compared = configurations(cores)
    metrics_ports = {name: free_port() for name in compared}
    services = {name: ServiceProcess('yolodetection',
                                     [*options, '--metrics-port', str(metrics_ports[name])])
                for name, options in compared.items()}
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        for service in services.values():
            service.wait_serving(deadline)
        frame = benchmark_frame()
        load_before = os.getloadavg()[0]
        results: dict[tuple[str, int], list] = {}
        channels = {name: grpc.insecure_channel(s.address) for name, s in services.items()}
        try:
            names = list(compared)
            for turn in range(args.rounds):
                # Each round starts with the next configuration: a load that rises or falls
                # during a round then weighs on each configuration in turn.
                for name in names[turn % len(names):] + names[:turn % len(names)]:
                    call = _v1_call(channels[name], frame)
                    for count in CLIENTS:
                        pid = services[name].process.pid
                        before, cpu_before = runs(metrics_ports[name]), process_cpu_s(pid)
                        row = measure(name, call, count, args.seconds)
                        cpu_s = process_cpu_s(pid) - cpu_before
                        after = runs(metrics_ports[name])
                        frames = max(after[0] - before[0], 1)
                        results.setdefault((name, count), []).append(
                            (row, (after[1] - before[1]) / frames, cpu_s * 1000 / frames))
        finally:
            for channel in channels.values():
                channel.close()
        print(f'YOLO service alone (YOLOv3-tiny 416 px, OpenVINO), {cores} cores, '
              f'{args.rounds} rounds of {args.seconds:g} s, interleaved; load average '
              f'{load_before:.2f} -> {os.getloadavg()[0]:.2f}')
        print(f'{"configuration":<20}{"clients":>8}{"frames/s":>10}{"p50 ms":>9}'
              f'{"CPU ms":>8}{"alone":>7}{"wrong":>7}{"failed":>8}')
        summary = {}
        for (name, count), measured in results.items():
            rows = [row for row, _alone, _cpu in measured]
            rate = statistics.median(r.frames_per_s for r in rows)
            p50 = statistics.median(r.p50_ms for r in rows)
            alone = statistics.median(share for _row, share, _cpu in measured)
            cpu_ms = statistics.median(cpu for _row, _alone, cpu in measured)
            summary[name, count] = (rate, p50, cpu_ms)
            print(f'{name:<20}{count:>8}{rate:>10.1f}{p50:>9.1f}{cpu_ms:>8.1f}{alone:>7.0%}'
                  f'{sum(r.wrong for r in rows):>7}{sum(r.failed for r in rows):>8}')
        print('(medians of the rounds; CPU ms: CPU time of the service per frame run; alone: '
              'share of runs on the all-core detector)')
        lone_p50 = summary[f'1 x {cores} threads', 1][1]
        print(f'adaptive 1-client p50 / that of 1 x {cores} threads: '
              f'{summary["adaptive", 1][1] / lone_p50:.2f} (target <= 1.2)')
        for count in (4, 8):
            fixed = {name: value for (name, clients), value in summary.items()
                     if clients == count and name != 'adaptive'}
            best_rate = max(fixed, key=lambda name: fixed[name][0])
            best_cpu = min(fixed, key=lambda name: fixed[name][2])
            rate, _p50, cpu_ms = summary['adaptive', count]
            frugal = fixed[best_cpu][2] / cpu_ms
            print(f'adaptive at {count} clients: frames/s / best fixed ({best_rate}) '
                  f'{rate / fixed[best_rate][0]:.2f} (target >= 0.9); CPU per frame of the '
                  f'most frugal fixed ({best_cpu}) / that of adaptive {frugal:.2f}')
    finally:
        for service in services.values():
            service.stop(15.0)


if __name__ == '__main__':
    main()
