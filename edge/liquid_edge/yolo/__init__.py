"""
YOLO object detection for the edge: Darknet and ONNX models on OpenCV DNN, ONNX Runtime, OpenVINO.

``load_detector`` returns a detector whose ``detect(bgr_image)`` gives ``Detection`` objects;
``default_model_files`` locates the packaged YOLOv3-tiny. ``liquid-edge-darknet2onnx``
(``liquid_edge.yolo.darknet2onnx``) converts Darknet models to ONNX.
"""
from liquid_edge.yolo.decoding import OutputLayout
from liquid_edge.yolo.detector import BACKENDS, load_detector, YoloDetector
from liquid_edge.yolo.geometry import ResizeMode
from liquid_edge.yolo.model_files import default_model_files, YoloModelFiles
from liquid_edge.yolo.runtimes import DEVICES

__all__ = [
    'BACKENDS',
    'DEVICES',
    'default_model_files',
    'load_detector',
    'OutputLayout',
    'ResizeMode',
    'YoloDetector',
    'YoloModelFiles',
]
