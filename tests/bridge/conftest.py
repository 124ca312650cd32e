"""Fixtures of the bridge tests: rigs and edges cleaned up (ros_context: liquid_edge_toolkit)."""
import itertools

from bridge_harness import BridgeRig, ScriptedEdge
import pytest

_namespaces = itertools.count()


@pytest.fixture
def make_rig(ros_context):
    """Build BridgeRigs in a namespace of their own; all closed after the test."""
    rigs = []

    def make(edges, **parameters):
        rig = BridgeRig(ros_context, f'/bridge_test_{next(_namespaces)}', edges, **parameters)
        rigs.append(rig)
        return rig

    yield make
    for rig in rigs:
        rig.close()


@pytest.fixture
def scripted_edges():
    """Start ScriptedEdges on loopback; all stopped after the test."""
    edges = []

    def start(site, color, delay_s=0.01, credentials=None):
        edge = ScriptedEdge(site, color, delay_s, credentials).start()
        edges.append(edge)
        return edge

    yield start
    for edge in edges:
        edge.stop()
