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
The rendered people are people to the real edge detector (YOLOv3-tiny, OpenCV DNN).

The closed loop only means something if the edge really detects the cut-outs at the
distances the robot keeps. Runs the edge's own detector (liquid_edge.yolo) on JPEG frames
rendered at 1.5-4 m, as the camera node sends them.
"""
import math

import cv2
from liquid_edge_sim.people import astronaut_cutout, distractor_cutout
from liquid_edge_sim.render import CameraPose, SceneRenderer
from liquid_edge_sim.sim_camera import DEFAULT_CAMERA_TILT
from liquid_edge_sim.world import Person, WalkingPath, Waypoint, World
import pytest

yolo = pytest.importorskip('liquid_edge.yolo.detector',
                           reason='the edge package (pip install -e edge) is not installed')
model_files = pytest.importorskip('liquid_edge.yolo.model_files')


@pytest.fixture(scope='module')
def detector():
    files = model_files.default_model_files()
    return yolo.load_detector(files.cfg, files.weights, files.names)


def rendered_jpeg(cutout, distance, bearing):
    x, y = distance * math.cos(bearing), distance * math.sin(bearing)
    world = World([Person('p', cutout, WalkingPath([Waypoint(x, y), Waypoint(x, y + 1e-6)],
                                                   1.0))])
    frame, people = SceneRenderer(world).render(0.0, CameraPose(tilt=DEFAULT_CAMERA_TILT))
    jpeg = cv2.imencode('.jpg', frame, [cv2.IMWRITE_JPEG_QUALITY, 80])[1]
    return cv2.imdecode(jpeg, cv2.IMREAD_COLOR), people


@pytest.mark.parametrize('cutout', [astronaut_cutout(), distractor_cutout()],
                         ids=['astronaut', 'distractor'])
def test_person_is_detected_at_following_distances(detector, cutout):
    """
    Detect a person box on the person in at least 80 % of 12 views.

    Views: 1.5-4 m, 15 deg left and 10 deg right. Measured over 44 views per person: 90-95 %;
    YOLOv3-tiny misses some poses, and the tracker bridges those.
    """
    found = 0
    views = [(d, math.radians(b)) for d in (1.5, 2.0, 2.5, 3.0, 3.5, 4.0) for b in (15, -10)]
    for distance, bearing in views:
        image, people = rendered_jpeg(cutout, distance, bearing)
        x, y, w, h = people[0].box
        centres = [(d.x + d.width / 2, d.y + d.height / 2)
                   for d in detector.detect(image) if d.class_name == 'person']
        found += any(x <= cx <= x + w and y <= cy <= y + h for cx, cy in centres)
    assert found >= 0.8 * len(views)
