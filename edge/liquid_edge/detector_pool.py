"""A fixed pool of detector instances lent to one request at a time.

OpenCV DNN networks and Haar classifiers are not safe to share between threads (the original
service shared one network across its ten threads and answered with other requests'
objects), and a locked shared detector uses one core at a time. Each request borrows its own
instance; with as many single-threaded instances as cores, the cores stay busy without
oversubscription (the benchmark compares this with one locked detector).
"""
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
import queue
from typing import Generic, TypeVar

import numpy as np

Detector = TypeVar('Detector')


class PoolTimeout(TimeoutError):
    """No detector became free before the request's deadline."""


class FrameDropped(PoolTimeout):
    """The frame was dropped unanswered: it could not be answered before its deadline."""


class FrameSuperseded(FrameDropped):
    """The frame was dropped unanswered: its robot sent newer frames while it waited."""


class DetectorPool(Generic[Detector]):
    """``size`` detectors built by ``factory``, lent out through a queue."""

    def __init__(self, factory: Callable[[], Detector], size: int):
        if size < 1:
            raise ValueError(f'a detector pool needs at least one detector, got {size}')
        self._idle: queue.SimpleQueue[Detector] = queue.SimpleQueue()
        first = factory()
        self.sample = first  # for model info and class names, shared by every instance
        self._idle.put(first)
        for _ in range(size - 1):
            self._idle.put(factory())
        self.size = size

    @contextmanager
    def lease(self, timeout: float | None) -> Iterator[Detector]:
        """Borrow a detector for the duration of the block; wait at most ``timeout`` s for one.

        Raises PoolTimeout when none is free in time (``None`` = wait as long as it takes).
        """
        try:
            detector = self._idle.get(timeout=None if timeout is None else max(timeout, 0.0))
        except queue.Empty:
            raise PoolTimeout(f'no free detector within {timeout:.3f} s') from None
        try:
            yield detector
        finally:
            self._idle.put(detector)

    def detect(self, image: np.ndarray, timeout: float | None, robot: Hashable = ''):
        """Detect with a borrowed detector, waiting at most ``timeout`` s; ignores ``robot``."""
        with self.lease(timeout) as detector:
            return detector.detect(image)
