"""LIQUID EDGE Robomaster S1 driver: pure per-part logic, backends (sdk, sim), the node."""
