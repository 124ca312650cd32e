"""A fixed pool of detector instances lent to one request at a time.

OpenCV DNN networks and Haar classifiers are not safe to share between threads (the original
service shared one network across its ten threads and answered with other requests'
objects), and a locked shared detector uses one core at a time. Each request borrows its own
instance; with as many single-threaded instances as cores, the cores stay busy without
oversubscription (the benchmark compares this with one locked detector). Requests waiting for
a detector are served fairly between robots (liquid_edge.fair_queue). The ingress lends its
dispatch slots (numbers) through the same pool.
"""
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
import math
import threading
import time
from typing import Generic, TypeVar

from liquid_edge.fair_queue import FairQueue, Waiting
import numpy as np

Detector = TypeVar('Detector')


class PoolTimeout(TimeoutError):
    """No detector became free before the request's deadline."""


class FrameDropped(PoolTimeout):
    """The frame was dropped unanswered: it could not be answered before its deadline."""


class FrameSuperseded(FrameDropped):
    """The frame was dropped unanswered: its robot sent newer frames while it waited."""


@dataclass
class _Ticket(Generic[Detector]):
    """A request waiting for a detector: the detector handed to it, or why it gets none."""

    granted: threading.Event = field(default_factory=threading.Event)
    detector: Detector | None = None
    error: PoolTimeout | None = None
    abandoned: bool = False


class DetectorPool(Generic[Detector]):
    """``size`` detectors built by ``factory``, lent fairly to the requests waiting.

    A detector coming back goes to the next request of a FairQueue: robots in turn, each
    robot's newest request first, requests past their deadline dropped (FrameDropped), at
    most ``max_per_robot`` waiting per robot (beyond, its oldest gets FrameSuperseded).
    """

    def __init__(self, factory: Callable[[], Detector], size: int, max_per_robot: int = 16):
        if size < 1:
            raise ValueError(f'a detector pool needs at least one detector, got {size}')
        first = factory()
        self.sample = first  # for model info and class names, shared by every instance
        self._idle = [first] + [factory() for _ in range(size - 1)]
        self._waiting: FairQueue[_Ticket[Detector]] = FairQueue(max_per_robot)
        self._lock = threading.Lock()

    @contextmanager
    def lease(self, timeout: float | None, robot: Hashable = '') -> Iterator[Detector]:
        """Borrow a detector for the duration of the block; wait at most ``timeout`` s for one.

        Raises PoolTimeout when none is free in time (``None`` = wait as long as it takes),
        FrameDropped or FrameSuperseded when the request was dropped while it waited.
        """
        detector = self._acquire(timeout, robot)
        try:
            yield detector
        finally:
            self._release(detector)

    def detect(self, image: np.ndarray, timeout: float | None, robot: Hashable = ''):
        """Detect with a borrowed detector, waiting at most ``timeout`` s for ``robot``."""
        with self.lease(timeout, robot) as detector:
            return detector.detect(image)

    def _acquire(self, timeout: float | None, robot: Hashable) -> Detector:
        deadline = math.inf if timeout is None else time.monotonic() + timeout
        ticket: _Ticket[Detector] = _Ticket()
        with self._lock:
            if self._idle:
                return self._idle.pop()
            superseded = self._waiting.put(Waiting(ticket, robot, deadline))
            if superseded is not None:
                superseded.item.error = FrameSuperseded(
                    f'dropped: robot {robot!r} sent newer frames while this one waited')
                superseded.item.granted.set()
        ticket.granted.wait(None if timeout is None else max(timeout, 0.0))
        with self._lock:
            if ticket.detector is None and ticket.error is None:
                ticket.abandoned = True
                raise PoolTimeout(f'no free detector within {timeout:.3f} s')
        if ticket.error is not None:
            raise ticket.error
        return ticket.detector

    def _release(self, detector: Detector) -> None:
        with self._lock:
            while True:
                taken = self._waiting.take(1, time.monotonic())
                for late in taken.late:
                    late.item.error = FrameDropped(
                        f'dropped: robot {late.robot!r} frame could not be answered before its '
                        f'deadline')
                    late.item.granted.set()
                if not taken.run and not len(self._waiting):
                    self._idle.append(detector)
                    return
                if taken.run and not taken.run[0].item.abandoned:
                    taken.run[0].item.detector = detector
                    taken.run[0].item.granted.set()
                    return
