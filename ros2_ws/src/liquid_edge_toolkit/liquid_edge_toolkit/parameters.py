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

"""Parameter descriptors, run-time parameter callbacks, and the configuration error."""

from typing import Callable, List, Optional, Tuple

from rcl_interfaces.msg import (FloatingPointRange, IntegerRange, ParameterDescriptor,
                                SetParametersResult)
from rclpy.node import Node
from rclpy.parameter import Parameter


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


def add_parameter_callbacks(node: Node, validate: Callable[[Parameter], str],
                            apply: Callable[[List[Parameter]], None]) -> None:
    """
    Validate each changed parameter before it is set, apply the accepted ones after.

    ``validate`` returns why a value is refused, or ''; ranges are the descriptors' job.
    ``apply`` runs in the post-set callback where the distribution has it (Jazzy on), else
    at the end of the on-set callback once every value passed.
    """
    post_set = getattr(node, 'add_post_set_parameters_callback', None)

    def on_set(parameters: List[Parameter]) -> SetParametersResult:
        for parameter in parameters:
            reason = validate(parameter)
            if reason:
                return SetParametersResult(successful=False, reason=reason)
        if post_set is None:
            apply(parameters)
        return SetParametersResult(successful=True)

    node.add_on_set_parameters_callback(on_set)
    if post_set is not None:
        post_set(apply)
