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
Measure the encoding profile: JPEG bytes and person recall against quality x size.

The bridge's `EncodingController` chooses among these points. Frames are the simulation's
own: the default world rendered at 640x480 from the robot's start, looking toward the target
(within +-12 deg) at times spread over the walk. Each frame is resized to every size and
encoded at every quality as the camera would, then sent to a real YOLO service (an
`EdgeStack` on loopback, `liquidedge.v1.Detector/Detect`, persons only). A person counts as
present when at least half of their picture is in the frame, and as found when a person box's
centre falls in their drawn box (each box finds one person). Regenerate with

    python -m liquid_edge_sim.encoding_profile --out config/encoding_profile.yaml

(1200 YOLOv3-tiny inferences on the CPU: about a minute).
"""
import argparse
import math
import sys
from typing import Dict, List, Sequence, Tuple

import cv2
import grpc
from liquid_edge.stack import EdgeStack
from liquid_edge_protocol import detection_v1_pb2 as v1
from liquid_edge_protocol import detection_v1_pb2_grpc as v1_grpc
from liquid_edge_sim.render import CameraPose, PersonInView, SceneRenderer
from liquid_edge_sim.sim_camera import DEFAULT_CAMERA_TILT
from liquid_edge_sim.world import default_world, TARGET_ID
import numpy as np
import yaml

# 416x312 is YOLOv3-tiny's input at 4:3: what the detector sees of any larger frame.
SIZES = ((640, 480), (512, 384), (416, 312), (320, 240))
# Down to 20: YOLOv3-tiny finds the simulated people about as well in a full-size frame at
# quality 20 (9.5 kB) as at 50 (19 kB), and far better than in a smaller one of those bytes.
QUALITIES = (20, 30, 50, 75, 95)
# A person is ground truth when at least this fraction of their picture is in the frame.
_MIN_VISIBLE = 0.5
_CALL_TIMEOUT_S = 30.0


def rendered_frames(count: int, seed: int = 0) -> List[Tuple[np.ndarray, List[PersonInView]]]:
    """Render `count` 640x480 frames of the default world with who is in each one."""
    if count < 1:
        raise ValueError(f'need at least one frame, got {count}')
    world = default_world(seed)
    renderer = SceneRenderer(world)
    rng = np.random.default_rng(seed)
    period = world.person(TARGET_ID).path.period
    frames = []
    for index in range(count):
        t = period * index / count
        target = next(pose for pose in world.poses(t) if pose.person_id == TARGET_ID)
        yaw = math.atan2(target.y, target.x) + math.radians(rng.uniform(-12.0, 12.0))
        image, people = renderer.render(t, CameraPose(yaw=yaw, tilt=DEFAULT_CAMERA_TILT))
        frames.append((image, people))
    return frames


def present_people(people: Sequence[PersonInView]) -> List[Tuple[int, int, int, int]]:
    """Return the drawn boxes of the people at least half in the frame."""
    boxes = []
    for person in people:
        x, y, w, h = person.box
        full = person.full_width * person.full_height
        if w > 0 and h > 0 and full > 0 and w * h >= _MIN_VISIBLE * full:
            boxes.append(person.box)
    return boxes


def found_people(boxes: Sequence[Tuple[int, int, int, int]],
                 centres: Sequence[Tuple[float, float]]) -> int:
    """Count the boxes that a detection centre falls in, each centre finding one box."""
    unused = list(centres)
    found = 0
    for x, y, w, h in boxes:
        for centre in unused:
            if x <= centre[0] <= x + w and y <= centre[1] <= y + h:
                unused.remove(centre)
                found += 1
                break
    return found


def measure(frames, detector: v1_grpc.DetectorStub, sizes=SIZES, qualities=QUALITIES
            ) -> List[Dict]:
    """Return one profile point per size x quality, measured on `frames` by `detector`."""
    truths = [present_people(people) for _, people in frames]
    present = sum(len(boxes) for boxes in truths)
    if present == 0:
        raise ValueError('no person is in any frame: nothing to measure recall on')
    points = []
    for width, height in sizes:
        resized = [cv2.resize(image, (width, height), interpolation=cv2.INTER_AREA)
                   for image, _ in frames]
        for quality in qualities:
            sizes_bytes, found = [], 0
            for index, (image, boxes) in enumerate(zip(resized, truths)):
                ok, jpeg = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, quality])
                if not ok:
                    raise RuntimeError(f'OpenCV cannot encode {width}x{height} at {quality}')
                sizes_bytes.append(len(jpeg))
                answer = detector.Detect(v1.DetectRequest(
                    request_id=str(index), jpeg=jpeg.tobytes(), engines=[v1.ENGINE_YOLO],
                    class_names=['person']), timeout=_CALL_TIMEOUT_S)
                full_w, full_h = frames[index][0].shape[1], frames[index][0].shape[0]
                centres = [((d.box_norm.x + d.box_norm.width / 2) * full_w,
                            (d.box_norm.y + d.box_norm.height / 2) * full_h)
                           for d in answer.detections]
                found += found_people(boxes, centres)
            ordered = sorted(sizes_bytes)
            points.append({
                'width': width, 'height': height, 'quality': quality,
                'bytes_mean': round(float(np.mean(sizes_bytes))),
                'bytes_p95': int(ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]),
                'recall': round(found / present, 3),
            })
    return points


def main(argv=None) -> int:
    """Measure the profile against a fresh loopback edge and write it as YAML."""
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', required=True, help='YAML file to write')
    parser.add_argument('--frames', type=int, default=60, help='rendered frames (default 60)')
    parser.add_argument('--seed', type=int, default=0, help='world seed (default 0)')
    args = parser.parse_args(argv)
    frames = rendered_frames(args.frames, args.seed)
    with EdgeStack('profile', '#808080') as edge, \
            grpc.insecure_channel(edge.yolo_address) as channel:
        points = measure(frames, v1_grpc.DetectorStub(channel))
        model = v1_grpc.DetectorStub(channel).Detect(v1.DetectRequest(
            request_id='model', jpeg=cv2.imencode('.jpg', frames[0][0])[1].tobytes(),
            engines=[v1.ENGINE_YOLO]), timeout=_CALL_TIMEOUT_S).backends[0].model
    profile = {
        'generated_by': 'python -m liquid_edge_sim.encoding_profile '
                        f'--frames {args.frames} --seed {args.seed}',
        'frames': args.frames,
        'people_present': sum(len(present_people(people)) for _, people in frames),
        'detector': f'{model.name} ({model.runtime}, {model.device})',
        'points': points,
    }
    with open(args.out, 'w', encoding='utf-8') as file:
        file.write('# Encoding profile of the simulated camera: JPEG bytes per frame and '
                   'person recall\n# per quality x size, measured by '
                   'liquid_edge_sim.encoding_profile (do not edit).\n')
        yaml.safe_dump(profile, file, sort_keys=False, default_flow_style=None, width=99)
    for point in points:
        print(f"{point['width']}x{point['height']} q{point['quality']}: "
              f"{point['bytes_mean']} B (p95 {point['bytes_p95']}), recall {point['recall']}")
    return 0


if __name__ == '__main__':
    sys.exit(main())
