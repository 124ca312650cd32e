"""Dynamic micro-batching of YOLO frames, as Triton's dynamic batcher does, fair to a fleet.

Callers prepare their frame's input blob in their own thread and queue it (a FairQueue: robot
after robot, newest frame first, late frames dropped). Each runner thread owns one detector
(one ONNX Runtime session with its intra-op threads) and runs what is waiting as one batch
of up to ``max_batch``. An idle server runs a lone frame at once; when frames are arriving
(being prepared) or the last batch held several, it waits up to ``window_s`` for more. Callers
decode their own slice of the outputs, in parallel.

Adaptive intra-op parallelism: given a ``lone`` detector (a session with a thread per core,
beside single-threaded ones per runner), a frame that is alone in the service (nothing else
waiting, arriving or running) runs on it, so an idle server answers a robot with every core,
while a busy one runs a frame per core (see runs_alone). ONNX Runtime has no per-run thread
count, hence two sessions of the same model.
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


def _ignore_batch(frames: int, seconds: float, alone: bool) -> None:
    """Observe nothing (the default ``on_batch``)."""


def runs_alone(frames: int, waiting: int, arriving: int, running: int) -> bool:
    """Whether a run of ``frames`` gets the all-core detector: nothing else is in the service.

    ``waiting``: frames left in the queue; ``arriving``: frames being prepared; ``running``:
    runs under way on other detectors. One frame alone is fastest on every core; two or more
    frames at a time are faster on one core each (no thread hand-offs, no idle core waiting
    for the slowest slice of an operator). Only one run at a time can be alone, so the
    all-core detector is never shared.
    """
    return frames == 1 and waiting == 0 and arriving == 0 and running == 0


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
                 max_per_robot: int,
                 on_batch: Callable[[int, float, bool], None] = _ignore_batch,
                 lone: YoloDetector | None = None):
        """Start one runner per detector; ``on_batch(frames, seconds, alone)`` follows each run.

        ``lone``: the detector (same model, more intra-op threads) that runs a frame alone in
        the service (see runs_alone); None = every frame runs on its runner's detector.
        """
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
        self._lone = lone
        self._window_s = window_s
        self._on_batch = on_batch
        self._queue: FairQueue[_Job] = FairQueue(max_per_robot)
        self._changed = threading.Condition()
        self._arriving = 0
        self._running = 0
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

    def _gather(self) -> tuple[list[Waiting[_Job]], bool]:
        """Wait for frames; return the next batch (empty when every frame taken was late).

        And whether it runs alone (on the lone detector); a non-empty batch counts as running
        until its run ends.
        """
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
            alone = self._lone is not None and runs_alone(
                len(taken.run), len(self._queue), self._arriving, self._running)
            if taken.run:
                self._running += 1
        for late in taken.late:
            late.item.finish(error=FrameDropped(
                f'dropped: robot {late.robot!r} frame could not be answered before its '
                f'deadline'))
        return taken.run, alone

    def _run(self, detector: YoloDetector) -> None:
        while True:
            batch, alone = self._gather()
            if not batch:
                continue
            started = time.monotonic()
            try:
                blobs = (batch[0].item.blob if len(batch) == 1
                         else np.concatenate([w.item.blob for w in batch]))
                outputs = (self._lone if alone else detector).infer(blobs)
            except Exception as error:  # noqa: B902 (every caller must hear of it)
                log.exception('YOLO batch failed')
                for waiting in batch:
                    waiting.item.finish(error=error)
                continue
            finally:
                with self._changed:
                    self._running -= 1
            duration = time.monotonic() - started
            with self._changed:
                self._last_batch = len(batch)
                # A lone run is faster than a shared one: the estimate (for dropping frames
                # that cannot meet their deadline) follows the runs of a busy server.
                if not alone:
                    self._duration_s += _DURATION_SMOOTHING * (duration - self._duration_s)
            self._on_batch(len(batch), duration, alone)
            if len(batch) == 1:  # as is: OpenCV DNN's Darknet outputs have no batch axis
                batch[0].item.finish(outputs)
                continue
            for index, waiting in enumerate(batch):
                waiting.item.finish([output[index:index + 1] for output in outputs])
