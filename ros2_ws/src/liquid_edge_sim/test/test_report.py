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

import json

import cv2
from liquid_edge_sim.metrics import (DetectionSample, EdgeSample, OutageEvent, StateSample,
                                     summarize, Timeline, TruthSample)
from liquid_edge_sim.recorder import ViewFrame
from liquid_edge_sim.report import (annotate, GIF_MAX_FRAMES, write_robot_view_gif,
                                    write_summary, write_timeline_plot)
import numpy as np
from PIL import Image
import pytest


def jpeg(value=90):
    image = np.full((480, 640, 3), value, np.uint8)
    return cv2.imencode('.jpg', image)[1].tobytes()


def a_run():
    timeline = Timeline(
        states=[StateSample(0.1 * i, 'follow' if i > 10 else 'wakeup', 0.01 * (i % 7), 0.1,
                            (320.0, 240.0, 100.0, 200.0)) for i in range(100)],
        truths=[TruthSample(0.1 * i, i, {'astronaut': (330.0, 240.0, 100.0, 200.0)})
                for i in range(100)],
        edges=[EdgeSample(0.0, 'edge-a', True), EdgeSample(4.0, 'edge-b', True),
               EdgeSample(8.0, '', False)],
        capture_latencies=[(0.1 * i, 0.2) for i in range(100)],
        detections=[DetectionSample(0.1 * i, i, 1) for i in range(100)],
        outages=[OutageEvent(4.0, ('edge-a',)), OutageEvent(8.0, ('edge-a', 'edge-b'))])
    return timeline


def test_summary_json_has_every_figure(tmp_path):
    summary = summarize(a_run(), 10.0)
    write_summary(summary, tmp_path / 'summary.json')
    saved = json.loads((tmp_path / 'summary.json').read_text())
    assert saved == summary.as_dict()
    assert saved['time_to_acquire_s'] == pytest.approx(1.1)


def test_timeline_plot_is_a_png(tmp_path):
    write_timeline_plot(a_run(), 10.0, tmp_path / 'timeline.png')
    with Image.open(tmp_path / 'timeline.png') as image:
        assert image.format == 'PNG' and image.width >= 800


def test_annotation_draws_boxes_target_and_banner():
    frame = ViewFrame(1.0, jpeg(), boxes=[(200.0, 240.0, 100.0, 200.0)], state='follow',
                      target_box=(200.0, 240.0, 100.0, 200.0), edge='edge-a',
                      edge_rgb=(0.0, 0.78, 0.33), latency=0.1)
    image = annotate(frame)
    assert image.shape == (480, 640, 3)
    assert tuple(image[10, 600]) == (84, 198, 0)            # banner in the edge colour
    assert tuple(image[240, 150]) == (0, 255, 255)          # target box edge in yellow
    assert abs(int(image[400, 500, 0]) - 90) < 5            # elsewhere untouched


def test_coasting_prediction_is_drawn_thin_and_orange():
    frame = ViewFrame(1.0, jpeg(), state='follow', target_box=(200.0, 240.0, 100.0, 200.0),
                      track_id='person-3', match_score=0.9, coasting=True)
    image = annotate(frame)
    assert tuple(image[240, 150]) == (0, 140, 255)          # left edge, orange
    assert abs(int(image[240, 152, 0]) - 90) < 5            # one pixel thin


def test_annotation_refuses_a_broken_jpeg():
    with pytest.raises(ValueError, match='JPEG'):
        annotate(ViewFrame(1.0, b'not a jpeg'))


def test_gif_is_subsampled_and_small(tmp_path):
    frames = [ViewFrame(0.25 * i, jpeg(i % 250)) for i in range(GIF_MAX_FRAMES * 2 + 1)]
    written = write_robot_view_gif(frames, tmp_path / 'robot_view.gif')
    # Every third frame: the fewest that fit in GIF_MAX_FRAMES.
    assert written == len(frames[::3]) <= GIF_MAX_FRAMES
    with Image.open(tmp_path / 'robot_view.gif') as gif:
        assert gif.n_frames == written
        assert gif.size == (320, 240)
        # Real time: every kept frame lasts the 3 x 0.25 s it stands for.
        assert gif.info['duration'] == 750
    assert (tmp_path / 'robot_view.gif').stat().st_size < 5_000_000


def test_gif_needs_frames(tmp_path):
    with pytest.raises(ValueError, match='no robot-view frame'):
        write_robot_view_gif([], tmp_path / 'robot_view.gif')
