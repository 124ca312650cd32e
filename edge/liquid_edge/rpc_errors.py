"""Mapping of the edge's domain errors to gRPC status codes, and deadline helpers."""
import grpc

from liquid_edge.detect_options import InvalidRequest
from liquid_edge.detector_pool import FrameSuperseded, PoolTimeout
from liquid_edge.jpeg import ImageRejected, RejectReason

# A call without a deadline reports a remaining time of years; treat it as "no deadline".
_NO_DEADLINE_SECONDS = 1e6


def remaining_seconds(context: grpc.ServicerContext) -> float | None:
    """Return the seconds left before the caller's deadline, or None when it set none."""
    remaining = context.time_remaining()
    return None if remaining is None or remaining > _NO_DEADLINE_SECONDS else remaining


def status_of(error: Exception) -> grpc.StatusCode | None:
    """Return the status code that reports ``error`` to the caller, None if not ours."""
    if isinstance(error, ImageRejected):
        if error.reason is RejectReason.TOO_LARGE:
            return grpc.StatusCode.RESOURCE_EXHAUSTED
        return grpc.StatusCode.INVALID_ARGUMENT
    if isinstance(error, InvalidRequest):
        return grpc.StatusCode.INVALID_ARGUMENT
    if isinstance(error, FrameSuperseded):
        return grpc.StatusCode.RESOURCE_EXHAUSTED
    if isinstance(error, PoolTimeout):
        return grpc.StatusCode.DEADLINE_EXCEEDED
    return None


def abort_on_domain_error(context: grpc.ServicerContext, error: Exception) -> None:
    """Abort the call with the status of a domain error; re-raise anything else."""
    code = status_of(error)
    if code is None:
        raise error
    context.abort(code, str(error))
