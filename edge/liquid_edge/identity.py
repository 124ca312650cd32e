"""Who answered: the edge site's name and display colour, and the host that served a request."""
from dataclasses import dataclass
import ipaddress
import re
import socket

_COLOUR = re.compile(r'^#[0-9a-fA-F]{6}$')
DEFAULT_COLOR = '#00ff00'


@dataclass(frozen=True)
class EdgeIdentity:
    """Identity reported in every answer: site name, ``#rrggbb`` colour, host name and IPv4."""

    site: str
    color: str
    host: str
    ipv4: str

    @property
    def ipv4_fixed32(self) -> int:
        """Return the IPv4 address as the original protocol's fixed32 (network byte order)."""
        return int(ipaddress.IPv4Address(self.ipv4))


def parse_color(text: str) -> str:
    """Return a ``#rrggbb`` colour in lower case; raise ValueError for anything else."""
    if not _COLOUR.match(text):
        raise ValueError(f'colour {text!r} is not of the form #rrggbb')
    return text.lower()


def host_ipv4(host: str) -> str:
    """Return the IPv4 address ``host`` resolves to, or 127.0.0.1 when it does not resolve."""
    try:
        return socket.gethostbyname(host)
    except OSError:
        return '127.0.0.1'


def local_identity(site: str | None, color: str) -> EdgeIdentity:
    """Identity of this process: ``site`` defaults to the host name; ``color`` is validated."""
    host = socket.gethostname()
    return EdgeIdentity(site=site or host, color=parse_color(color), host=host,
                        ipv4=host_ipv4(host))
