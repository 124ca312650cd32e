"""
The robot's list of edge sites, from parallel ROS parameter arrays, validated at start.

ROS parameters cannot hold a list of records, so each field is its own array, index i
describing edge i: `edge_names`, `edge_addresses`, `edge_colors` (same length, required) and
`edge_tls_ca`, `edge_tls_cert`, `edge_tls_key` (empty = plaintext for every edge, or one entry
per edge where '' = plaintext for that edge).
"""
from dataclasses import dataclass
import os
import re
from typing import List, Optional, Sequence, Tuple

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


def parse_edges(names: Sequence[str], addresses: Sequence[str], colors: Sequence[str],
                tls_ca: Sequence[str] = (), tls_cert: Sequence[str] = (),
                tls_key: Sequence[str] = ()) -> List[EdgeEndpoint]:
    """Build and validate the edge list from the parallel parameter arrays."""
    if not names:
        raise EdgeConfigError('edge_names is empty: configure at least one edge')
    for field, values in (('edge_addresses', addresses), ('edge_colors', colors)):
        if len(values) != len(names):
            raise EdgeConfigError(
                f'{field} has {len(values)} entries but edge_names has {len(names)}: '
                'give one per edge')
    optional = {}
    for field, values in (('edge_tls_ca', tls_ca), ('edge_tls_cert', tls_cert),
                          ('edge_tls_key', tls_key)):
        if values and len(values) != len(names):
            raise EdgeConfigError(
                f'{field} has {len(values)} entries but edge_names has {len(names)}: '
                "leave it empty or give one per edge ('' for a plaintext edge)")
        optional[field] = list(values) or [''] * len(names)
    seen = set()
    edges = []
    for i, name in enumerate(names):
        if not name.strip():
            raise EdgeConfigError(f'edge_names[{i}] is empty')
        if name in seen:
            raise EdgeConfigError(f"edge name '{name}' appears twice in edge_names")
        seen.add(name)
        try:
            edge = EdgeEndpoint(
                name=name, address=check_address(addresses[i]), color=colors[i],
                tls_ca=_existing_file(optional['edge_tls_ca'][i], 'tls_ca'),
                tls_cert=_existing_file(optional['edge_tls_cert'][i], 'tls_cert'),
                tls_key=_existing_file(optional['edge_tls_key'][i], 'tls_key'))
            parse_color(edge.color)
            if (edge.tls_cert is None) != (edge.tls_key is None):
                raise EdgeConfigError('tls_cert and tls_key go together: give both or neither')
        except EdgeConfigError as error:
            raise EdgeConfigError(f"edge '{name}': {error}") from None
        edges.append(edge)
    return edges


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
        raise EdgeConfigError(f"local_edge_name '{name}' is also in edge_names: the local "
                              'standby edge needs a name of its own')
    try:
        parse_color(color)
        return EdgeEndpoint(name=name, address=check_address(address), color=color)
    except EdgeConfigError as error:
        raise EdgeConfigError(f"local edge '{name}': {error}") from None
