"""
Static int8 quantisation of a float YOLO ONNX model for ONNX Runtime, calibrated on photos.

About twice as fast on a CPU with int8 dot-product instructions (AVX-512 VNNI, AVX-VNNI).
Only the backbone is quantised: the convolutions that produce the heads and the box and
score decoding after them stay float, since int8 there turns scores and box sizes into
coarse steps (a quantised decoding scored the benchmark's person 5.9). Detections move
slightly, so it is an option, never the default: see ``yolodetection --int8-calibration``.
"""
from collections.abc import Iterator, Sequence
from pathlib import Path

import cv2
from liquid_edge.yolo.detector import make_input_blob
from liquid_edge.yolo.geometry import GEOMETRY_BY_RESIZE_MODE, ResizeMode
from liquid_edge.yolo.onnx_model import METADATA_RESIZE_MODE, read_onnx_model_facts
import numpy as np
import onnx

CALIBRATION_SUFFIXES = ('.jpg', '.jpeg', '.png')
# The layers an int8 backbone is made of; everything else stays float.
_QUANTISED_OP_TYPES = ['Conv', 'MaxPool', 'LeakyRelu', 'Concat', 'Resize', 'Add']


def read_calibration_images(directory: Path) -> list[np.ndarray]:
    """Return the BGR images (JPEG or PNG) of ``directory``, sorted by name.

    Raises ValueError when it holds none or one does not decode.
    """
    paths = sorted(path for path in Path(directory).iterdir()
                   if path.suffix.lower() in CALIBRATION_SUFFIXES)
    if not paths:
        raise ValueError(f'calibration directory {directory} holds no '
                         f'{"/".join(CALIBRATION_SUFFIXES)} image')
    images = []
    for path in paths:
        image = cv2.imread(str(path), cv2.IMREAD_COLOR)
        if image is None:
            raise ValueError(f'calibration image {path} does not decode')
        images.append(image)
    return images


def head_node_names(model: onnx.ModelProto) -> list[str]:
    """Return the nodes from each head's last convolution to the outputs.

    A head's last convolution is one with no convolution after it on any path to an output.
    """
    consumers: dict[str, list[onnx.NodeProto]] = {}
    for node in model.graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)

    def downstream(node: onnx.NodeProto) -> list[onnx.NodeProto]:
        found, stack, seen = [], [node], {node.name}
        while stack:
            for output in stack.pop().output:
                for consumer in consumers.get(output, []):
                    if consumer.name not in seen:
                        seen.add(consumer.name)
                        found.append(consumer)
                        stack.append(consumer)
        return found

    names: set[str] = set()
    for node in model.graph.node:
        if node.op_type != 'Conv':
            continue
        after = downstream(node)
        if all(other.op_type != 'Conv' for other in after):
            names.add(node.name)
            names.update(other.name for other in after)
    return sorted(names)


def quantize_int8(model: Path, output: Path, images: Sequence[np.ndarray],
                  input_size: int) -> Path:
    """Write to ``output`` the int8 (QDQ) version of the float ONNX ``model``; return it.

    ``images`` (BGR, any size) are fed as the detector feeds them, to measure the range of
    every activation. Raises ValueError for no image or a model ONNX Runtime cannot quantise.
    """
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType
    from onnxruntime.quantization import quantize_static

    if Path(model).suffix.lower() != '.onnx':
        raise ValueError(f'int8 quantisation needs an .onnx model, got {model}')
    if not images:
        raise ValueError('int8 quantisation needs at least one calibration image')
    graph = onnx.load(str(model))
    for node in graph.graph.node:
        if not node.name:
            raise ValueError(f'{model} has unnamed nodes; int8 quantisation cannot tell its '
                             f'heads apart')
    facts = read_onnx_model_facts(model)
    resize_mode = ResizeMode(facts.metadata.get(METADATA_RESIZE_MODE,
                                                ResizeMode.LETTERBOX.value))
    make_geometry = GEOMETRY_BY_RESIZE_MODE[resize_mode]
    input_name = graph.graph.input[0].name

    class _Photos(CalibrationDataReader):
        def __init__(self):
            self._blobs: Iterator[np.ndarray] = (
                make_input_blob(image, make_geometry(image.shape[1], image.shape[0],
                                                     input_size, input_size))
                for image in images)

        def get_next(self):
            blob = next(self._blobs, None)
            return None if blob is None else {input_name: blob}

    # 7-bit weights (reduce_range): without VNNI, ONNX Runtime's u8 x s8 kernels add pairs of
    # products in 16 bits, where full 8-bit weights saturate (255 x 127 x 2 > 32767). A
    # full-range model that found the person here (VNNI) found none on a CI machine; the
    # model may run on any edge CPU, so always 7 bits.
    quantize_static(str(model), str(output), _Photos(), quant_format=QuantFormat.QDQ,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                    per_channel=True, reduce_range=True,
                    op_types_to_quantize=_QUANTISED_OP_TYPES,
                    nodes_to_exclude=head_node_names(graph))
    return output
