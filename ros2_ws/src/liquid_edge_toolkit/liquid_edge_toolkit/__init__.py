"""What every LIQUID EDGE node shares: QoS profiles, descriptors, ``run_node``, test helpers."""
