"""
Darknet YOLO (v3, v3-tiny and alike) → ONNX graph, built with the ``onnx`` helper API.

Supported sections: convolutional (batch norm folded into the convolution; leaky, linear,
relu, logistic, mish, swish), maxpool (Darknet's asymmetric padding, so size 2 stride 1
keeps the size), upsample, route (with groups), shortcut and yolo.

The graph takes ``images`` [B, 3, H, W] (RGB, 0..1, the input stretched to H×W as Darknet
does; B, the batch, is dynamic) and gives ``output0`` [B, N, 5 + C] in the YOLOv5 layout:
every head's anchors decoded to centre x, centre y, width, height in input pixels, then
objectness and class scores after the sigmoid. Metadata tells `load_detector` the layout and
the stretch resize.
"""
from dataclasses import dataclass, field
from pathlib import Path

from liquid_edge.yolo.darknet import DarknetSection, DarknetWeights, parse_darknet_cfg
from liquid_edge.yolo.decoding import OutputLayout
from liquid_edge.yolo.geometry import ResizeMode
from liquid_edge.yolo.onnx_model import METADATA_OUTPUT_LAYOUT, METADATA_RESIZE_MODE
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto

INPUT_NAME = 'images'
OUTPUT_NAME = 'output0'
# The name of the dynamic batch dimension of the input and output.
BATCH_DIMENSION = 'batch'
# Opset 13 / IR 8: read by ONNX Runtime and by OpenCV DNN's ONNX importer alike.
OPSET = 13
IR_VERSION = 8
# Darknet normalises with x / (sqrt(variance) + this), not sqrt(variance + eps).
_BATCH_NORM_EPSILON = 1e-6
_LEAKY_SLOPE = 0.1
_NETWORK_STRIDE = 32


@dataclass(frozen=True)
class _Tensor:
    """A layer's output: graph value name and its [channels, height, width]."""

    name: str
    channels: int
    height: int
    width: int


@dataclass(frozen=True)
class _Head:
    """A decoded [yolo] head: [batch, rows, 5 + classes] graph value."""

    name: str
    rows: int
    classes: int


class _GraphBuilder:
    """Collects nodes and initialisers under unique names."""

    def __init__(self):
        self.nodes: list[onnx.NodeProto] = []
        self.initializers: list[onnx.TensorProto] = []
        self._count = 0

    def unique(self, stem: str) -> str:
        """Return a graph value name not used before."""
        self._count += 1
        return f'{stem}_{self._count}'

    def constant(self, stem: str, array: np.ndarray) -> str:
        """Add ``array`` as an initialiser; return its name."""
        name = self.unique(stem)
        self.initializers.append(numpy_helper.from_array(array, name))
        return name

    def node(self, op_type: str, inputs: list[str], stem: str, output: str | None = None,
             **attributes) -> str:
        """Add one node; return the name of its (single) output."""
        output = output or self.unique(stem)
        self.nodes.append(helper.make_node(op_type, inputs, [output], name=output,
                                           **attributes))
        return output


@dataclass
class _Conversion:
    """State shared by the section converters while the graph grows."""

    builder: _GraphBuilder
    weights: DarknetWeights
    input_width: int
    input_height: int
    layers: list[_Tensor] = field(default_factory=list)
    heads: list[_Head] = field(default_factory=list)


