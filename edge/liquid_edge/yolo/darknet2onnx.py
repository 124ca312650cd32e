"""
``liquid-edge-darknet2onnx``: convert a Darknet YOLOv3 / YOLOv3-tiny model to ONNX.

The ONNX file gives [B, N, 5 + C] in the YOLOv5 layout (anchors decoded, sigmoid applied;
B, the batch, is dynamic),
so ``load_detector(model='x.onnx', backend='onnxruntime', ...)`` finds what OpenCV DNN
finds on the Darknet files.
"""
import argparse
from pathlib import Path
import sys

from liquid_edge.yolo.darknet_onnx import convert_darknet_to_onnx
import onnx


def main(argv: list[str] | None = None) -> int:
    """Convert; return 0 on success, 1 with a one-line reason on stderr otherwise."""
    parser = argparse.ArgumentParser(
        prog='liquid-edge-darknet2onnx',
        description='Convert a Darknet YOLO cfg + weights to an ONNX model whose output is '
                    'the YOLOv5 layout [B, N, 5+C] (boxes in input pixels, B the batch).')
    parser.add_argument('--cfg', required=True, type=Path, help='Darknet .cfg file')
    parser.add_argument('--weights', required=True, type=Path, help='Darknet .weights file')
    parser.add_argument('--output', required=True, type=Path, help='ONNX file to write')
    parser.add_argument('--input-size', type=int, default=None,
                        help='square input size in pixels, a multiple of 32 '
                             '(default: the cfg [net] width and height)')
    arguments = parser.parse_args(argv)
    try:
        model = convert_darknet_to_onnx(arguments.cfg, arguments.weights,
                                        arguments.input_size)
        onnx.save(model, str(arguments.output))
    except (ValueError, OSError) as error:
        print(f'{parser.prog}: {error}', file=sys.stderr)
        return 1
    model_input = [dim.dim_param or dim.dim_value
                   for dim in model.graph.input[0].type.tensor_type.shape.dim]
    model_output = [dim.dim_param or dim.dim_value
                    for dim in model.graph.output[0].type.tensor_type.shape.dim]
    print(f'{parser.prog}: wrote {arguments.output}: input {model_input}, '
          f'output {model_output} (YOLOv5 layout)')
    return 0


if __name__ == '__main__':
    sys.exit(main())
