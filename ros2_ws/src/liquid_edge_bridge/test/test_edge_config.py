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

"""Edge list parsing: every bad entry gives a clear error naming the edge and the fix."""
from liquid_edge_bridge.edge_config import (EdgeConfigError, parse_color, parse_edges,
                                            parse_local_edge)
import pytest


def edge(address='h:1', color='#000000', **tls):
    """Return one edge's keys as the node reads them."""
    return {'address': address, 'color': color,
            **{f'tls.{key}': value for key, value in tls.items()}}


def test_valid_list_with_tls_on_one_edge(tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('ca')
    edges = parse_edges(['edge-a', 'edge-b'], {
        'edge-a': edge('127.0.0.1:50051', '#00c853'),
        'edge-b': edge('edge-b.local:6000', '#2962FF', ca=str(ca))})
    assert [e.name for e in edges] == ['edge-a', 'edge-b']
    assert not edges[0].uses_tls and edges[1].uses_tls and edges[1].tls_ca == str(ca)
    assert edges[1].rgb == pytest.approx((0x29 / 255, 0x62 / 255, 1.0))


def test_ipv6_address_is_accepted():
    assert parse_edges(['a'], {'a': edge('[::1]:50051')})[0].address == '[::1]:50051'


@pytest.mark.parametrize('address,message', [
    ('127.0.0.1', 'not host:port'),
    ('127.0.0.1:0', 'outside 1..65535'),
    ('127.0.0.1:70000', 'outside 1..65535'),
    ('http://edge:50051', 'not host:port'),
])
def test_bad_address_names_the_edge(address, message):
    with pytest.raises(EdgeConfigError, match=f"edge 'a': .*{message}"):
        parse_edges(['a'], {'a': edge(address, '#ffffff')})


def test_bad_colour():
    with pytest.raises(EdgeConfigError, match="edge 'a': colour 'green'"):
        parse_edges(['a'], {'a': edge(color='green')})
    assert parse_color('#ff0000') == (1.0, 0.0, 0.0)


def test_address_and_colour_are_required_per_edge():
    with pytest.raises(EdgeConfigError, match="edge 'b': b.address is not set"):
        parse_edges(['a', 'b'], {'a': edge()})
    with pytest.raises(EdgeConfigError, match="edge 'a': a.color is not set"):
        parse_edges(['a'], {'a': edge(color='')})


def test_empty_duplicate_and_missing_names():
    with pytest.raises(EdgeConfigError, match='at least one edge'):
        parse_edges([], {})
    with pytest.raises(EdgeConfigError, match='appears twice'):
        parse_edges(['a', 'a'], {'a': edge()})
    with pytest.raises(EdgeConfigError, match=r'edges\[0\] is empty'):
        parse_edges([' '], {})


def test_tls_files_must_exist_and_cert_goes_with_key(tmp_path):
    with pytest.raises(EdgeConfigError, match="tls.ca file '/nonexistent/ca.pem' does not"):
        parse_edges(['a'], {'a': edge(ca='/nonexistent/ca.pem')})
    cert = tmp_path / 'cert.pem'
    cert.write_text('cert')
    with pytest.raises(EdgeConfigError, match='tls.cert and tls.key go together'):
        parse_edges(['a'], {'a': edge(cert=str(cert))})


def test_the_local_edge_is_optional_and_checked_like_the_others():
    assert parse_local_edge('local', '', '#ffab00', ['edge-a']) is None
    local = parse_local_edge('local', '127.0.0.1:50061', '#ffab00', ['edge-a'])
    assert (local.name, local.address, local.uses_tls) == ('local', '127.0.0.1:50061', False)
    with pytest.raises(EdgeConfigError, match="local edge 'local': address 'nowhere'"):
        parse_local_edge('local', 'nowhere', '#ffab00', ['edge-a'])
    with pytest.raises(EdgeConfigError, match="local edge 'local': colour 'amber'"):
        parse_local_edge('local', '127.0.0.1:50061', 'amber', ['edge-a'])
    with pytest.raises(EdgeConfigError, match='needs a name of its own'):
        parse_local_edge('edge-a', '127.0.0.1:50061', '#ffab00', ['edge-a'])
    with pytest.raises(EdgeConfigError, match='local_edge_name is empty'):
        parse_local_edge(' ', '127.0.0.1:50061', '#ffab00', ['edge-a'])
