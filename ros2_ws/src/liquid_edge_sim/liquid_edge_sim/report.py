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

"""The run's outputs: timeline plot (PNG), annotated robot view (GIF), summary (JSON)."""
import json
from pathlib import Path

import cv2
from liquid_edge_sim.metrics import FOLLOW, Summary, Timeline
from liquid_edge_sim.recorder import ViewFrame
# A bare Figure draws with Agg: no pyplot, no display needed on CI or over SSH.
from matplotlib.figure import Figure
import numpy as np
from PIL import Image

STATES = ('wakeup', 'search', 'follow', 'idle', 'hit', 'explore')
# Kept small enough to attach to an issue: half-size frames, at most this many.
GIF_MAX_FRAMES = 200
GIF_SCALE = 0.5


def write_summary(summary: Summary, path: Path) -> None:
    """summary.json: every figure of the summary, seconds and fractions."""
    path.write_text(json.dumps(summary.as_dict(), indent=2) + '\n')


def write_timeline_rows(rows: list[dict], path: Path) -> None:
    """timeline.jsonl: one JSON object per follow-state sample (metrics.timeline_rows)."""
    with path.open('w') as stream:
        for row in rows:
            stream.write(json.dumps(row, separators=(',', ':')) + '\n')


def write_timeline_plot(timeline: Timeline, end: float, path: Path) -> None:
    """timeline.png: errors, state, latency and active edge over time, outages marked."""
    figure = Figure(figsize=(10, 9))
    axes = figure.subplots(5, 1, sharex=True)
    states = timeline.states
    following = [s for s in states if s.state == FOLLOW]
    width = timeline.image_size[0]
    target = timeline.target_id
    truth = [(t.t, t.people[target][0] / width - 0.5) for t in timeline.truths
             if target in t.people]
    axes[0].plot([t for t, _ in truth], [e for _, e in truth], ',', color='0.6',
                 label='true (target in view)')
    axes[0].plot([s.t for s in following], [s.horizontal_error for s in following], '.',
                 markersize=2, label='measured (following)')
    axes[0].set_ylabel('horizontal error\n(fraction of width)')
    axes[0].legend(loc='upper right', fontsize='small')
    axes[1].plot([s.t for s in following], [s.distance_error for s in following], '.',
                 markersize=2)
    axes[1].set_ylabel('distance error\n(fraction of height)')
    axes[2].step([s.t for s in states], [_state_index(s.state) for s in states], where='post')
    axes[2].set_yticks(range(len(STATES)), STATES)
    axes[2].set_ylabel('state')
    axes[3].plot([t for t, _ in timeline.capture_latencies],
                 [1000.0 * seconds for _, seconds in timeline.capture_latencies], '.',
                 markersize=2)
    axes[3].set_ylabel('capture to detections (ms)')
    names = sorted({e.name for e in timeline.edges if e.reachable})
    rows = ['none'] + names
    axes[4].step([e.t for e in timeline.edges],
                 [rows.index(e.name) if e.reachable else 0 for e in timeline.edges],
                 where='post')
    axes[4].set_yticks(range(len(rows)), rows)
    axes[4].set_ylabel('active edge')
    axes[4].set_xlabel('time (s)')
    axes[4].set_xlim(0.0, max(end, 1.0))
    for outage in timeline.outages:
        for axis in axes:
            axis.axvline(outage.t, color='tab:green' if outage.up else 'tab:red',
                         linestyle='--', linewidth=1)
        axes[0].annotate(f'{",".join(outage.edges)} {"up" if outage.up else "down"}',
                         (outage.t, 1.0), xycoords=('data', 'axes fraction'),
                         fontsize='small', va='bottom')
    figure.tight_layout()
    figure.savefig(path, dpi=90)


def _state_index(name: str) -> int:
    return STATES.index(name) if name in STATES else -1


def annotate(frame: ViewFrame) -> np.ndarray:
    """
    Draw on the robot's view (BGR) what the robot knew.

    The edge's detections in its colour, the followed target in yellow with its track id and
    appearance match (a thin orange box while it coasts on the prediction), the image centre,
    and a banner with time, state, edge and latency.
    """
    image = cv2.imdecode(np.frombuffer(frame.jpeg, np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'frame at t={frame.t:.2f} s is not a decodable JPEG')
    edge_bgr = tuple(int(255 * c) for c in reversed(frame.edge_rgb))
    for box in frame.boxes:
        _draw_box(image, box, edge_bgr, 2)
    if frame.target_box is not None:
        coasting = frame.coasting or frame.state != FOLLOW
        color = (0, 140, 255) if coasting else (0, 255, 255)
        _draw_box(image, frame.target_box, color, 1 if coasting else 3)
        cx, cy, w, h = frame.target_box
        label = f'{frame.track_id or "target"} {frame.match_score:.2f}' + (
            ' predicted' if coasting else '')
        cv2.putText(image, label, (int(cx - w / 2), max(int(cy - h / 2) - 6, 40)),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.5, color, 2)
    height, width = image.shape[:2]
    cv2.line(image, (width // 2, height - 20), (width // 2, height - 1), (255, 255, 255), 1)
    latency = '-' if frame.latency is None else f'{1000.0 * frame.latency:.0f} ms'
    banner = f't={frame.t:5.1f}s {frame.state or "-"}  edge {frame.edge or "none"}  {latency}'
    cv2.rectangle(image, (0, 0), (width, 28), edge_bgr, -1)
    cv2.putText(image, banner, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 2)
    return image


def _draw_box(image: np.ndarray, box, color, thickness: int) -> None:
    cx, cy, w, h = box
    cv2.rectangle(image, (int(cx - w / 2), int(cy - h / 2)), (int(cx + w / 2), int(cy + h / 2)),
                  color, thickness)


def write_robot_view_gif(frames: list[ViewFrame], path: Path) -> int:
    """robot_view.gif: the annotated frames at half size, real time; returns frames written."""
    if not frames:
        raise ValueError('no robot-view frame was recorded: did the camera publish?')
    step = max(1, -(-len(frames) // GIF_MAX_FRAMES))
    chosen = frames[::step]
    images = []
    for frame in chosen:
        small = cv2.resize(annotate(frame), None, fx=GIF_SCALE, fy=GIF_SCALE,
                           interpolation=cv2.INTER_AREA)
        images.append(Image.fromarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB)).quantize(128))
    period = (chosen[-1].t - chosen[0].t) / max(len(chosen) - 1, 1)
    images[0].save(path, save_all=True, append_images=images[1:], loop=0,
                   duration=max(int(1000.0 * period), 20), optimize=True)
    return len(images)
