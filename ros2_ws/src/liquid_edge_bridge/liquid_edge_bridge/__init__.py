"""LIQUID EDGE edge bridge: camera frames to the edge, detections back to the robot."""
