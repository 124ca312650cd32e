"""Follow-target logic of the LIQUID EDGE robot and its ROS 2 node."""
