"""LIQUID EDGE camera: frame sources and the node that publishes them as JPEG."""
