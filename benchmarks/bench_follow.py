"""Follow benchmark: whom the robot follows per scenario and seed, and what identity costs.

1. The edge's appearance descriptor: its cost per person detection (YOLOv3-tiny boxes on
   rendered frames of the default scenario).
2. The robot's tracker and target identity: cost per frame (tracker update with prediction,
   then the identity), from 1 to 6 people with descriptors.
3. Each scenario of config/scenarios x seeds: the closed loop as `make demo` runs it (real
   edges, real DDS), then `on_target`, `wrong_person_s` and `reacquire_s` over the whole run
   (median and worst), and the load average around them: on a shared machine the detection
   rate, and with it every figure, depends on it. Figures, not a test: nothing here asserts.

    python benchmarks/bench_follow.py [--seeds 0 1 2 3 4] [--duration 40] [--scenarios ...]
"""
import argparse
import io
import math
import os
from pathlib import Path
import statistics
import tempfile
import time

from liquid_edge.appearance import HsHistogramDescriber
from liquid_edge.yolo import default_model_files, load_detector
from liquid_edge_follow.box import Box
from liquid_edge_follow.target import TargetIdentity
from liquid_edge_follow.tracker import MultiObjectTracker
from liquid_edge_sim.demo import run_demo
from liquid_edge_sim.render import CameraPose, SceneRenderer
from liquid_edge_sim.scenario import load_scenario
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / 'config' / 'scenarios'
ALL = ('default', 'crossing', 'leave-and-return', 'approach', 'lookalike')


def descriptor_cost(frames: int = 40) -> tuple[float, int]:
    """Return the median ms per person box of the colour histogram, and the boxes timed."""
    files = default_model_files()
    detector = load_detector(model=files.cfg, weights=files.weights, names=files.names,
                             backend='opencv')
    world = load_scenario('default', SCENARIOS).world(0)
    renderer = SceneRenderer(world)
    describer = HsHistogramDescriber()
    costs = []
    for t in np.linspace(0.0, 40.0, frames):
        target = next(p for p in world.poses(t) if p.person_id == 'astronaut')
        frame, _ = renderer.render(t, CameraPose(yaw=math.atan2(target.y, target.x)))
        boxes = [d for d in detector.detect(frame) if d.class_name == 'person']
        if boxes:
            start = time.perf_counter()
            describer.describe(frame, boxes)
            costs.append((time.perf_counter() - start) / len(boxes))
    return 1000.0 * statistics.median(costs), len(costs)


def tracker_cost(people: int, frames: int = 300) -> float:
    """Return the median ms per frame of tracker + identity with `people` walking people."""
    rng = np.random.default_rng(people)
    looks = [v / np.linalg.norm(v) for v in rng.random((people, 64)).astype(np.float32)]
    tracker, identity = MultiObjectTracker(), TargetIdentity()
    costs = []
    for i in range(frames):
        stamp = i / 10.0
        boxes = [Box('person', 80.0 + 90.0 * k + 20.0 * math.sin(stamp + k), 240.0, 70.0, 180.0,
                     0.9, looks[k]) for k in range(people)]
        start = time.perf_counter()
        tracks = tracker.update(boxes, stamp, lambda x, y, since: (x, y))
        identity.update(tracks, 'person', stamp, lambda x, y, since: (x, y))
        costs.append(time.perf_counter() - start)
    return 1000.0 * statistics.median(costs)


def main() -> None:
    """Print the three tables."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--seeds', type=int, nargs='+', default=[0, 1, 2, 3, 4])
    parser.add_argument('--duration', type=float, default=40.0, help='s per run')
    parser.add_argument('--scenarios', nargs='+', default=list(ALL))
    args = parser.parse_args()
    print('load average (1, 5, 15 min) at the start: %.1f %.1f %.1f' % os.getloadavg())
    cost, boxes = descriptor_cost()
    print(f'appearance descriptor (hs-histogram): {cost:.3f} ms per person box '
          f'(median of {boxes} frames)')
    print('tracker + identity per frame: ' + ', '.join(
        f'{n} people {tracker_cost(n):.2f} ms' for n in (1, 2, 4, 6)))
    print(f'\n{"scenario":18s} {"runs":>4s} {"on_target med/worst":>20s} '
          f'{"wrong_person_s med/worst":>25s} {"reacquire_s med/worst":>22s} '
          f'{"wrong=0":>8s}')
    for name in args.scenarios:
        scenario = load_scenario(name, SCENARIOS)
        results = []
        for seed in args.seeds:
            with tempfile.TemporaryDirectory() as out:
                results.append(run_demo(args.duration, Path(out), scenario, seed,
                                        stream=io.StringIO(),
                                        params_file=ROOT / 'config' / 'robot.yaml'))
            s = results[-1]
            print(f'  {name} seed {seed}: on_target {s.on_target}, wrong_person_s '
                  f'{s.wrong_person_s:.2f}, reacquire_s {s.reacquire_s}', flush=True)
        on = [s.on_target for s in results if s.on_target is not None]
        wrong = [s.wrong_person_s for s in results]
        wait = [s.reacquire_s for s in results if s.reacquire_s is not None]
        print(f'{name:18s} {len(results):4d} {_pair(on, min):>20s} {_pair(wrong, max):>25s} '
              f'{_pair(wait, max):>22s} {sum(w == 0.0 for w in wrong):>5d}/{len(wrong)}',
              flush=True)
    print('load average (1, 5, 15 min) at the end: %.1f %.1f %.1f' % os.getloadavg())


def _pair(values: list, worst) -> str:
    if not values:
        return '-'
    return f'{statistics.median(values):.2f} / {worst(values):.2f}'


if __name__ == '__main__':
    main()
