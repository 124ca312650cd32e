"""A real edge stack on loopback for tests and the demo: the three commands as subprocesses.

``EdgeStack(site, color)`` runs ``facedetection``, ``yolodetection`` and ``objectdetection``
on free 127.0.0.1 ports (each service binds port 0 and logs the port it got), and returns
from ``start()`` once every one reports SERVING through grpc.health.v1::

    with EdgeStack('edge-a', '#ff0000') as edge:
        channel = grpc.insecure_channel(edge.ingress_address)
"""
import collections
import json
import os
from pathlib import Path
import shutil
import signal
import subprocess
import sys
import threading
import time

import grpc
from grpc_health.v1 import health_pb2, health_pb2_grpc

START_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0
# Seconds of NOT_SERVING before a service stops; short, nothing routes to a test stack.
_DRAIN_SECONDS = '0.2'
_LOG_LINES_KEPT = 200


def _command(name: str) -> str:
    """Path of an edge console script: beside this Python (the venv) first, then on PATH."""
    beside = Path(sys.executable).parent / name
    found = str(beside) if beside.exists() else shutil.which(name)
    if found is None:
        raise FileNotFoundError(f'edge command {name} is not installed '
                                f'(pip install -e edge)')
    return found


class ServiceProcess:
    """One edge command as a subprocess on 127.0.0.1, port chosen by the service.

    Its JSON log lines are read to learn the bound port; ``args`` come after the defaults,
    so they override them (e.g. ``--drain-seconds``).
    """

    def __init__(self, name: str, args: list[str], env: dict[str, str] | None = None):
        self.name = name
        self.port: int | None = None
        self.log_lines: collections.deque[str] = collections.deque(maxlen=_LOG_LINES_KEPT)
        self._port_known = threading.Condition()
        self.process = subprocess.Popen(
            [_command(name), '--host', '127.0.0.1', '--port', '0', '--metrics-port', '0',
             '--drain-seconds', _DRAIN_SECONDS, *args],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE, text=True)
        self._reader = threading.Thread(target=self._read_logs, name=f'{name}-logs',
                                        daemon=True)
        self._reader.start()

    @property
    def address(self) -> str:
        """``127.0.0.1:port`` once the service serves."""
        return f'127.0.0.1:{self.port}'

    def _read_logs(self) -> None:
        for line in self.process.stderr:
            self.log_lines.append(line.rstrip())
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and entry.get('event') == 'serving':
                with self._port_known:
                    self.port = int(entry['port'])
                    self._port_known.notify_all()
        with self._port_known:
            self._port_known.notify_all()

    def wait_serving(self, deadline: float) -> None:
        """Wait for the bound port, then for health SERVING; raise RuntimeError at deadline."""
        with self._port_known:
            self._port_known.wait_for(
                lambda: self.port is not None or self.process.poll() is not None,
                timeout=max(deadline - time.monotonic(), 0))
        if self.port is None:
            raise RuntimeError(self._failure('did not start serving'))
        with grpc.insecure_channel(self.address) as channel:
            health = health_pb2_grpc.HealthStub(channel)
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    raise RuntimeError(self._failure('never reported SERVING'))
                try:
                    status = health.Check(health_pb2.HealthCheckRequest(),
                                          timeout=min(remaining, 2.0), wait_for_ready=True)
                except grpc.RpcError:
                    continue
                if status.status == health_pb2.HealthCheckResponse.SERVING:
                    return

    def _failure(self, what: str) -> str:
        logs = '\n'.join(list(self.log_lines)[-20:])
        return f'{self.name} {what} (exit code {self.process.poll()}); last logs:\n{logs}'

    def terminate(self) -> None:
        """Send SIGTERM (graceful drain) without waiting."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float) -> None:
        """SIGTERM (graceful drain), then SIGKILL if it has not exited within ``timeout``."""
        self.terminate()
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(timeout)

    def kill(self) -> None:
        """SIGKILL: the process dies at once, as a crashed or unreachable edge would."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()


def _address_of(service: ServiceProcess | None) -> str:
    """Return ``127.0.0.1:port`` of a service the stack started; RuntimeError before."""
    if service is None or service.port is None:
        raise RuntimeError('the edge stack is not started')
    return service.address


class EdgeStack:
    """The three edge services of one site, as real subprocesses on 127.0.0.1."""

    def __init__(self, site: str, color: str, *, extra_env: dict[str, str] | None = None):
        self.site = site
        self.color = color
        self._env = {**os.environ, **(extra_env or {})}
        self._face: ServiceProcess | None = None
        self._yolo: ServiceProcess | None = None
        self._ingress: ServiceProcess | None = None

    @property
    def ingress_address(self) -> str:
        """``127.0.0.1:port`` of the ingress (``objectdetection``)."""
        return _address_of(self._ingress)

    @property
    def ingress_pid(self) -> int:
        """Process id of the ingress (e.g. to SIGSTOP it and simulate a hung edge)."""
        if self._ingress is None:
            raise RuntimeError('the edge stack is not started')
        return self._ingress.process.pid

    @property
    def face_address(self) -> str:
        """``127.0.0.1:port`` of the face backend."""
        return _address_of(self._face)

    @property
    def yolo_address(self) -> str:
        """``127.0.0.1:port`` of the YOLO backend."""
        return _address_of(self._yolo)

    def start(self) -> 'EdgeStack':
        """Start the backends, then the ingress; return once all three are SERVING."""
        deadline = time.monotonic() + START_TIMEOUT_S
        identity = ['--site', self.site, '--color', self.color]
        try:
            self._face = ServiceProcess('facedetection', identity, self._env)
            self._yolo = ServiceProcess('yolodetection', identity, self._env)
            self._face.wait_serving(deadline)
            self._yolo.wait_serving(deadline)
            self._ingress = ServiceProcess(
                'objectdetection', [*identity, '--face-host', self._face.address,
                                    '--yolo-host', self._yolo.address], self._env)
            self._ingress.wait_serving(deadline)
        except BaseException:
            self.stop()
            raise
        return self

    def kill(self) -> None:
        """SIGKILL the ingress: the edge stops answering at once, as a dead edge does."""
        if self._ingress is not None:
            self._ingress.kill()

    def stop(self) -> None:
        """Stop every service still running (graceful drain, SIGKILL after a timeout)."""
        services = [s for s in (self._ingress, self._yolo, self._face) if s is not None]
        for service in services:  # all drain at once
            service.terminate()
        for service in services:
            service.stop(STOP_TIMEOUT_S)

    def __enter__(self) -> 'EdgeStack':
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()
