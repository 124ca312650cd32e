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

"""What a request asks of an edge, and of an edge that serves fewer engines."""
from liquid_edge_bridge.edge_client import EdgeRequestOptions
import pytest


def test_an_edge_is_asked_only_for_the_engines_it_serves():
    options = EdgeRequestOptions(engines=('yolo', 'face'), class_names=('person',),
                                 max_results=5, min_score=0.3)
    local = options.served_by(('yolo',))
    assert local.engines == ('yolo',)
    assert (local.class_names, local.max_results, local.min_score) == (('person',), 5, 0.3)
    assert options.engines == ('yolo', 'face')
    assert options.served_by(('face', 'yolo')) == options


def test_unknown_engines_are_refused():
    with pytest.raises(ValueError, match="unknown engines \\['lidar'\\]"):
        EdgeRequestOptions(engines=('lidar',))
