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

"""Robomaster backends behind :class:`RobotBackend`, picked by the ``backend`` parameter."""

from typing import Callable, Dict

from .backend import BackendConfig, BackendError, RobotBackend, SdkUnavailableError
from .sdk import SdkBackend
from .sim import SimBackend

#: The ``backend`` parameter's values and what each one builds.
BACKENDS: Dict[str, Callable[[BackendConfig], RobotBackend]] = {
    'sdk': SdkBackend,
    'sim': SimBackend,
}


def make_backend(name: str, config: BackendConfig) -> RobotBackend:
    """Build the backend registered under ``name``; ValueError names the known ones."""
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise ValueError(
            f'unknown backend {name!r}; known: {", ".join(sorted(BACKENDS))}') from None
    return factory(config)


__all__ = ['BACKENDS', 'BackendConfig', 'BackendError', 'make_backend', 'RobotBackend',
           'SdkBackend', 'SdkUnavailableError', 'SimBackend']
