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

"""
The robot's list of edge sites, from per-edge ROS parameters, validated at configure time.

`edges` lists the names in order of preference; each name has its own keys: `<name>.address`
and `<name>.color` (required), `<name>.tls.ca`, `<name>.tls.cert`, `<name>.tls.key` (files;
'' = plaintext, no client certificate).
"""
from dataclasses import dataclass
import os
import re
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

GREY = (0.5, 0.5, 0.5)

_COLOR = re.compile(r'^#[0-9a-fA-F]{6}$')
# host:port, where host is a DNS name, an IPv4 address or a bracketed IPv6 address.
_ADDRESS = re.compile(r'^(?P<host>\[[0-9a-fA-F:.]+\]|[A-Za-z0-9][A-Za-z0-9.\-]*):(?P<port>\d+)$')


class EdgeConfigError(ValueError):
    """The edge list is unusable; the message says which entry and how to fix it."""


@dataclass(frozen=True)
class EdgeEndpoint:
    """One edge site as the robot knows it."""

    name: str
    address: str
    color: str  # '#rrggbb'
    tls_ca: Optional[str] = None
    tls_cert: Optional[str] = None
    tls_key: Optional[str] = None

    @property
    def rgb(self) -> Tuple[float, float, float]:
        """Return the display colour as red, green, blue in [0, 1]."""
        return parse_color(self.color)

    @property
    def uses_tls(self) -> bool:
        """Tell whether the channel to this edge is TLS."""
        return self.tls_ca is not None or self.tls_cert is not None


def parse_color(color: str) -> Tuple[float, float, float]:
    """Turn '#rrggbb' into red, green, blue in [0, 1]."""
    if not _COLOR.match(color):
        raise EdgeConfigError(f"colour '{color}' is not of the form '#rrggbb'")
    return tuple(int(color[i:i + 2], 16) / 255.0 for i in (1, 3, 5))


def check_address(address: str) -> str:
    """Return `address` if it is host:port with a port in 1..65535, else raise."""
    match = _ADDRESS.match(address)
    if match is None:
        raise EdgeConfigError(
            f"address '{address}' is not host:port (e.g. 127.0.0.1:50051, edge-a.local:50051)")
    port = int(match.group('port'))
    if not 1 <= port <= 65535:
        raise EdgeConfigError(f"address '{address}': port {port} is outside 1..65535")
    return address


#: The keys of each edge, `<name>.<key>`, and what they say.
EDGE_KEYS = {
    'address': 'host:port of the edge ingress (required)',
    'color': "display colour '#rrggbb' (LEDs, rqt; required)",
    'tls.ca': "TLS CA certificate file; '' = plaintext",
    'tls.cert': "TLS client certificate file; '' = none (needs tls.key)",
    'tls.key': "TLS client key file; '' = none (needs tls.cert)",
}


def parse_edges(names: Sequence[str],
                settings: Mapping[str, Mapping[str, str]]) -> List[EdgeEndpoint]:
    """
    Build and validate the edge list from `edges` and each edge's keys.

    `settings` maps an edge name to its keys (those of EDGE_KEYS, '' when unset).
    """
    if not names:
        raise EdgeConfigError('edges is empty: configure at least one edge')
    seen = set()
    result = []
    for index, name in enumerate(names):
        if not name.strip():
            raise EdgeConfigError(f'edges[{index}] is empty')
        if name in seen:
            raise EdgeConfigError(f"edge name '{name}' appears twice in edges")
        seen.add(name)
        keys = settings.get(name, {})
        try:
            for required in ('address', 'color'):
                if not keys.get(required):
                    raise EdgeConfigError(f'{name}.{required} is not set')
            edge = EdgeEndpoint(
                name=name, address=check_address(keys['address']), color=keys['color'],
                tls_ca=_existing_file(keys.get('tls.ca', ''), 'tls.ca'),
                tls_cert=_existing_file(keys.get('tls.cert', ''), 'tls.cert'),
                tls_key=_existing_file(keys.get('tls.key', ''), 'tls.key'))
            parse_color(edge.color)
            if (edge.tls_cert is None) != (edge.tls_key is None):
                raise EdgeConfigError('tls.cert and tls.key go together: give both or neither')
        except EdgeConfigError as error:
            raise EdgeConfigError(f"edge '{name}': {error}") from None
        result.append(edge)
    return result


def edge_parameters(edges: Mapping[str, Mapping[str, object]]) -> Dict[str, object]:
    """
    Return the bridge parameters of the edges, as a params file would set them.

    `edges` maps each name, in order of preference, to its keys, nested or dotted
    ({'address': ..., 'color': ..., 'tls': {'ca': ...}}): `edges` and `<name>.<key>` come back.
    """
    values: Dict[str, object] = {'edges': list(edges)}

    def flatten(prefix: str, keys: Mapping[str, object]) -> None:
        for key, value in keys.items():
            if isinstance(value, Mapping):
                flatten(f'{prefix}{key}.', value)
            else:
                values[f'{prefix}{key}'] = value

    for name, keys in edges.items():
        flatten(f'{name}.', keys)
    return values


def _existing_file(path: str, field: str) -> Optional[str]:
    if not path:
        return None
    if not os.path.isfile(path):
        raise EdgeConfigError(f"{field} file '{path}' does not exist")
    if not os.access(path, os.R_OK):
        raise EdgeConfigError(f"{field} file '{path}' is not readable")
    return path


def parse_local_edge(name: str, address: str, color: str,
                     remote_names: Sequence[str]) -> Optional[EdgeEndpoint]:
    """Return the local standby edge (plaintext, on the robot); None when address is ''."""
    if not address:
        return None
    if not name.strip():
        raise EdgeConfigError('local_edge_name is empty')
    if name in remote_names:
        raise EdgeConfigError(f"local_edge_name '{name}' is also in edges: the local "
                              'standby edge needs a name of its own')
    try:
        parse_color(color)
        return EdgeEndpoint(name=name, address=check_address(address), color=color)
    except EdgeConfigError as error:
        raise EdgeConfigError(f"local edge '{name}': {error}") from None
