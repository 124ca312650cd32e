"""Command-line options every edge service shares, with environment-variable defaults."""
import argparse
import math
import os
from pathlib import Path

from liquid_edge.identity import DEFAULT_COLOR, EdgeIdentity, local_identity, parse_color
from liquid_edge.logs import configure_logging
from liquid_edge.server import ServerSettings

DEFAULT_MAX_PIXELS = 4096 * 4096
DEFAULT_MAX_IN_FLIGHT = 16


def usable_cores(cgroup_root: Path = Path('/sys/fs/cgroup')) -> int:
    """Return the CPU cores this process may use: its affinity, capped by a cgroup v2 quota.

    ``os.cpu_count()`` reports the host's cores, also in a container given a CPU limit, where
    one detector per host core would only queue for the quota (Python 3.13's
    ``os.process_cpu_count`` sees affinity but not quotas either).
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, 'sched_getaffinity') else (
        os.cpu_count() or 1)
    try:
        quota, period = (cgroup_root / 'cpu.max').read_text().split()[:2]
    except (OSError, ValueError):
        return cores
    if quota == 'max':
        return cores
    return max(1, min(cores, math.ceil(int(quota) / int(period))))


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows defaults, except where there is none to show (the help text says what applies)."""

    def _get_help_string(self, action):
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def service_parser(description: str, port: int, metrics_port: int, *,
                   in_flight_help: str = f'default: {DEFAULT_MAX_IN_FLIGHT}'
                   ) -> argparse.ArgumentParser:
    """Return a parser with the options every service has; the caller adds its own.

    A service whose --max-in-flight default is not DEFAULT_MAX_IN_FLIGHT sets it before
    settings_from_args and says how in ``in_flight_help``.
    """
    parser = argparse.ArgumentParser(
        description=description, formatter_class=_HelpFormatter)
    server = parser.add_argument_group('server')
    server.add_argument('--host', default='0.0.0.0', help='address to listen on')
    server.add_argument('--port', type=int, default=port, help='gRPC port (0 = any free port)')
    server.add_argument('--metrics-port', type=int, default=metrics_port,
                        help='Prometheus metrics HTTP port (0 = no metrics endpoint)')
    server.add_argument('--max-in-flight', type=int, default=None,
                        help=f'detection requests handled at once; more are refused with '
                             f'RESOURCE_EXHAUSTED ({in_flight_help})')
    server.add_argument('--max-workers', type=int, default=None,
                        help='server threads (default: max in flight + 4, the extra ones '
                             'answer health checks under load)')
    server.add_argument('--max-message-bytes', type=int, default=4 * 1024 * 1024,
                        help='largest request accepted (RESOURCE_EXHAUSTED beyond)')
    server.add_argument('--max-pixels', type=int, default=DEFAULT_MAX_PIXELS,
                        help='largest image accepted, width x height (RESOURCE_EXHAUSTED '
                             'beyond)')
    server.add_argument('--drain-seconds', type=float, default=5.0,
                        help='on SIGTERM: seconds of NOT_SERVING before stopping, and the '
                             'grace given to requests still in flight')
    server.add_argument('--log-level', default=os.environ.get('LOG_LEVEL', 'INFO'),
                        choices=['DEBUG', 'INFO', 'WARNING', 'ERROR'],
                        help='log level (env LOG_LEVEL); logs are JSON lines on stderr')
    identity = parser.add_argument_group('edge identity')
    identity.add_argument('--site', default=os.environ.get('EDGE_SITE'),
                          help='edge site name reported in answers (env EDGE_SITE; default: '
                               'the host name)')
    identity.add_argument('--color', default=os.environ.get('EDGE_COLOR', DEFAULT_COLOR),
                          type=_colour_argument,
                          help="the site's display colour, #rrggbb (env EDGE_COLOR)")
    return parser


def _colour_argument(text: str) -> str:
    try:
        return parse_color(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def add_worker_arguments(parser: argparse.ArgumentParser, what: str, *,
                         workers_help: str = 'default: CPU cores',
                         threads_help: str = 'default: 1') -> None:
    """Add --workers and --opencv-threads, the concurrency options of a detector service.

    Both default to None; the service says in the ``*_help`` texts what it then uses.
    """
    group = parser.add_argument_group('concurrency')
    group.add_argument('--workers', type=positive_int,
                       help=f'{what} working in parallel ({workers_help})')
    group.add_argument('--opencv-threads', type=positive_int,
                       help=f'threads one detection may use: cv2.setNumThreads, ONNX Runtime '
                            f'intra-op threads ({threads_help}); workers x threads should not '
                            f'exceed the cores')


def positive_int(text: str) -> int:
    """Argparse type: an integer >= 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be >= 1, got {value}')
    return value


def settings_from_args(parser: argparse.ArgumentParser,
                       args: argparse.Namespace) -> tuple[ServerSettings, EdgeIdentity]:
    """Configure logging and return the server settings and identity the options give.

    Invalid combinations end the program through ``parser.error`` with the reason.
    """
    configure_logging(args.log_level)
    if args.max_pixels < 1:
        parser.error(f'--max-pixels must be >= 1, got {args.max_pixels}')
    max_in_flight = (DEFAULT_MAX_IN_FLIGHT if args.max_in_flight is None
                     else args.max_in_flight)
    try:
        settings = ServerSettings(
            host=args.host, port=args.port, metrics_port=args.metrics_port or None,
            max_in_flight=max_in_flight,
            max_workers=args.max_workers or max_in_flight + 4,
            max_message_bytes=args.max_message_bytes, drain_seconds=args.drain_seconds)
    except ValueError as error:
        parser.error(str(error))
    return settings, local_identity(args.site, args.color)
