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
