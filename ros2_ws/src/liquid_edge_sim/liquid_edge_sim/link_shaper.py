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
A shaping TCP relay on loopback: the radio link between the robot and one edge, simulated.

The bridge connects to the relay's 127.0.0.1 port instead of the edge's; every byte goes
through real TCP both sides and arrives intact, but when the `LinkSchedule` says so:

- *bandwidth*: each direction is one serial link shared by every connection through the
  relay; a burst (one socket read, at most 16 KiB) leaves when the link is free and takes
  size / rate to go out. The relay reads no faster than that, so the sender's TCP feels the
  bottleneck as back-pressure, as it would on a radio link.
- *delay and jitter*: a burst arrives its one-way delay after it went out, plus a jitter
  drawn uniformly in +-jitter per burst; bytes of one connection never overtake each other
  (TCP delivers in order), so jitter only ever delays.
- *loss*, modelled as TCP lives it: a lost segment (1448 bytes, each lost with the phase's
  probability) is not missing from the stream, it arrives late, and everything behind it on
  that connection waits for it (head-of-line blocking). With 3 or more segments behind it in
  the burst, duplicate ACKs trigger fast retransmit and it arrives one round trip late; at
  the tail of a burst nothing triggers them and the tail-loss probe (RFC 8985) resends it
  after two round trips, at least 10 ms. Round trip = the phase's two one-way delays.
