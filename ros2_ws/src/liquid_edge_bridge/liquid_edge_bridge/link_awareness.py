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
What the operating system knows of each network interface, and when a link is degrading.

`ProcLinkSource` reads Linux's own counters, no tool needed: `/proc/net/dev` (bytes, packets,
errors, drops per interface), `/proc/net/wireless` (Wi-Fi link quality and signal level,
dBm) and `/sys/class/net/<if>/speed` (negotiated rate, Mbit/s, where the driver says: wired
links). A Wi-Fi bit rate is known only to nl80211 (what `iw` asks), so it is None here. The
source reads under a root directory, so tests give it a fake tree; `LinkSource` is the
interface the bridge's diagnostics take (tests give a fake of it).

`DegradationRule` is pure: from two readings of one interface it says whether the link is
going bad (signal under a floor, or errors and drops over a fraction of the packets), so the
edge selector can leave it before its deadlines start to miss.
"""
import abc
from dataclasses import dataclass
import os
from typing import Dict, Optional, Tuple


@dataclass(frozen=True)
class InterfaceReading:
    """One interface at one time: counters since boot, and Wi-Fi figures where it has them."""

    name: str
    rx_bytes: int
    rx_packets: int
    rx_errors: int
    rx_drops: int
    tx_bytes: int
    tx_packets: int
    tx_errors: int
    tx_drops: int
    speed_mbit: Optional[float] = None
    wireless: bool = False
    link_quality: Optional[float] = None
    signal_dbm: Optional[float] = None

    @property
    def packets(self) -> int:
        """Return the packets received and sent."""
        return self.rx_packets + self.tx_packets

    @property
    def faults(self) -> int:
        """Return the errors and drops, both directions."""
        return self.rx_errors + self.rx_drops + self.tx_errors + self.tx_drops


def parse_proc_net_dev(text: str) -> Dict[str, Tuple[int, ...]]:
    """
    Parse /proc/net/dev: interface to its 16 counters.

    Receive: bytes packets errs drop fifo frame compressed multicast; transmit: bytes packets
    errs drop fifo colls carrier compressed. ValueError on a line that is not that.
    """
    counters = {}
    for line in text.splitlines()[2:]:
        if not line.strip():
            continue
        name, sep, values = line.partition(':')
        fields = values.split()
        if not sep or len(fields) != 16 or not all(f.isdigit() for f in fields):
            raise ValueError(f'/proc/net/dev line is not an interface and 16 counters: {line!r}')
        counters[name.strip()] = tuple(int(f) for f in fields)
    return counters


def parse_proc_net_wireless(text: str) -> Dict[str, Tuple[float, float]]:
    """Parse /proc/net/wireless: interface to (link quality, signal level in dBm)."""
    wireless = {}
    for line in text.splitlines()[2:]:
        name, sep, values = line.partition(':')
        fields = values.split()
        if not sep or len(fields) < 3:
            continue
        try:
            wireless[name.strip()] = (float(fields[1].rstrip('.')), float(fields[2].rstrip('.')))
        except ValueError:
            raise ValueError(f'/proc/net/wireless line has no quality and level: {line!r}') \
                from None
    return wireless


class LinkSource(abc.ABC):
    """Where interface readings come from."""

    @abc.abstractmethod
    def read(self) -> Dict[str, InterfaceReading]:
        """Return a reading of every interface, by name."""


class ProcLinkSource(LinkSource):
    """Readings from /proc and /sys under `root` ('/' on the robot)."""

    def __init__(self, root: str = '/'):
        """Read under `root`."""
        self.root = root

    def read(self) -> Dict[str, InterfaceReading]:
        """Read /proc/net/dev, /proc/net/wireless and each interface's speed."""
        dev = self._text('proc/net/dev')
        if dev is None:
            raise OSError(f'{os.path.join(self.root, "proc/net/dev")} cannot be read: '
                          'interface counters need Linux')
        wireless = parse_proc_net_wireless(self._text('proc/net/wireless') or '')
        readings = {}
        for name, c in parse_proc_net_dev(dev).items():
            quality, signal = wireless.get(name, (None, None))
            readings[name] = InterfaceReading(
                name=name, rx_bytes=c[0], rx_packets=c[1], rx_errors=c[2], rx_drops=c[3],
                tx_bytes=c[8], tx_packets=c[9], tx_errors=c[10], tx_drops=c[11],
                speed_mbit=self._speed(name), wireless=name in wireless,
                link_quality=quality, signal_dbm=signal)
        return readings

    def _speed(self, name: str) -> Optional[float]:
        text = self._text(f'sys/class/net/{name}/speed')
        try:
            speed = float(text) if text else None
        except ValueError:
            return None
        # The kernel says -1 (or fails the read) when the driver does not know.
        return speed if speed is not None and speed > 0 else None

    def _text(self, relative: str) -> Optional[str]:
        try:
            with open(os.path.join(self.root, relative), encoding='ascii') as file:
                return file.read()
        except OSError:
            return None


@dataclass(frozen=True)
class DegradationRule:
    """When a link counts as degrading: signal floor (dBm), fault fraction of packets."""

    min_signal_dbm: float = -75.0
    max_fault_rate: float = 0.02
    min_packets: int = 50

    def assess(self, previous: InterfaceReading, current: InterfaceReading) -> Optional[str]:
        """Return why the link is degrading between two readings, or None when it is fine."""
        if current.signal_dbm is not None and current.signal_dbm < self.min_signal_dbm:
            return (f'{current.name}: signal {current.signal_dbm:.0f} dBm is under '
                    f'{self.min_signal_dbm:.0f} dBm')
        packets = current.packets - previous.packets
        faults = current.faults - previous.faults
        # Too few packets say nothing; counters going back mean the interface was reset.
        if packets >= self.min_packets and faults >= 0:
            rate = faults / (packets + faults)
            if rate > self.max_fault_rate:
                return (f'{current.name}: {rate:.1%} of packets lost to errors and drops '
                        f'(over {self.max_fault_rate:.1%})')
        return None


@dataclass(frozen=True)
class InterfaceReport:
    """One watched interface at one reading: the reading (None: gone) and why it degrades."""

    name: str
    reading: Optional[InterfaceReading]
    degrading: Optional[str]


class InterfaceWatch:
    """Read the watched interfaces from a source and judge each against its last reading."""

    def __init__(self, source: LinkSource, interfaces: Tuple[str, ...],
                 rule: DegradationRule = DegradationRule()):
        """Watch `interfaces` (names as the OS gives them) from `source`."""
        if not interfaces:
            raise ValueError('an interface watch needs at least one interface')
        self.source, self.interfaces, self.rule = source, tuple(interfaces), rule
        self._previous: Dict[str, InterfaceReading] = {}

    def poll(self) -> Tuple[InterfaceReport, ...]:
        """Read every watched interface once; OSError when the source cannot be read."""
        readings = self.source.read()
        reports = []
        for name in self.interfaces:
            current = readings.get(name)
            previous = self._previous.get(name)
            degrading = (self.rule.assess(previous, current)
                         if current is not None and previous is not None else None)
            if current is not None:
                self._previous[name] = current
            reports.append(InterfaceReport(name, current, degrading))
        return tuple(reports)
