"""What a request asks for (engines, result limit, score and class filters), from either API.

Pure: validates the options of a v1 ``DetectRequest`` or an original
``ObjectDetectionRequest`` and applies them to a list of detections. A request that asks for
something this service cannot do raises InvalidRequest, which servicers turn into
INVALID_ARGUMENT with the message.
"""
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from liquid_edge.detection import Detection
from liquid_edge_protocol import detection_v1_pb2 as v1

ENGINE_NAMES = {v1.ENGINE_FACE: 'face', v1.ENGINE_YOLO: 'yolo'}


class InvalidRequest(ValueError):
    """The request's options are invalid; the message says what to fix."""


@dataclass(frozen=True)
class DetectOptions:
    """Validated request options. ``max_results`` 0 = no limit; ``min_score`` 0 = none."""

    engines: tuple[int, ...]
    max_results: int = 0
    min_score: float = 0.0
    class_names: frozenset[str] = frozenset()


def options_from_v1(request: v1.DetectRequest, served: Sequence[int]) -> DetectOptions:
    """Validate a v1 request against the engines this service ``served`` (in its order)."""
    for engine in request.engines:
        if engine not in ENGINE_NAMES:
            raise InvalidRequest(f'unknown engine {engine}; use ENGINE_FACE or ENGINE_YOLO')
        if engine not in served:
            raise InvalidRequest(
                f'engine {v1.Engine.Name(engine)} is not served here; this service has '
                + ', '.join(v1.Engine.Name(e) for e in served))
    if not 0.0 <= request.min_score <= 1.0:
        raise InvalidRequest(f'min_score {request.min_score} is outside [0, 1]')
    asked = set(request.engines) or set(served)
    return DetectOptions(engines=tuple(e for e in served if e in asked),
                         max_results=request.max_results,
                         min_score=request.min_score,
                         class_names=frozenset(request.class_names))


def options_from_legacy(wantface: int, wantyolo: int, max_results: int,
                        served: Sequence[int]) -> DetectOptions:
    """Validate the original ingress request's flags (0 or 1) and ``max_results``.

    The engines run are the ``served`` ones whose flag is 1; ``max_results`` 0 = no limit.
    """
    for name, flag in (('wantface', wantface), ('wantyolo', wantyolo)):
        if flag not in (0, 1):
            raise InvalidRequest(f'{name} must be 0 or 1, got {flag}')
    wanted = {v1.ENGINE_FACE: wantface, v1.ENGINE_YOLO: wantyolo}
    return DetectOptions(engines=tuple(e for e in served if wanted.get(e)),
                         max_results=_checked_max_results(max_results))


def options_from_legacy_backend(max_results: int, engine: int) -> DetectOptions:
    """Validate an original backend request (FaceDetectionRequest, YoloDetectionRequest)."""
    return DetectOptions(engines=(engine,), max_results=_checked_max_results(max_results))


def _checked_max_results(max_results: int) -> int:
    if max_results < 0:
        raise InvalidRequest(f'max_results must be >= 0 (0 = no limit), got {max_results}')
    return max_results


def select_detections(detections: Iterable[Detection],
                      options: DetectOptions) -> list[Detection]:
    """Keep detections passing the score and class filters, best first, cut to max_results.

    Best = highest score, then largest box (Haar faces all score 1: the nearest face first).
    """
    kept = [d for d in detections
            if d.score >= options.min_score
            and (not options.class_names or d.class_name in options.class_names)]
    kept.sort(key=lambda d: (d.score, d.width * d.height), reverse=True)
    return kept[:options.max_results] if options.max_results else kept
