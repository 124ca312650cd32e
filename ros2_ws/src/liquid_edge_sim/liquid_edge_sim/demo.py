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

"""
`make demo`: the whole product on one machine, closed loop, with what it measured.

Starts two edge sites on loopback (each its three real services: ingress, face, YOLO), then
composes the robot in this process (manual composition, as `ros2 launch launch/sim.launch.py`
would run it with one process per node): simulated driver, simulated camera (the real camera
node rendering the scenario's world), edge bridge with both edges, follow-target. The
scenario (config/scenarios/<name>.yaml, or any file of that schema) says who walks where,
whom to follow, which edges are killed when (SIGKILL of the ingress), the link to each
remote edge (its `link:` phases, applied by a `LinkShaper` relay between the bridge and that
edge; edges without one are reached directly) and whether the robot runs its local standby
edge (`LocalEdge`, never shaped). A one-line status follows the run; at the end `out/` gets
robot_view.gif, timeline.png, timeline.jsonl (one row per follow-state sample) and
summary.json (with per link phase figures when the scenario has a link).

    python -m liquid_edge_sim.demo --duration 60 --out out --scenario crossing --seed 3
    python -m liquid_edge_sim.demo --duration 90 --scenario handover --fixed-encoding
"""
import argparse
from contextlib import ExitStack
from dataclasses import dataclass, replace
import os
from pathlib import Path
import signal
import sys
import threading
import time
from typing import Optional, TextIO

from liquid_edge.stack import EdgeStack
from liquid_edge_bridge.bridge_node import BridgeNode
from liquid_edge_bridge.edge_config import edge_parameters
from liquid_edge_follow.follow_node import FollowNode
from liquid_edge_robomaster.driver_node import DriverNode
from liquid_edge_sim.link_metrics import format_phases, link_fields, phase_figures
from liquid_edge_sim.link_shaper import LinkShaper
from liquid_edge_sim.local_edge import LocalEdge
from liquid_edge_sim.metrics import format_summary, status_line, summarize, Summary, \
    timeline_rows
from liquid_edge_sim.recorder import ClosedLoopRecorder
from liquid_edge_sim.report import write_robot_view_gif, write_summary, write_timeline_plot, \
    write_timeline_rows
from liquid_edge_sim.scenario import load_scenario, Scenario, SCENARIO_DIRECTORY
from liquid_edge_sim.sim_camera_node import SimCameraNode
from liquid_edge_sim.world import default_world, TARGET_ID, World
from liquid_edge_toolkit.main import start_lifecycle
import rclpy
from rclpy.executors import SingleThreadedExecutor
from rclpy.parameter import Parameter
from rclpy.signals import SignalHandlerOptions


@dataclass(frozen=True)
class EdgeSite:
    """An edge site as the robot is configured with it."""

    name: str
    address: str
    color: str


# The two demo sites; their colours are the LED colour while each one serves the robot.
SITES = (('edge-a', '#00c853'), ('edge-b', '#2962ff'))
# The robot's own standby edge and its LED colour (amber).
LOCAL_SITE = ('local', '#ffab00')


def robot_parameters(edges: list[EdgeSite], seed: int = 0, wakeup_duration: float = 3.0,
                     local: Optional[EdgeSite] = None,
                     adaptive_encoding: bool = True) -> dict[str, dict]:
    """
    Return the parameters of each robot node for the closed loop, by node name.

    launch/sim.launch.py sets the same values over config/robot.yaml.
    """
    local_edge = {} if local is None else {
        'local_edge_name': local.name, 'local_edge_address': local.address,
        'local_edge_color': local.color}
    return {
        'robomaster_driver': {'backend': 'sim'},
        'camera': {'fps': 15.0, 'world_seed': seed},
        'edge_bridge': {
            **edge_parameters({e.name: {'address': e.address, 'color': e.color}
                               for e in edges}),
            # Person following needs YOLO only; skipping the face engine halves edge CPU.
            'engines': ['yolo'],
            'class_names': ['person'],
            'adaptive_encoding': adaptive_encoding,
            **local_edge,
        },
        'follow_target': {'target_class': 'person', 'wakeup_duration': wakeup_duration},
    }


def _overrides(values: dict) -> list[Parameter]:
    return [Parameter(name, value=value) for name, value in values.items()]


