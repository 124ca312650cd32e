#!/usr/bin/env python3
"""Container health check: asks a gRPC server's grpc.health.v1 service whether it serves.

Used by the images' HEALTHCHECK and by docker-compose (Kubernetes uses its native gRPC
probes instead). Exit status 0 when the service is SERVING, 1 otherwise, as Docker expects.
"""
import argparse
import sys

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc


def check(target, service, timeout_s):
    """Return the serving status name of ``service`` at ``target``, or the RPC error's code."""
    with grpc.insecure_channel(target) as channel:
        stub = health_pb2_grpc.HealthStub(channel)
        try:
            reply = stub.Check(health_pb2.HealthCheckRequest(service=service), timeout=timeout_s)
        except grpc.RpcError as error:
            return error.code().name
    return health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)


def main(argv=None):
    """Parse the command line, run one check, print the status and exit 0 only when SERVING."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('target', help='host:port of the gRPC server, e.g. 127.0.0.1:50051')
    parser.add_argument('service', nargs='?', default='',
                        help='service name to check; empty (default) means the whole server')
    parser.add_argument('--timeout', type=float, default=2.0,
                        help='deadline of the health RPC in seconds (default 2)')
    args = parser.parse_args(argv)
    if args.timeout <= 0:
        parser.error('--timeout must be positive')
    status = check(args.target, args.service, args.timeout)
    print(f'{args.target} {args.service or "<server>"}: {status}')
    return 0 if status == 'SERVING' else 1


if __name__ == '__main__':
    sys.exit(main())