- *outage*: nothing passes. Bytes already in the relay wait, new bytes are not read (the
  senders' TCP stalls), and a new connection gets no upstream connection until the link is
  back; so calls hit their deadline, as over a radio link that is gone. When the outage ends,
  what waited is delivered.

No library does this portably: toxiproxy needs its Go server binary, tcconfig and pynetem
drive Linux `tc`/netem (root, a network namespace); this relay is pure asyncio and runs
unprivileged on any laptop. `clock` gives the *schedule* time (injected in tests to pick a
phase); the delays themselves are real time, as TCP needs.
"""
import asyncio
import math
import random
import socket
import threading
import time
from typing import Callable, Dict, List, Optional, Tuple

from liquid_edge_sim.link_schedule import DirectionShape, LinkSchedule, PhaseAt

MSS_BYTES = 1448
# One socket read: the unit of bandwidth accounting, delay and jitter (a few ms at 40 Mbit/s).
_BURST_BYTES = 16384
# How often a link in outage looks at the schedule clock again.
_OUTAGE_POLL_S = 0.005
# Tail-loss probe floor, as Linux's (RFC 8985: PTO = max(2 SRTT, 10 ms)).
_MIN_PROBE_TIMEOUT_S = 0.010
_START_TIMEOUT_S = 10.0


def retransmission_delay_s(round_trip_s: float, segments_after: int) -> float:
    """
    Return how much later a lost TCP segment arrives than it would have without the loss.

    Fast retransmit (3 duplicate ACKs from the segments after it): one round trip. At the
    tail (fewer than 3 segments after it): the tail-loss probe, max(2 round trips, 10 ms).
    """
    if round_trip_s < 0.0:
        raise ValueError(f'round trip must not be negative, got {round_trip_s} s')
    if segments_after >= 3:
        return round_trip_s
    return max(2.0 * round_trip_s, _MIN_PROBE_TIMEOUT_S)


def split_at_losses(size: int, lost: List[bool], round_trip_s: float
                    ) -> List[Tuple[int, int, float]]:
    """
    Cut a burst of `size` bytes at its lost segments.

    `lost[i]` says whether segment i (bytes i*MSS up to (i+1)*MSS) is lost. Returns
    (start, end, extra delay) pieces in order: each piece from a lost segment on waits for
    that segment's retransmission (and for any earlier one).
    """
    segments = math.ceil(size / MSS_BYTES)
    if len(lost) != segments:
        raise ValueError(f'{size} bytes are {segments} segments, got {len(lost)} loss flags')
    pieces, start, extra = [], 0, 0.0
    for index, is_lost in enumerate(lost):
        if not is_lost:
            continue
        if index * MSS_BYTES > start:
            pieces.append((start, index * MSS_BYTES, extra))
        start = index * MSS_BYTES
        extra = max(extra, retransmission_delay_s(round_trip_s, segments - index - 1))
    pieces.append((start, size, extra))
    return pieces


class _SerialLink:
    """One direction of the radio: the time it is busy until (loop time, s)."""

    def __init__(self):
        self.free_at = 0.0
        self.bytes = 0
        self.segments = 0
        self.segments_lost = 0


class LinkShaper:
    """
    Relay 127.0.0.1:<port> to `upstream` through the link of `schedule`.

    Use as a context manager or `start()`/`stop()`; `address` is what the client dials.
    Schedule time is `clock() - origin`; `origin` defaults to `clock()` at `start()` (give
    the run's start to keep several links and a timeline on one schedule). `seed` makes
    jitter and loss repeatable.
    """

    def __init__(self, upstream: str, schedule: LinkSchedule, *,
                 clock: Callable[[], float] = time.monotonic, origin: Optional[float] = None,
                 seed: int = 0, host: str = '127.0.0.1', port: int = 0):
        """Check the upstream address; nothing listens before `start()`."""
        up_host, _, up_port = upstream.rpartition(':')
        if not up_host or not up_port.isdigit():
            raise ValueError(f"upstream must be host:port, got '{upstream}'")
        self.upstream = (up_host, int(up_port))
        self.schedule = schedule
        self._clock = clock
        self._random = random.Random(seed)
        self._host, self._port = host, port
        self._origin = origin
        self._links: Dict[str, _SerialLink] = {'up': _SerialLink(), 'down': _SerialLink()}
        self._loop: Optional[asyncio.AbstractEventLoop] = None
        self._thread: Optional[threading.Thread] = None
        self._server: Optional[asyncio.AbstractServer] = None
        self._tasks = set()
        self._ready = threading.Event()
        self._start_error: Optional[BaseException] = None
        self.connections = 0

    @property
    def address(self) -> str:
        """Return `127.0.0.1:port` of the relay once started."""
        if self._server is None:
            raise RuntimeError('the link shaper is not started')
        return f'{self._host}:{self._port}'

    def phase(self) -> PhaseAt:
        """Return the phase in force now, by the schedule clock."""
        return self.schedule.phase_at(self._clock() - (self._origin or 0.0))

    def stats(self, direction: str) -> Dict[str, int]:
        """Return bytes, segments and lost segments relayed in 'up' or 'down' so far."""
        link = self._links[direction]
        return {'bytes': link.bytes, 'segments': link.segments,
                'segments_lost': link.segments_lost}

    def start(self) -> 'LinkShaper':
        """Listen on the relay port and return once it accepts connections."""
        if self._thread is not None:
            raise RuntimeError('the link shaper is already started')
        if self._origin is None:
            self._origin = self._clock()
        self._thread = threading.Thread(target=self._run, name='link-shaper', daemon=True)
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT_S):
            raise RuntimeError('the link shaper did not start listening')
        if self._start_error is not None:
            raise RuntimeError(f'the link shaper cannot listen on {self._host}:{self._port}: '
                               f'{self._start_error}') from self._start_error
        return self

    def stop(self) -> None:
        """Close every relayed connection and the listening port."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            loop.call_soon_threadsafe(lambda: loop.create_task(self._shutdown()))
        thread.join(_START_TIMEOUT_S)
        self._thread = None

    def __enter__(self) -> 'LinkShaper':
        """Start the relay."""
        return self.start()

    def __exit__(self, *exc_info) -> None:
        """Stop the relay."""
        self.stop()

    # Event loop thread ---------------------------------------------------------------------

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(asyncio.start_server(
                self._on_connection, self._host, self._port))
            self._port = self._server.sockets[0].getsockname()[1]
        except OSError as error:
            self._start_error = error
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._server.wait_closed()
        asyncio.get_running_loop().stop()

    def _track(self, coroutine) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _on_connection(self, client_reader: asyncio.StreamReader,
                             client_writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        self._tasks.add(task)
        self.connections += 1
        upstream_writer = None
        try:
            await self._link_up()  # no connection is made through a link that is gone
            try:
                upstream_reader, upstream_writer = await asyncio.open_connection(
                    *self.upstream)
            except OSError:
                return  # the edge refuses: the client sees its connection closed
            for writer in (client_writer, upstream_writer):
                writer.get_extra_info('socket').setsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            await asyncio.gather(
                self._pump(client_reader, upstream_writer, 'up'),
                self._pump(upstream_reader, client_writer, 'down'))
        except (OSError, asyncio.IncompleteReadError):
            # One side closed abruptly (reset, or gone before its EOF could be passed on):
            # close the other, as a broken path would.
            pass
        except asyncio.CancelledError:
            pass  # the relay stops: this connection task ends here, quietly
        finally:
            for writer in (client_writer, upstream_writer):
                if writer is not None:
                    writer.close()
            self._tasks.discard(task)

    async def _link_up(self) -> PhaseAt:
        """Wait until the schedule is out of an outage; return the phase then."""
        while True:
            at = self.phase()
            if not at.phase.outage:
                return at
            await asyncio.sleep(_OUTAGE_POLL_S)

    async def _pump(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    direction: str) -> None:
        """Carry one direction of one connection through the shaped link."""
        loop = asyncio.get_running_loop()
        link = self._links[direction]
        queue: asyncio.Queue = asyncio.Queue()
        deliverer = self._track(self._deliver(queue, writer))
        last_arrival = 0.0
        try:
            while True:
                data = await reader.read(_BURST_BYTES)
                if not data:
                    break
                at = await self._link_up()
                shape: DirectionShape = getattr(at.phase, direction)
                now = loop.time()
                departure = max(now, link.free_at) + shape.transmission_s(len(data))
                link.free_at = departure
                if departure > now:
                    await asyncio.sleep(departure - now)
                delay = max(0.0, shape.delay_s + self._random.uniform(-shape.jitter_s,
                                                                      shape.jitter_s))
                for start, end, extra in self._pieces(data, shape, at.phase.round_trip_s,
                                                      link):
                    last_arrival = max(last_arrival, departure + delay + extra)
                    queue.put_nowait((last_arrival, data[start:end]))
                link.bytes += len(data)
        finally:
            queue.put_nowait(None)
        await deliverer

    def _pieces(self, data: bytes, shape: DirectionShape, round_trip_s: float,
                link: _SerialLink) -> List[Tuple[int, int, float]]:
        segments = math.ceil(len(data) / MSS_BYTES)
        lost = [shape.loss > 0.0 and self._random.random() < shape.loss
                for _ in range(segments)]
        link.segments += segments
        link.segments_lost += sum(lost)
        return split_at_losses(len(data), lost, round_trip_s)

    async def _deliver(self, queue: asyncio.Queue, writer: asyncio.StreamWriter) -> None:
        """Write each piece when it arrives at the far end, in order; EOF at the end."""
        loop = asyncio.get_running_loop()
        while True:
            item = await queue.get()
            if item is None:
                if writer.can_write_eof():
                    writer.write_eof()
                return
            arrival, data = item
            if arrival > loop.time():
                await asyncio.sleep(arrival - loop.time())
            await self._link_up()
            writer.write(data)
            await writer.drain()
