"""
Link benchmark: the `handover` scenario twice, adaptive encoding and the original's setting.

The closed loop as `make demo` runs it (liquid_edge_sim.demo.run_demo with config/robot.yaml):
two real edge stacks behind real shaping relays on the scenario's link phases (60 GHz, 5G,
congested Wi-Fi, outage of every remote edge, 60 GHz again), and the robot's local standby
edge. Run 1 chooses JPEG quality, size and rate for the link (adaptive_encoding true); run 2
sends JPEG quality 98 at 640x480, 15 fps, whatever the link (the original's setting, the
baseline). Prints per phase capture-to-detections p50/p95, on_target, kB per frame,
detections per second and seconds on the local standby, with the load average. Figures,
not a test: nothing here asserts.

Each run has a process of its own. Run in one process, one baseline of three got a JPEG
quality 95 CaptureSettings its own bridge never sent (quality 95 was the last setting the
first run's bridge had sent, latched): DDS state outlived the first run's rclpy context.

    python benchmarks/bench_link.py [--duration 90] [--seed 0] [--run adaptive|fixed]
"""
import argparse
import io
import os
from pathlib import Path
import subprocess
import sys
import tempfile

from liquid_edge_sim.demo import run_demo
from liquid_edge_sim.link_metrics import format_phases
from liquid_edge_sim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
# --run: (what the figures are labelled, adaptive encoding)
RUNS = {'adaptive': ('adaptive encoding', True),
        'fixed': ("fixed JPEG q98 640x480 (the original's, baseline)", False)}


def main() -> None:
    """Run both rows and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--duration', type=float, default=90.0, help='s per run')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--run', choices=sorted(RUNS), help='only this run, in this process')
    args = parser.parse_args()
    if args.run is None:
        for run in RUNS:
            subprocess.run([sys.executable, __file__, '--duration', str(args.duration),
                            '--seed', str(args.seed), '--run', run], check=True)
        return
    label, adaptive = RUNS[args.run]
    scenario = load_scenario('handover', ROOT / 'config' / 'scenarios')
    before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as out:
        summary = run_demo(args.duration, Path(out), scenario, args.seed,
                           stream=io.StringIO(), params_file=ROOT / 'config' / 'robot.yaml',
                           adaptive_encoding=adaptive)
    after = os.getloadavg()[0]
    print(f'\nhandover, {label}: on_target {summary.on_target}, '
          f'load average {before:.1f} -> {after:.1f}')
    print(format_phases(summary.phases), flush=True)


if __name__ == '__main__':
    main()
