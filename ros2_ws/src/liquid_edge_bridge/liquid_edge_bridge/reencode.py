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
Re-encoding a JPEG frame in the bridge: the fallback.

The camera applies the chosen quality and size at capture, which costs the robot nothing more.
Two kinds of frame need other bytes than the camera's: probes to a remote edge while the robot
is on its local standby (smaller, for the remote link; at most one per remote edge and probe
period, 0.5 s), and the frames captured before a change to fewer bytes reached the camera (a
frame or two when the link drops). So decoding and encoding here stays rare.
"""
import cv2
from liquid_edge_bridge.encoding_controller import EncodingSettings
import numpy as np


def reencode_jpeg(jpeg: bytes, settings: EncodingSettings) -> bytes:
    """Return `jpeg` at `settings`' size and quality; ValueError if it cannot be decoded."""
    image = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
    if image is None:
        raise ValueError(f'cannot decode the {len(jpeg)}-byte frame as JPEG')
    if (image.shape[1], image.shape[0]) != (settings.width, settings.height):
        image = cv2.resize(image, (settings.width, settings.height),
                           interpolation=cv2.INTER_AREA)
    ok, encoded = cv2.imencode('.jpg', image, [cv2.IMWRITE_JPEG_QUALITY, settings.quality])
    if not ok:
        raise ValueError(f'cannot encode a {settings.width}x{settings.height} JPEG')
    return encoded.tobytes()
