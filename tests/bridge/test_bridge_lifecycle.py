"""The bridge's lifecycle through the standard services, over DDS, against a scripted edge."""
from liquid_edge_toolkit.pytest_plugin import change_state, lifecycle_state
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node

GREEN = '#00c853'


def test_lifecycle_transitions_over_the_standard_services(ros_context, make_rig,
                                                          scripted_edges):
    """Configure opens no call, activate offloads, deactivate stops sending, cleanup resets."""
    edge = scripted_edges('edge-a', GREEN)
    rig = make_rig([('edge-a', edge.address, GREEN)], start=False)
    probe = Node('lifecycle_probe', context=ros_context)
    executor = SingleThreadedExecutor(context=ros_context)
    executor.add_node(probe)
    name = rig.bridge.get_fully_qualified_name()
    try:
        assert lifecycle_state(probe, executor, name) == 'unconfigured'
        assert change_state(probe, executor, name, 'configure')
        assert lifecycle_state(probe, executor, name) == 'inactive'
        frames = len(rig.sent_stamps)
        rig.wait_for(lambda: len(rig.sent_stamps) >= frames + 5, 5.0, 'five camera frames')
        assert edge.started == 0 and not rig.detections  # inactive: nothing is sent

        assert change_state(probe, executor, name, 'activate')
        rig.wait_for(rig.active_is('edge-a'), 10.0, 'edge-a active')
        rig.wait_for(lambda: len(rig.detections) >= 3, 10.0, 'detections once active')

        assert change_state(probe, executor, name, 'deactivate')
        assert lifecycle_state(probe, executor, name) == 'inactive'
        started = edge.started
        frames = len(rig.sent_stamps)
        rig.wait_for(lambda: len(rig.sent_stamps) >= frames + 10, 5.0, 'ten more frames')
        assert edge.started == started  # deactivated: no frame sent

        assert change_state(probe, executor, name, 'cleanup')
        assert lifecycle_state(probe, executor, name) == 'unconfigured'
        assert change_state(probe, executor, name, 'configure')
        assert change_state(probe, executor, name, 'activate')
        detections = len(rig.detections)
        rig.wait_for(lambda: len(rig.detections) >= detections + 3, 10.0,
                     'detections after a cleanup and a new configure')
    finally:
        executor.shutdown()
        probe.destroy_node()


def test_a_refused_configuration_leaves_the_bridge_unconfigured(ros_context, make_rig):
    """A bad edge address fails configure with the reason; the node stays up, unconfigured."""
    rig = make_rig([('edge-a', '127.0.0.1', GREEN)], start=False)
    probe = Node('lifecycle_probe', context=ros_context)
    executor = SingleThreadedExecutor(context=ros_context)
    executor.add_node(probe)
    name = rig.bridge.get_fully_qualified_name()
    try:
        assert not change_state(probe, executor, name, 'configure')
        assert lifecycle_state(probe, executor, name) == 'unconfigured'
        assert 'is not host:port' in str(rig.bridge.configure_error)
    finally:
        executor.shutdown()
        probe.destroy_node()
