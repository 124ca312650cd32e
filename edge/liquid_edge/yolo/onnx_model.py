"""What an ONNX YOLO model says about itself: fixed input size and liquid-edge metadata."""
from dataclasses import dataclass, field
from pathlib import Path

from google.protobuf.message import DecodeError
import onnx

# Metadata the Darknet→ONNX converter writes, so the detector preprocesses and decodes the
# converted model exactly as the Darknet original.
METADATA_OUTPUT_LAYOUT = 'liquid_edge.output_layout'
METADATA_RESIZE_MODE = 'liquid_edge.resize_mode'


@dataclass(frozen=True)
class OnnxModelFacts:
    """Input batch and size when the model fixes them (None for a dynamic axis), metadata."""

    input_height: int | None
    input_width: int | None
    metadata: dict[str, str] = field(default_factory=dict)
    input_batch: int | None = 1


def read_onnx_model_facts(path: str | Path) -> OnnxModelFacts:
    """
    Read the first input's batch and spatial size and the metadata of an ONNX model.

    Raises ValueError when the file is not an ONNX model with a 4-D, 3-channel (NCHW) input.
    """
    try:
        model = onnx.load(str(path), load_external_data=False)
    except (DecodeError, OSError) as error:
        raise ValueError(f'{path} is not a readable ONNX model: {error}') from error
    initializers = {initializer.name for initializer in model.graph.initializer}
    inputs = [graph_input for graph_input in model.graph.input
              if graph_input.name not in initializers]
    if not inputs or len(inputs[0].type.tensor_type.shape.dim) != 4:
        raise ValueError(f'{path} must have a 4-D NCHW image input')
    batch, channels, height, width = (dim.dim_value if dim.HasField('dim_value') else None
                                      for dim in inputs[0].type.tensor_type.shape.dim)
    if channels not in (None, 3):
        raise ValueError(f'{path} takes {channels}-channel images; YOLO takes 3 (RGB)')
    return OnnxModelFacts(height, width,
                          {entry.key: entry.value for entry in model.metadata_props}, batch)
