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

"""SlidingWindow and the nearest-rank percentile."""
from liquid_edge_bridge.sliding_window import percentile, SlidingWindow
import pytest


def test_samples_leave_the_window():
    window = SlidingWindow(1.0)
    window.add(0.0, 5.0)
    window.add(0.5, 1.0)
    assert window.values(1.0) == [5.0, 1.0]
    assert window.values(1.2) == [1.0]
    assert window.percentile(3.0, 0.5) is None


def test_percentiles_and_rate():
    window = SlidingWindow(2.0)
    for i in range(100):
        window.add(i * 0.01, float(i + 1))
    assert window.percentile(1.0, 0.5) == 50.0
    assert window.percentile(1.0, 0.99) == 99.0
    assert window.rate(1.0) == pytest.approx(50.0)
    assert percentile([3.0], 0.0) == 3.0
    with pytest.raises(ValueError):
        percentile([], 0.5)
    with pytest.raises(ValueError):
        SlidingWindow(0.0)