def convert_darknet_to_onnx(cfg: str | Path, weights: str | Path,
                            input_size: int | None = None) -> onnx.ModelProto:
    """
    Build a checked ONNX model from a Darknet cfg and its weights.

    ``input_size`` makes a square input of that many pixels; by default the cfg's
    ``[net]`` width and height are used. Raises ValueError (DarknetFormatError) for a cfg the
    converter does not support or weights that do not fit the cfg.
    """
    sections = parse_darknet_cfg(Path(cfg).read_text(encoding='utf-8'))
    network = sections[0]
    width = input_size or network.get_int('width')
    height = input_size or network.get_int('height')
    channels = network.get_int('channels', 3)
    if width <= 0 or height <= 0 or width % _NETWORK_STRIDE or height % _NETWORK_STRIDE:
        raise ValueError(f'input size must be a positive multiple of {_NETWORK_STRIDE}, '
                         f'got {width}x{height}')
    conversion = _Conversion(_GraphBuilder(), DarknetWeights(weights), width, height)
    current = _Tensor(INPUT_NAME, channels, height, width)
    for index, section in enumerate(sections[1:]):
        converter = _SECTION_CONVERTERS.get(section.kind)
        if converter is None:
            raise section.error(f'section type [{section.kind}] is not supported')
        current = converter(conversion, section, index, current)
        conversion.layers.append(current)
    if conversion.weights.remaining:
        raise ValueError(f'{weights} has {conversion.weights.remaining} values the cfg does '
                         f'not use; the weights do not belong to {cfg}')
    heads = conversion.heads
    if not heads:
        raise ValueError(f'{cfg} has no [yolo] section')
    if len({head.classes for head in heads}) != 1:
        raise ValueError(f'the [yolo] sections of {cfg} disagree on the class count')
    builder = conversion.builder
    builder.node('Concat', [head.name for head in heads], OUTPUT_NAME, output=OUTPUT_NAME,
                 axis=1)
    graph = helper.make_graph(
        builder.nodes, Path(cfg).stem,
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT,
                                       [BATCH_DIMENSION, channels, height, width])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT,
                                       [BATCH_DIMENSION, sum(head.rows for head in heads),
                                        5 + heads[0].classes])],
        initializer=builder.initializers)
    model = helper.make_model(graph, producer_name='liquid-edge-darknet2onnx',
                              opset_imports=[helper.make_opsetid('', OPSET)])
    model.ir_version = IR_VERSION
    helper.set_model_props(model, {METADATA_OUTPUT_LAYOUT: OutputLayout.YOLOV5.value,
                                   METADATA_RESIZE_MODE: ResizeMode.STRETCH.value,
                                   'liquid_edge.darknet_cfg': Path(cfg).name})
    model = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    onnx.checker.check_model(model, full_check=True)
    return model


