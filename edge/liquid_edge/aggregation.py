"""The ingress's merge of its backends' answers into one, partial when a backend failed.

Pure (protobuf messages only, status codes as integers). Faces come first, then YOLO
objects, as in the original; each engine's list is cut to ``max_results``.
"""
from collections.abc import Sequence
from dataclasses import dataclass, field

from liquid_edge_protocol import detection_v1_pb2 as v1

# grpc.StatusCode values, as carried by BackendStatus.code.
STATUS_OK = 0
STATUS_INVALID_ARGUMENT = 3


@dataclass(frozen=True)
class BackendOutcome:
    """What one backend gave: its response (code OK) or a failure code and message."""

    engine: int
    code: int
    message: str = ''
    response: v1.DetectResponse | None = None


@dataclass
class Aggregate:
    """The merged answer: detections in engine order, one status per backend asked."""

    detections: list[v1.Detection] = field(default_factory=list)
    backends: list[v1.BackendStatus] = field(default_factory=list)
    partial: bool = False


def rejected_by_every_backend(outcomes: Sequence[BackendOutcome]) -> str | None:
    """Return the message when every backend refused the input as invalid, else None.

    Then the request itself is at fault (INVALID_ARGUMENT), not the edge (partial answer).
    """
    if outcomes and all(o.code == STATUS_INVALID_ARGUMENT for o in outcomes):
        return '; '.join(f'{v1.Engine.Name(o.engine)}: {o.message}' for o in outcomes)
    return None


def merge_outcomes(outcomes: Sequence[BackendOutcome], max_results: int) -> Aggregate:
    """Merge backend outcomes given in engine order; ``max_results`` 0 = no limit."""
    merged = Aggregate()
    for outcome in outcomes:
        if outcome.code != STATUS_OK or outcome.response is None:
            merged.partial = True
            merged.backends.append(v1.BackendStatus(engine=outcome.engine, code=outcome.code,
                                                    message=outcome.message))
            continue
        found = [d for d in outcome.response.detections if d.engine == outcome.engine]
        merged.detections.extend(found[:max_results] if max_results else found)
        own = [s for s in outcome.response.backends if s.engine == outcome.engine]
        merged.backends.append(own[0] if own else v1.BackendStatus(
            engine=outcome.engine, code=STATUS_OK, timings=outcome.response.timings))
        merged.partial = merged.partial or outcome.response.partial
    return merged
