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

import dataclasses

from liquid_edge_bridge.link_awareness import (DegradationRule, InterfaceReading,
                                               InterfaceWatch, LinkSource,
                                               parse_proc_net_dev, ProcLinkSource)
import pytest


class FakeLinkSource(LinkSource):
    """Readings the test sets, as the bridge's diagnostics would read them."""

    def __init__(self, readings):
        self.readings = readings

    def read(self):
        return dict(self.readings)


# As the kernel writes it (two header lines), with the columns' padding shortened.
PROC_NET_DEV = (
    'Inter-|   Receive                            |  Transmit\n'
    ' face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop '
    'fifo colls carrier compressed\n'
    '    lo: 1000 10 0 0 0 0 0 0 1000 10 0 0 0 0 0 0\n'
    ' wlan0: 500000 400 3 1 0 0 0 0 200000 300 2 0 0 0 0 0\n')
PROC_NET_WIRELESS = (
    'Inter-| sta-|   Quality        |   Discarded packets      | Missed | WE\n'
    ' face | tus | link level noise |  nwid crypt frag retry misc | beacon | 22\n'
    ' wlan0: 0000   54.  -56.  -256        0      0      0      0      0        0\n')


@pytest.fixture
def fake_root(tmp_path):
    (tmp_path / 'proc/net').mkdir(parents=True)
    (tmp_path / 'proc/net/dev').write_text(PROC_NET_DEV)
    (tmp_path / 'proc/net/wireless').write_text(PROC_NET_WIRELESS)
    (tmp_path / 'sys/class/net/lo').mkdir(parents=True)
    (tmp_path / 'sys/class/net/wlan0').mkdir(parents=True)
    (tmp_path / 'sys/class/net/wlan0/speed').write_text('-1\n')
    return tmp_path


def test_counters_and_wifi_figures_are_read_from_a_proc_tree(fake_root):
    readings = ProcLinkSource(str(fake_root)).read()
    assert sorted(readings) == ['lo', 'wlan0']
    wlan = readings['wlan0']
    assert (wlan.rx_bytes, wlan.rx_errors, wlan.rx_drops, wlan.tx_packets) == (500000, 3, 1, 300)
    assert wlan.wireless and wlan.signal_dbm == -56.0 and wlan.link_quality == 54.0
    assert wlan.speed_mbit is None  # the driver says -1
    assert not readings['lo'].wireless and readings['lo'].signal_dbm is None


def test_this_machine_reports_loopback():
    readings = ProcLinkSource().read()
    assert 'lo' in readings
    assert readings['lo'].rx_bytes >= 0 and not readings['lo'].wireless


def test_a_missing_proc_says_linux_is_needed(tmp_path):
    with pytest.raises(OSError, match='need Linux'):
        ProcLinkSource(str(tmp_path)).read()


def test_a_garbled_line_is_refused():
    with pytest.raises(ValueError, match='16 counters'):
        parse_proc_net_dev('header\nheader\n eth0: 1 2 3\n')


def reading(**changes):
    base = InterfaceReading('wlan0', 0, 1000, 0, 0, 0, 1000, 0, 0, wireless=True,
                            signal_dbm=-60.0)
    return dataclasses.replace(base, **changes)


def test_a_weak_signal_is_degrading():
    rule = DegradationRule(min_signal_dbm=-75.0)
    assert rule.assess(reading(), reading(signal_dbm=-70.0)) is None
    assert 'under -75 dBm' in rule.assess(reading(), reading(signal_dbm=-80.0))


def test_rising_errors_are_degrading_but_few_packets_say_nothing():
    rule = DegradationRule(max_fault_rate=0.02, min_packets=50)
    before = reading()
    clean = reading(rx_packets=1100, tx_packets=1100)
    assert rule.assess(before, clean) is None
    faulty = reading(rx_packets=1100, tx_packets=1100, rx_errors=5, tx_drops=5)
    assert 'lost to errors and drops' in rule.assess(before, faulty)
    assert rule.assess(before, reading(rx_packets=1010, rx_errors=5)) is None
    # Counters that went back (interface reset) are not a fault rate.
    assert rule.assess(faulty, reading(rx_packets=1200, tx_packets=1200)) is None


def test_the_fake_source_gives_what_the_test_sets():
    source = FakeLinkSource({'wlan0': reading()})
    assert source.read()['wlan0'].signal_dbm == -60.0
    source.readings = {'wlan0': reading(signal_dbm=-90.0)}
    assert source.read()['wlan0'].signal_dbm == -90.0


def test_the_watch_judges_each_interface_against_its_last_reading():
    source = FakeLinkSource({'wlan0': reading(rx_packets=1000)})
    watch = InterfaceWatch(source, ('wlan0', 'eth9'))
    first = watch.poll()
    assert [(r.name, r.reading is not None, r.degrading) for r in first] == [
        ('wlan0', True, None), ('eth9', False, None)]
    source.readings = {'wlan0': reading(rx_packets=1100, rx_errors=50)}
    wlan0, eth9 = watch.poll()
    assert 'of packets lost to errors and drops' in wlan0.degrading
    assert eth9.reading is None and eth9.degrading is None
    with pytest.raises(ValueError, match='at least one interface'):
        InterfaceWatch(source, ())
