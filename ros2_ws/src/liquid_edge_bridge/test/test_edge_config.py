"""Edge list parsing: every bad entry gives a clear error naming the edge and the fix."""
from liquid_edge_bridge.edge_config import (EdgeConfigError, parse_color, parse_edges,
                                            parse_local_edge)
import pytest


def test_valid_list_with_tls_on_one_edge(tmp_path):
    ca = tmp_path / 'ca.pem'
    ca.write_text('ca')
    edges = parse_edges(['edge-a', 'edge-b'], ['127.0.0.1:50051', 'edge-b.local:6000'],
                        ['#00c853', '#2962FF'], tls_ca=['', str(ca)])
    assert [edge.name for edge in edges] == ['edge-a', 'edge-b']
    assert not edges[0].uses_tls and edges[1].uses_tls and edges[1].tls_ca == str(ca)
    assert edges[1].rgb == pytest.approx((0x29 / 255, 0x62 / 255, 1.0))


def test_ipv6_address_is_accepted():
    assert parse_edges(['a'], ['[::1]:50051'], ['#000000'])[0].address == '[::1]:50051'


@pytest.mark.parametrize('address,message', [
    ('127.0.0.1', 'not host:port'),
    ('127.0.0.1:0', 'outside 1..65535'),
    ('127.0.0.1:70000', 'outside 1..65535'),
    ('http://edge:50051', 'not host:port'),
    ('', 'not host:port'),
])
def test_bad_address_names_the_edge(address, message):
    with pytest.raises(EdgeConfigError, match=f"edge 'a': .*{message}"):
        parse_edges(['a'], [address], ['#ffffff'])


def test_bad_colour():
    with pytest.raises(EdgeConfigError, match="edge 'a': colour 'green'"):
        parse_edges(['a'], ['h:1'], ['green'])
    assert parse_color('#ff0000') == (1.0, 0.0, 0.0)


def test_lengths_must_match():
    with pytest.raises(EdgeConfigError, match='edge_addresses has 1 entries but edge_names has 2'):
        parse_edges(['a', 'b'], ['h:1'], ['#000000', '#000000'])
    with pytest.raises(EdgeConfigError, match='edge_tls_ca has 1 entries'):
        parse_edges(['a', 'b'], ['h:1', 'h:2'], ['#000000'] * 2, tls_ca=['x'])


def test_empty_duplicate_and_missing_names():
    with pytest.raises(EdgeConfigError, match='at least one edge'):
        parse_edges([], [], [])
    with pytest.raises(EdgeConfigError, match='appears twice'):
        parse_edges(['a', 'a'], ['h:1', 'h:2'], ['#000000'] * 2)
    with pytest.raises(EdgeConfigError, match=r'edge_names\[0\] is empty'):
        parse_edges([' '], ['h:1'], ['#000000'])


def test_tls_files_must_exist_and_cert_goes_with_key(tmp_path):
    with pytest.raises(EdgeConfigError, match="tls_ca file '/nonexistent/ca.pem' does not"):
        parse_edges(['a'], ['h:1'], ['#000000'], tls_ca=['/nonexistent/ca.pem'])
    cert = tmp_path / 'cert.pem'
    cert.write_text('cert')
    with pytest.raises(EdgeConfigError, match='tls_cert and tls_key go together'):
        parse_edges(['a'], ['h:1'], ['#000000'], tls_cert=[str(cert)])


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