def _convolutional(conversion: _Conversion, section: DarknetSection, index: int,
                   current: _Tensor) -> _Tensor:
    builder, weight_values = conversion.builder, conversion.weights
    filters = section.get_int('filters')
    size = section.get_int('size')
    stride = section.get_int('stride', 1)
    groups = section.get_int('groups', 1)
    padding = size // 2 if section.get_int('pad', 0) else section.get_int('padding', 0)
    if current.channels % groups or filters % groups:
        raise section.error(f'groups={groups} does not divide the channels')
    if section.get_int('batch_normalize', 0):
        bias, scale, mean, variance = (weight_values.take(filters) for _ in range(4))
        kernel = weight_values.take(filters * current.channels // groups * size * size)
        factor = scale / (np.sqrt(variance) + _BATCH_NORM_EPSILON)
        kernel = kernel.reshape(filters, -1) * factor[:, None]
        bias = bias - mean * factor
    else:
        bias = weight_values.take(filters)
        kernel = weight_values.take(filters * current.channels // groups * size * size)
    kernel = kernel.reshape(filters, current.channels // groups, size, size)
    output = builder.node(
        'Conv', [current.name, builder.constant('conv_weight', kernel.astype(np.float32)),
                 builder.constant('conv_bias', bias.astype(np.float32))],
        f'conv{index}', kernel_shape=[size, size], strides=[stride, stride],
        pads=[padding] * 4, group=groups)
    output = _activation(builder, section, output, index)
    return _Tensor(output, filters, (current.height + 2 * padding - size) // stride + 1,
                   (current.width + 2 * padding - size) // stride + 1)


def _activation(builder: _GraphBuilder, section: DarknetSection, value: str,
                index: int) -> str:
    activation = section.get_str('activation', 'logistic')
    stem = f'{activation}{index}'
    if activation == 'linear':
        return value
    if activation == 'leaky':
        return builder.node('LeakyRelu', [value], stem, alpha=_LEAKY_SLOPE)
    if activation == 'relu':
        return builder.node('Relu', [value], stem)
    if activation == 'logistic':
        return builder.node('Sigmoid', [value], stem)
    if activation == 'mish':
        softplus = builder.node('Softplus', [value], stem)
        return builder.node('Mul', [value, builder.node('Tanh', [softplus], stem)], stem)
    if activation == 'swish':
        return builder.node('Mul', [value, builder.node('Sigmoid', [value], stem)], stem)
    raise section.error(f'activation {activation} is not supported')


def _maxpool(conversion: _Conversion, section: DarknetSection, index: int,
             current: _Tensor) -> _Tensor:
    builder = conversion.builder
    stride = section.get_int('stride', 1)
    size = section.get_int('size', stride)
    # Darknet pads size - 1 in all, the smaller half before: size 2 stride 1 keeps the size.
    padding = section.get_int('padding', size - 1)
    before, after = padding // 2, padding - padding // 2
    output = builder.node('MaxPool', [current.name], f'maxpool{index}',
                          kernel_shape=[size, size], strides=[stride, stride],
                          pads=[before, before, after, after])
    return _Tensor(output, current.channels, (current.height + padding - size) // stride + 1,
                   (current.width + padding - size) // stride + 1)


def _upsample(conversion: _Conversion, section: DarknetSection, index: int,
              current: _Tensor) -> _Tensor:
    builder = conversion.builder
    stride = section.get_int('stride', 2)
    if stride < 1:
        raise section.error(f'only upsampling strides >= 1 are supported, got {stride}')
    if section.get_float('scale', 1.0) != 1.0:
        raise section.error('upsample with scale other than 1 is not supported')
    scales = builder.constant('upsample_scales',
                              np.array([1, 1, stride, stride], dtype=np.float32))
    output = builder.node('Resize', [current.name, '', scales], f'upsample{index}',
                          mode='nearest', coordinate_transformation_mode='asymmetric',
                          nearest_mode='floor')
    return _Tensor(output, current.channels, current.height * stride, current.width * stride)


def _route(conversion: _Conversion, section: DarknetSection, index: int,
           current: _Tensor) -> _Tensor:
    builder = conversion.builder
    sources = [_layer(section, index, offset, conversion.layers)
               for offset in section.get_ints('layers')]
    groups = section.get_int('groups', 1)
    group_id = section.get_int('group_id', 0)
    if {(source.height, source.width) for source in sources} != {
            (sources[0].height, sources[0].width)}:
        raise section.error('routed layers differ in height or width')
    parts = []
    for source in sources:
        if groups == 1:
            parts.append(source)
            continue
        if source.channels % groups or not 0 <= group_id < groups:
            raise section.error(f'groups={groups} group_id={group_id} does not fit '
                                f'{source.channels} channels')
        part_channels = source.channels // groups
        parts.append(_Tensor(builder.node(
            'Slice', [source.name,
                      builder.constant('starts', np.array([group_id * part_channels])),
                      builder.constant('ends', np.array([(group_id + 1) * part_channels])),
                      builder.constant('axes', np.array([1]))], f'group{index}'),
            part_channels, source.height, source.width))
    channels = sum(part.channels for part in parts)
    if len(parts) == 1:
        return _Tensor(parts[0].name, channels, parts[0].height, parts[0].width)
    output = builder.node('Concat', [part.name for part in parts], f'route{index}', axis=1)
    return _Tensor(output, channels, parts[0].height, parts[0].width)


def _shortcut(conversion: _Conversion, section: DarknetSection, index: int,
              current: _Tensor) -> _Tensor:
    builder = conversion.builder
    source = _layer(section, index, section.get_int('from'), conversion.layers)
    if (source.channels, source.height, source.width) != (
            current.channels, current.height, current.width):
        raise section.error('shortcut joins layers of different shapes')
    output = builder.node('Add', [current.name, source.name], f'shortcut{index}')
    return _Tensor(_activation(builder, section, output, index), current.channels,
                   current.height, current.width)


def _yolo(conversion: _Conversion, section: DarknetSection, index: int,
          current: _Tensor) -> _Tensor:
    builder = conversion.builder
    classes = section.get_int('classes')
    anchors = np.array(section.get_ints('anchors'), dtype=np.float32).reshape(-1, 2)
    mask = section.get_ints('mask', list(range(len(anchors))))
    scale_xy = section.get_float('scale_x_y', 1.0)
    if section.get_int('new_coords', 0):
        raise section.error('new_coords=1 (scaled YOLOv4 box coding) is not supported')
    if any(not 0 <= anchor < len(anchors) for anchor in mask):
        raise section.error(f'mask {mask} points past the {len(anchors)} anchors')
    columns = 5 + classes
    if current.channels != len(mask) * columns:
        raise section.error(f'its input has {current.channels} channels, expected '
                            f'{len(mask)} anchors x {columns}')
    count, rows, cols = len(mask), current.height, current.width
    stride = np.array([conversion.input_width / cols, conversion.input_height / rows],
                      dtype=np.float32)
    grid_x, grid_y = np.meshgrid(np.arange(cols), np.arange(rows))
    grid = np.stack([grid_x, grid_y], axis=-1).astype(np.float32)
    # Darknet: centre = (cell + sigmoid(t) * s - (s - 1) / 2) * stride, for scale_x_y = s.
    cell_offset = ((grid - (scale_xy - 1) / 2) * stride).reshape(1, 1, rows, cols, 2)
    head = builder.node('Reshape', [current.name, builder.constant(
        'head_shape', np.array([-1, count, columns, rows, cols]))], f'yolo{index}')
    head = builder.node('Transpose', [head], f'yolo{index}', perm=[0, 1, 3, 4, 2])

    def columns_slice(start: int, end: int) -> str:
        return builder.node('Slice', [head, builder.constant('starts', np.array([start])),
                                      builder.constant('ends', np.array([end])),
                                      builder.constant('axes', np.array([4]))],
                            f'yolo{index}')

    centre = builder.node('Mul', [builder.node('Sigmoid', [columns_slice(0, 2)],
                                               f'yolo{index}'),
                                  builder.constant('xy_gain', stride * scale_xy)],
                          f'yolo{index}')
    centre = builder.node('Add', [centre, builder.constant('cell_offset', cell_offset)],
                          f'yolo{index}')
    size = builder.node('Mul', [builder.node('Exp', [columns_slice(2, 4)], f'yolo{index}'),
                                builder.constant('anchors',
                                                 anchors[mask].reshape(1, count, 1, 1, 2))],
                        f'yolo{index}')
    scores = builder.node('Sigmoid', [columns_slice(4, columns)], f'yolo{index}')
    decoded = builder.node('Concat', [centre, size, scores], f'yolo{index}', axis=4)
    conversion.heads.append(_Head(builder.node('Reshape', [decoded, builder.constant(
        'rows_shape', np.array([-1, count * rows * cols, columns]))], f'yolo{index}'),
        count * rows * cols, classes))
    # Later sections that refer to a [yolo] layer get its input, as in Darknet.
    return current


def _layer(section: DarknetSection, index: int, reference: int,
           layers: list[_Tensor]) -> _Tensor:
    position = index + reference if reference < 0 else reference
    if not 0 <= position < len(layers):
        raise section.error(f'layer reference {reference} is outside layers 0..{index - 1}')
    return layers[position]


_SECTION_CONVERTERS = {
    'convolutional': _convolutional,
    'maxpool': _maxpool,
    'upsample': _upsample,
    'route': _route,
    'shortcut': _shortcut,
    'yolo': _yolo,
}