class ClosedLoop:
    """
    The robot's nodes and a recorder in one process, spun by a multi-threaded executor.

    Use as a context manager: entering starts spinning on a background thread, leaving stops
    it and destroys every node. `params_file` (the robot's config/robot.yaml) gives every
    parameter as on the robot; :func:`robot_parameters`, then `parameters` (node name to
    overrides), are set over it.
    """

    def __init__(self, edges: list[EdgeSite], world: Optional[World] = None,
                 parameters: Optional[dict[str, dict]] = None, seed: int = 0,
                 params_file: Optional[Path] = None, target_id: str = TARGET_ID,
                 local: Optional[EdgeSite] = None, adaptive_encoding: bool = True,
                 started: Optional[float] = None,
                 link_phases: tuple[tuple[float, str], ...] = ()):
        """
        Build every node in a context of its own (no global rclpy state).

        `started` (time.monotonic()) is the origin of the recorder's clock and of the link
        schedule whose phases (start s, name) it records.
        """
        values = robot_parameters(edges, seed, local=local,
                                  adaptive_encoding=adaptive_encoding)
        for node_name, overrides in (parameters or {}).items():
            values.setdefault(node_name, {}).update(overrides)
        self.context = rclpy.Context()
        # Ctrl-C must reach the demo, which then writes its outputs; rclpy must not eat it.
        rclpy.init(context=self.context, signal_handler_options=SignalHandlerOptions.NO,
                   args=['--ros-args', '--params-file', str(params_file)] if params_file
                   else None)
        self.nodes = []
        try:
            self.driver = self._add(DriverNode, values['robomaster_driver'])
            self.camera = self._add(SimCameraNode, values['camera'],
                                    world=world if world is not None else default_world(seed))
            self.bridge = self._add(BridgeNode, values['edge_bridge'])
            self.follow = self._add(FollowNode, values['follow_target'])
            for node in (self.driver, self.camera, self.bridge, self.follow):
                if not start_lifecycle(node):
                    raise RuntimeError(f'{node.get_name()} refused to configure or activate')
            camera = self.camera.sim_source.camera
            self.recorder = ClosedLoopRecorder(image_size=(camera.width, camera.height),
                                               target_id=target_id, started=started,
                                               link_phases=link_phases, context=self.context)
            self.nodes.append(self.recorder)
        except BaseException:
            self._destroy()
            raise
        # One thread, as each node's own process on the robot has. rclpy's MultiThreadedExecutor
        # re-polls its wait set while its workers run the callbacks: measured here, that loop
        # took 80 % of a core under the GIL and halved the detection rate (6.8 against 15 fps).
        self.executor = SingleThreadedExecutor(context=self.context)
        for node in self.nodes:
            self.executor.add_node(node)
        self._stopping = threading.Event()
        self._spinner = threading.Thread(target=self._spin, name='closed-loop', daemon=True)

    def _add(self, node_class, values: dict, **kwargs):
        node = node_class(parameter_overrides=_overrides(values), context=self.context,
                          **kwargs)
        self.nodes.append(node)
        return node

    def _spin(self) -> None:
        while not self._stopping.is_set():
            self.executor.spin_once(timeout_sec=0.1)

    def __enter__(self) -> 'ClosedLoop':
        """Start spinning every node."""
        self._spinner.start()
        return self

    def __exit__(self, *exc) -> None:
        """Stop spinning, destroy the nodes, shut the context down."""
        # The spin loop ends first: no new callback starts while the nodes are destroyed.
        self._stopping.set()
        self._spinner.join()
        self.executor.shutdown(timeout_sec=10.0)
        self._destroy()

    def _destroy(self) -> None:
        for node in reversed(self.nodes):
            node.destroy_node()
        self.nodes.clear()
        rclpy.try_shutdown(context=self.context)


def start_edges() -> list:
    """Start the demo's edge sites (three services each) on free loopback ports."""
    stacks = []
    try:
        for name, color in SITES:
            stack = EdgeStack(name, color)
            stacks.append(stack)
            stack.start()
    except BaseException:
        for stack in stacks:
            stack.stop()
        raise
    return stacks


def edge_sites(stacks: list) -> list[EdgeSite]:
    """Return how the robot reaches the running stacks of :data:`SITES`."""
    return [EdgeSite(name, stack.ingress_address, color)
            for (name, color), stack in zip(SITES, stacks)]


