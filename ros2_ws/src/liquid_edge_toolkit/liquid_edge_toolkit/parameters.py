"""Parameter descriptors and the error a node raises for a configuration it refuses."""

from typing import Optional, Tuple

from rcl_interfaces.msg import FloatingPointRange, IntegerRange, ParameterDescriptor


class ConfigurationError(ValueError):
    """A parameter value the node cannot run with; the message says what to change."""


def descriptor(description: str, read_only: bool = False, *,
               float_range: Optional[Tuple[float, float]] = None,
               integer_range: Optional[Tuple[int, int]] = None) -> ParameterDescriptor:
    """Return a descriptor with a description, read-only flag and an optional closed range."""
    result = ParameterDescriptor(description=description, read_only=read_only)
    if float_range is not None:
        result.floating_point_range = [FloatingPointRange(
            from_value=float(float_range[0]), to_value=float(float_range[1]), step=0.0)]
    if integer_range is not None:
        result.integer_range = [IntegerRange(
            from_value=int(integer_range[0]), to_value=int(integer_range[1]), step=1)]
    return result
