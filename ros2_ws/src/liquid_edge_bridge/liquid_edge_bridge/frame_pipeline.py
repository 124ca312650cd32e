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
Newest-frame-wins request pipeline: a few requests in flight, stale frames dropped.

Pure logic. Up to `max_in_flight` requests are outstanding at once; a frame arriving when
every slot is busy waits as the single pending frame, replacing (dropping) an older pending
one, so frames are never queued behind a slow edge. A result is published only when its
frame is newer than the last published one. Frames are ordered by arrival, which is the
camera's stamp order, and stays right when a camera sends zero or repeated stamps.
"""
from dataclasses import dataclass
from typing import Any, Dict, Optional


@dataclass(frozen=True)
class InFlight:
    """One request: its id (sent to and echoed by the edge) and the frame it carries."""

    request_id: str
    sequence: int
    frame: Any


@dataclass(frozen=True)
class Finished:
    """Outcome of `FramePipeline.finish`."""

    request: Optional[InFlight]  # None when the id was not in flight (already finished)
    publish: bool                # a success newer than every published result
    next_request: Optional[InFlight]  # the pending frame, now sent in the freed slot


class FramePipeline:
    """Slots, request ids and drop accounting of the frames sent to the edge."""

    def __init__(self, max_in_flight: int):
        if max_in_flight < 1:
            raise ValueError(f'max_in_flight must be at least 1, got {max_in_flight}')
        self.max_in_flight = max_in_flight
        self._in_flight: Dict[str, InFlight] = {}
        self._pending: Optional[InFlight] = None
        self._next_sequence = 1
        self._issued_requests = 0
        self._last_published = 0
        self.frames_dropped = 0
        self.results_dropped = 0

    @property
    def in_flight(self) -> int:
        """Return the number of requests outstanding."""
        return len(self._in_flight)

    @property
    def has_pending(self) -> bool:
        """Tell whether a frame waits for a free slot."""
        return self._pending is not None

    def offer(self, frame: Any) -> Optional[InFlight]:
        """Take a new camera frame; returns the request to send now, or None if it waits."""
        request = InFlight(self._new_request_id(), self._next_sequence, frame)
        self._next_sequence += 1
        if self._pending is not None:
            self.frames_dropped += 1
            self._pending = None
        if len(self._in_flight) < self.max_in_flight:
            self._in_flight[request.request_id] = request
            return request
        self._pending = request
        return None

    def finish(self, request_id: str, succeeded: bool) -> Finished:
        """Close a request; says whether to publish its result and what to send next."""
        request = self._in_flight.pop(request_id, None)
        publish = False
        if request is not None and succeeded:
            if request.sequence > self._last_published:
                self._last_published = request.sequence
                publish = True
            else:
                self.results_dropped += 1
        return Finished(request, publish, self._dispatch_pending())

    def resend(self, request: InFlight) -> Optional[InFlight]:
        """
        Send a failed request's frame again (to another edge) if it is still the newest.

        Returns the new request, or None when a newer frame is pending or was published, or
        no slot is free.
        """
        if (self._pending is not None or request.sequence <= self._last_published
                or len(self._in_flight) >= self.max_in_flight
                or request.sequence < self._next_sequence - 1):
            return None
        retry = InFlight(self._new_request_id(), request.sequence, request.frame)
        self._in_flight[retry.request_id] = retry
        return retry

    def abandon(self, request_ids) -> Optional[InFlight]:
        """
        Give up requests to an edge that failed, so their slots do not wait for their deadline.

        Their results, if any still come, are ignored. Returns what to send now in a freed
        slot: the pending frame, else the newest abandoned frame again if it is still the
        newest frame and unpublished; None when nothing was abandoned or nothing is to send.
        """
        abandoned = [self._in_flight.pop(request_id) for request_id in request_ids
                     if request_id in self._in_flight]
        if not abandoned:
            return None
        if self._pending is not None:
            return self._dispatch_pending()
        return self.resend(max(abandoned, key=lambda request: request.sequence))

    def cancel(self, request_id: str) -> None:
        """Forget a request that could not be sent; its slot is freed, nothing dispatched."""
        self._in_flight.pop(request_id, None)

    def drop_pending(self) -> None:
        """Drop the waiting frame (no edge to send it to)."""
        if self._pending is not None:
            self.frames_dropped += 1
            self._pending = None

    def _dispatch_pending(self) -> Optional[InFlight]:
        if self._pending is None or len(self._in_flight) >= self.max_in_flight:
            return None
        request, self._pending = self._pending, None
        self._in_flight[request.request_id] = request
        return request

    def _new_request_id(self) -> str:
        self._issued_requests += 1
        return str(self._issued_requests)