def run_demo(duration: float, out: Path, scenario: Scenario, seed: int = 0,
             stream: TextIO = sys.stdout, params_file: Optional[Path] = None,
             adaptive_encoding: bool = True) -> Summary:
    """Run the closed loop for `duration` s (0: until Ctrl-C); write and return the summary."""
    out.mkdir(parents=True, exist_ok=True)
    names = [name for name, _ in SITES]
    unknown = {e for o in scenario.outages for e in o.edges} - set(names)
    if unknown:
        raise ValueError(f'scenario {scenario.name}: outages name unknown edges '
                         f'{sorted(unknown)}; the demo runs {names}')
    unknown = set(scenario.link) - set(names)
    if unknown:
        raise ValueError(f'scenario {scenario.name}: link names unknown edges '
                         f'{sorted(unknown)}; the demo runs {names}')
    print(f'demo: scenario {scenario.name} (seed {seed}): {scenario.description}',
          file=stream, flush=True)
    print(f'demo: starting edges {", ".join(name for name, _ in SITES)} on 127.0.0.1 ...',
          file=stream, flush=True)
    stacks = start_edges()
    try:
        with ExitStack() as links:
            local = None
            if scenario.local_edge:
                local_edge = links.enter_context(LocalEdge(*LOCAL_SITE))
                local = EdgeSite(local_edge.name, local_edge.address, local_edge.color)
                print(f'demo: local standby edge at {local.address}: YOLO here at '
                      f'{local_edge.host_fps:.1f} frames/s, held to {local_edge.share:.0%} of '
                      f"a CPU for a Pi 4's {local_edge.target_fps:.1f}", file=stream,
                      flush=True)
            started = time.monotonic()
            sites = edge_sites(stacks)
            for index, site in enumerate(sites):
                if site.name in scenario.link:
                    shaper = links.enter_context(LinkShaper(
                        site.address, scenario.link[site.name], origin=started, seed=seed))
                    sites[index] = replace(site, address=shaper.address)
            phases = ()
            if scenario.link:
                schedule = next(iter(scenario.link.values()))
                phases = tuple(zip(schedule.phase_starts(),
                                   (phase.name for phase in schedule.phases)))
            summary, timeline, frames, end = _run_loop(
                ClosedLoop(sites, world=scenario.world(seed), seed=seed,
                           params_file=params_file, target_id=scenario.target, local=local,
                           adaptive_encoding=adaptive_encoding, started=started,
                           link_phases=phases),
                duration, scenario, stacks, stream)
    finally:
        for stack in stacks:
            stack.stop()
    rows = timeline_rows(timeline, end)
    if timeline.link_phases:
        rows = link_fields(timeline, rows)
        summary = replace(summary, phases=[
            figures.as_dict() for figures in phase_figures(timeline, rows, end)])
    write_summary(summary, out / 'summary.json')
    write_timeline_rows(rows, out / 'timeline.jsonl')
    write_timeline_plot(timeline, end, out / 'timeline.png')
    if frames:
        write_robot_view_gif(frames, out / 'robot_view.gif')
    print('\n' + format_summary(summary), file=stream)
    if summary.phases:
        print(format_phases(summary.phases), file=stream)
    print(f'demo: wrote {out}/summary.json, timeline.jsonl, timeline.png'
          + (', robot_view.gif' if frames else ' (no camera frame: no GIF)'),
          file=stream, flush=True)
    return summary


def _run_loop(loop: ClosedLoop, duration: float, scenario: Scenario, stacks: list,
              stream: TextIO) -> tuple:
    """Run the built closed loop; return its summary, timeline, view frames and end time."""
    names = [name for name, _ in SITES]
    live = stream.isatty()
    with loop:
        recorder = loop.recorder
        print('demo: robot nodes up; Ctrl-C ends the run and writes the outputs',
              file=stream, flush=True)
        outages = list(scenario.outages)
        next_plain_line = 0.0
        try:
            while duration <= 0 or recorder.now() < duration:
                now = recorder.now()
                while outages and now >= outages[0].at:
                    outage = outages.pop(0)
                    for edge in outage.edges:
                        stacks[names.index(edge)].kill()
                    recorder.mark_outage(outage.edges)
                    print(f'\ndemo: {", ".join(outage.edges)} killed (scripted outage)',
                          file=stream, flush=True)
                line = status_line(recorder.timeline, now)
                if live:
                    print('\r' + line, end='', file=stream, flush=True)
                elif now >= next_plain_line:
                    print(line, file=stream, flush=True)
                    next_plain_line = now + 5.0
                # Pacing the display, not synchronising: the loop runs on its own thread.
                time.sleep(0.25)
        except KeyboardInterrupt:
            print('\ndemo: interrupted, writing the outputs', file=stream, flush=True)
        end = recorder.now()
    return summarize(recorder.timeline, end), recorder.timeline, recorder.frames, end


def main(argv: Optional[list[str]] = None) -> int:
    """Command line of the demo."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--duration', type=float, default=60.0,
                        help='run length in seconds; 0 runs until Ctrl-C (default 60)')
    parser.add_argument('--out', type=Path, default=Path('out'),
                        help='folder for robot_view.gif, timeline.png, summary.json')
    parser.add_argument('--scenario', default='default',
                        help='scenario name (a file in --scenarios-dir) or path to a scenario '
                        'YAML file (default: default)')
    parser.add_argument('--scenarios-dir', type=Path,
                        default=Path(os.environ.get('LIQUID_EDGE_ROOT', '.')) / SCENARIO_DIRECTORY,
                        help='where scenario names are looked up (default: config/scenarios)')
    parser.add_argument('--seed', type=int, default=0, help="seed of the people's walks")
    parser.add_argument('--fixed-encoding', action='store_true',
                        help="the original's fixed JPEG quality 98 at 640x480 instead of "
                        'adaptive encoding (the baseline of the link figures)')
    parser.add_argument('--params-file', type=Path,
                        help="the robot's parameters (config/robot.yaml); the simulation "
                        'sets its own few over them')
    args = parser.parse_args(argv)
    if args.duration < 0:
        parser.error('--duration must be >= 0 (0 = until Ctrl-C)')
    try:
        scenario = load_scenario(args.scenario, args.scenarios_dir)
    except ValueError as error:
        parser.error(str(error))
    # Ctrl-C and a plain kill both end the run cleanly: edges stopped, outputs written. SIGINT
    # is set explicitly because a shell starts background jobs with it ignored.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    run_demo(args.duration, args.out, scenario, args.seed, params_file=args.params_file,
             adaptive_encoding=not args.fixed_encoding)
    return 0


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == '__main__':
    sys.exit(main())
