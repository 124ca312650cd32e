"""Dynamic micro-batching of YOLO frames, as Triton's dynamic batcher does, fair to a fleet.

Callers prepare their frame's input blob in their own thread and queue it (a FairQueue: robot
after robot, newest frame first, late frames dropped). Each runner thread owns one detector
(one ONNX Runtime session with all its intra-op threads) and runs what is waiting as one batch
of up to ``max_batch``. An idle server runs a lone frame at once; when frames are arriving
(being prepared) or the last batch held several, it waits up to ``window_s`` for more. Callers
decode their own slice of the outputs, in parallel.
"""
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
import logging
import threading
import time

from liquid_edge.detection import Detection
from liquid_edge.detector_pool import FrameDropped, FrameSuperseded, PoolTimeout
from liquid_edge.fair_queue import FairQueue, Waiting
from liquid_edge.yolo.detector import YoloDetector
import numpy as np

log = logging.getLogger(__name__)

# Weight of the newest batch in the running estimate of a batch's duration.
_DURATION_SMOOTHING = 0.2


def _ignore_batch(frames: int, seconds: float) -> None:
    """Observe nothing (the default ``on_batch``)."""


@dataclass
class _Job:
    """One frame's blob, and its outputs or failure once run."""

    blob: np.ndarray
    done: threading.Event = field(default_factory=threading.Event)
    outputs: list[np.ndarray] | None = None
    error: Exception | None = None

    def finish(self, outputs: list[np.ndarray] | None = None,
               error: Exception | None = None) -> None:
        self.outputs, self.error = outputs, error
        self.done.set()


class BatchingDetector:
    """YOLO detectors run by runner threads on batches of queued frames; thread-safe.

    The runners are daemon threads that live as long as the process.
    """

    def __init__(self, detectors: Sequence[YoloDetector], max_batch: int, window_s: float,
                 max_per_robot: int, on_batch: Callable[[int, float], None] = _ignore_batch):
        """Start one runner per detector; ``on_batch(frames, seconds)`` follows each run."""
        if not detectors:
            raise ValueError('a batching detector needs at least one detector')
        if max_batch < 1 or window_s < 0:
            raise ValueError(f'max batch must be >= 1 and the window >= 0, got {max_batch} '
                             f'and {window_s}')
        if max_batch > 1 and not all(d.batches for d in detectors):
            raise ValueError('batches of more than one frame need a model with a dynamic batch '
                             'dimension on ONNX Runtime')
        self.sample = detectors[0]
        self.max_batch = max_batch
        self._window_s = window_s
        self._on_batch = on_batch
        self._queue: FairQueue[_Job] = FairQueue(max_per_robot)
        self._changed = threading.Condition()
        self._arriving = 0
        self._last_batch = 0
        self._duration_s = 0.0
        self._runners = [threading.Thread(target=self._run, args=(detector,), daemon=True,
                                          name=f'yolo-batch-{index}')
                         for index, detector in enumerate(detectors)]
        for runner in self._runners:
            runner.start()

    def detect(self, image: np.ndarray, timeout: float | None,
               robot: Hashable = '') -> list[Detection]:
        """Detect in ``image`` within ``timeout`` s (None: no deadline) for ``robot``.

        Raises FrameDropped when the frame was dropped (late or superseded), PoolTimeout when
        no answer came in time, ValueError for a bad image.
        """
        deadline = float('inf') if timeout is None else time.monotonic() + timeout
        with self._changed:
            self._arriving += 1
        try:
            prepared = self.sample.prepare(image)
        finally:
            with self._changed:
                self._arriving -= 1
        job = _Job(prepared.blob)
        with self._changed:
            superseded = self._queue.put(Waiting(job, robot, deadline))
            self._changed.notify()
        if superseded is not None:
            superseded.item.finish(error=FrameSuperseded(
                f'dropped: robot {robot!r} sent newer frames while this one waited'))
        if not job.done.wait(None if timeout is None else max(timeout, 0.0)):
            raise PoolTimeout(f'no YOLO answer within {timeout:.3f} s')
        if job.error is not None:
            raise job.error
        return self.sample.decode(job.outputs, prepared)

    def _gather(self) -> list[Waiting[_Job]]:
        """Wait for frames; return the next batch (empty when every frame taken was late)."""
        with self._changed:
            self._changed.wait_for(lambda: len(self._queue))
            busy = self._last_batch > 1
            window_end = time.monotonic() + self._window_s
            while len(self._queue) < self.max_batch and (self._arriving or busy):
                remaining = window_end - time.monotonic()
                if remaining <= 0:
                    break
                self._changed.wait(remaining)
            taken = self._queue.take(self.max_batch, time.monotonic(), self._duration_s)
        for late in taken.late:
            late.item.finish(error=FrameDropped(
                f'dropped: robot {late.robot!r} frame could not be answered before its '
                f'deadline'))
        return taken.run

    def _run(self, detector: YoloDetector) -> None:
        while True:
            batch = self._gather()
            if not batch:
                continue
            started = time.monotonic()
            try:
                outputs = detector.infer(np.concatenate([w.item.blob for w in batch]))
            except Exception as error:  # noqa: B902 (every caller must hear of it)
                log.exception('YOLO batch failed')
                for waiting in batch:
                    waiting.item.finish(error=error)
                continue
            duration = time.monotonic() - started
            self._on_batch(len(batch), duration)
            with self._changed:
                self._last_batch = len(batch)
                self._duration_s += _DURATION_SMOOTHING * (duration - self._duration_s)
            if len(batch) == 1:  # as is: OpenCV DNN's Darknet outputs have no batch axis
                batch[0].item.finish(outputs)
                continue
            for index, waiting in enumerate(batch):
                waiting.item.finish([output[index:index + 1] for output in outputs])
