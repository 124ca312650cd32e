"""
Darknet cfg/weights reading and the Darknet→ONNX converter on a small synthetic network.

The synthetic cfg uses what the packaged YOLOv3-tiny does not: a stride-2 convolution and a
shortcut (full YOLOv3), a grouped route and a mish activation. OpenCV DNN's own Darknet
importer is the reference the converted graph must match.
"""
from pathlib import Path
import shutil

import cv2
from liquid_edge.yolo.darknet import DarknetFormatError, DarknetWeights, parse_darknet_cfg
from liquid_edge.yolo.darknet2onnx import main as darknet2onnx_main
from liquid_edge.yolo.darknet_onnx import convert_darknet_to_onnx, INPUT_NAME
from liquid_edge.yolo.onnx_cache import darknet_as_onnx
import numpy as np
import onnxruntime
import pytest

INPUT_SIZE = 64
CLASSES = 2
ANCHORS = 3
HEAD = f"""size=1
stride=1
pad=1
filters={ANCHORS * (5 + CLASSES)}
activation=linear
"""
YOLO = f"""anchors=4,6, 8,10, 12,14, 20,24, 30,40, 50,60
classes={CLASSES}
num=6
"""
SYNTHETIC_CFG = f"""[net]
# comments and blank lines are ignored
width={INPUT_SIZE}
height={INPUT_SIZE}
channels=3

[convolutional]
batch_normalize=1
filters=8
size=3
stride=1
pad=1
activation=leaky

[convolutional]
batch_normalize=1
filters=16
size=3
stride=2
pad=1
activation=leaky

[convolutional]
batch_normalize=1
filters=16
size=1
stride=1
pad=1
activation=mish

[shortcut]
from=-2
activation=linear

[route]
layers=-1
groups=2
group_id=1

[maxpool]
size=2
stride=2

[maxpool]
size=2
stride=1

[convolutional]
{HEAD}
[yolo]
mask=3,4,5
{YOLO}
[route]
layers=-4

[upsample]
stride=2

[route]
layers=-1, 3

[convolutional]
{HEAD}
[yolo]
mask=0,1,2
{YOLO}"""
# (filters, input channels, kernel size, batch normalised) of each convolution, in order.
SYNTHETIC_CONVOLUTIONS = [(8, 3, 3, True), (16, 8, 3, True), (16, 16, 1, True),
                          (21, 8, 1, False), (21, 24, 1, False)]


def _synthetic_weights(generator: np.random.Generator) -> np.ndarray:
    values = []
    for filters, channels, size, batch_normalized in SYNTHETIC_CONVOLUTIONS:
        values.append(generator.normal(0.0, 0.1, filters))
        if batch_normalized:
            values.append(generator.uniform(0.5, 1.5, filters))
            values.append(generator.normal(0.0, 0.1, filters))
            values.append(generator.uniform(0.5, 1.5, filters))
        values.append(generator.normal(0.0, 0.3, filters * channels * size * size))
    return np.concatenate(values).astype('<f4')


def _write_weights(path, values, major=0, minor=2):
    seen = np.array([1234], dtype='<i8' if major * 10 + minor >= 2 else '<i4')
    path.write_bytes(np.array([major, minor, 0], dtype='<i4').tobytes() + seen.tobytes()
                     + values.astype('<f4').tobytes())


@pytest.fixture(scope='module')
def synthetic_model(tmp_path_factory):
    """Write the synthetic cfg and random weights; return their paths."""
    directory = tmp_path_factory.mktemp('darknet')
    cfg, weights = directory / 'synthetic.cfg', directory / 'synthetic.weights'
    cfg.write_text(SYNTHETIC_CFG)
    _write_weights(weights, _synthetic_weights(np.random.default_rng(7)))
    return cfg, weights


def test_cfg_sections_options_and_lines():
    sections = parse_darknet_cfg(SYNTHETIC_CFG)
    assert [section.kind for section in sections[:3]] == ['net', 'convolutional',
                                                          'convolutional']
    assert sections[0].get_int('width') == INPUT_SIZE
    assert sections[1].line == 7
    assert sections[9].get_ints('mask') == [3, 4, 5]
    assert sections[12].get_ints('layers') == [-1, 3]


@pytest.mark.parametrize('text, message', [
    ('[convolutional]\nfilters=1\n', 'must start with a \\[net\\]'),
    ('[net]\nwidth 416\n', 'line 2'),
    ('', 'must start'),
])
def test_malformed_cfg_is_refused(text, message):
    with pytest.raises(DarknetFormatError, match=message):
        parse_darknet_cfg(text)


def test_malformed_option_names_section_and_line():
    section = parse_darknet_cfg('[net]\n\n[maxpool]\nsize=two\n')[1]
    with pytest.raises(DarknetFormatError, match=r'\[maxpool\] at line 3: option size=two'):
        section.get_int('size')


@pytest.mark.parametrize('major, minor, seen_bytes', [(0, 2, 8), (0, 1, 4), (1, 0, 8)])
def test_weights_header_seen_width_follows_the_version(tmp_path, major, minor, seen_bytes):
    path = tmp_path / 'w.weights'
    _write_weights(path, np.arange(5, dtype=np.float32), major, minor)
    weights = DarknetWeights(path)
    assert (weights.header.major, weights.header.minor, weights.header.seen) == (
        major, minor, 1234)
    assert path.stat().st_size == 12 + seen_bytes + 5 * 4
    np.testing.assert_array_equal(weights.take(2), [0, 1])
    assert weights.remaining == 3
    with pytest.raises(DarknetFormatError, match='do not belong'):
        weights.take(4)


def test_converted_graph_matches_opencv_darknet(synthetic_model):
    cfg, weights = synthetic_model
    blob = np.random.default_rng(3).uniform(0, 1, (1, 3, INPUT_SIZE, INPUT_SIZE)).astype(
        np.float32)
    net = cv2.dnn.readNetFromDarknet(str(cfg), str(weights))
    net.setInput(blob)
    opencv_heads = net.forward(net.getUnconnectedOutLayersNames())
    session = onnxruntime.InferenceSession(
        convert_darknet_to_onnx(cfg, weights).SerializeToString(),
        providers=['CPUExecutionProvider'])
    converted = session.run(None, {INPUT_NAME: blob})[0][0]

    start = 0
    assert len(opencv_heads) == 2
    for opencv_head in opencv_heads:
        cells = opencv_head.shape[0] // ANCHORS
        grid = int(round(np.sqrt(cells)))
        # The converter orders rows (anchor, y, x); OpenCV orders them (y, x, anchor).
        head = converted[start:start + ANCHORS * cells].reshape(
            ANCHORS, grid, grid, -1).transpose(1, 2, 0, 3).reshape(cells * ANCHORS, -1)
        start += ANCHORS * cells
        np.testing.assert_allclose(head[:, :4], opencv_head[:, :4] * INPUT_SIZE, rtol=1e-4,
                                   atol=1e-3)
        np.testing.assert_allclose(head[:, 4], opencv_head[:, 4], atol=1e-4)
        # OpenCV multiplies class scores by objectness and zeroes those under 0.2.
        class_scores = head[:, 4:5] * head[:, 5:]
        reported = opencv_head[:, 5:] > 0
        assert reported.any()
        np.testing.assert_allclose(class_scores[reported], opencv_head[:, 5:][reported],
                                   atol=1e-4)
    assert start == converted.shape[0]


def test_a_batch_gives_each_image_its_lone_answer(synthetic_model):
    cfg, weights = synthetic_model
    blobs = np.random.default_rng(4).uniform(0, 1, (3, 3, INPUT_SIZE, INPUT_SIZE)).astype(
        np.float32)
    session = onnxruntime.InferenceSession(
        convert_darknet_to_onnx(cfg, weights).SerializeToString(),
        providers=['CPUExecutionProvider'])
    batched = session.run(None, {INPUT_NAME: blobs})[0]
    assert batched.shape[0] == 3
    for index in range(3):
        alone = session.run(None, {INPUT_NAME: blobs[index:index + 1]})[0]
        np.testing.assert_allclose(batched[index:index + 1], alone, rtol=1e-5, atol=1e-4)


def test_conversion_is_cached_by_content_and_size(synthetic_model, tmp_path):
    cfg, weights = (Path(shutil.copy(path, tmp_path)) for path in synthetic_model)
    cache = tmp_path / 'cache'
    first = darknet_as_onnx(cfg, weights, INPUT_SIZE, cache)
    # Readable by every user: the images convert as root for a non-root service.
    assert first.stat().st_mode & 0o777 == 0o644
    written = first.stat().st_mtime_ns
    assert darknet_as_onnx(cfg, weights, INPUT_SIZE, cache) == first
    assert first.stat().st_mtime_ns == written, 'a cached conversion is read, not redone'
    other_size = darknet_as_onnx(cfg, weights, INPUT_SIZE + 32, cache)
    _write_weights(weights, _synthetic_weights(np.random.default_rng(9)))
    retrained = darknet_as_onnx(cfg, weights, INPUT_SIZE, cache)
    assert len({first, other_size, retrained}) == 3
    assert sorted(path.name for path in cache.iterdir()) == sorted(
        path.name for path in (first, other_size, retrained))
    session = onnxruntime.InferenceSession(str(retrained), providers=['CPUExecutionProvider'])
    assert session.get_inputs()[0].shape == ['batch', 3, INPUT_SIZE, INPUT_SIZE]


@pytest.mark.parametrize('change, message', [
    (lambda cfg, values: (cfg, values[:-1]), 'needs more'),
    (lambda cfg, values: (cfg, np.append(values, 0.0)), 'do not belong'),
    (lambda cfg, values: (cfg.replace('[upsample]', '[reorg]'), values), r'\[reorg\]'),
    (lambda cfg, values: (cfg.replace('layers=-1, 3', 'layers=-1, 30'), values),
     'outside layers'),
    (lambda cfg, values: (cfg.replace('activation=mish', 'activation=gelu'), values),
     'activation gelu'),
])
def test_converter_refuses_what_it_cannot_convert(tmp_path, change, message):
    cfg_text, values = change(SYNTHETIC_CFG, _synthetic_weights(np.random.default_rng(1)))
    cfg, weights = tmp_path / 'bad.cfg', tmp_path / 'bad.weights'
    cfg.write_text(cfg_text)
    _write_weights(weights, values)
    with pytest.raises(ValueError, match=message):
        convert_darknet_to_onnx(cfg, weights)


def test_command_writes_the_model_and_reports_errors(synthetic_model, tmp_path, capsys):
    cfg, weights = synthetic_model
    output = tmp_path / 'synthetic.onnx'
    assert darknet2onnx_main(['--cfg', str(cfg), '--weights', str(weights),
                              '--output', str(output), '--input-size', '96']) == 0
    session = onnxruntime.InferenceSession(str(output), providers=['CPUExecutionProvider'])
    assert session.get_inputs()[0].shape == ['batch', 3, 96, 96]
    # Heads at strides 4 and 2 of the synthetic network: (24x24 + 48x48) cells x 3 anchors.
    assert session.get_outputs()[0].shape == ['batch', ANCHORS * (24 * 24 + 48 * 48),
                                              5 + CLASSES]
    assert 'wrote' in capsys.readouterr().out

    assert darknet2onnx_main(['--cfg', str(cfg), '--weights', str(weights),
                              '--output', str(output), '--input-size', '100']) == 1
    assert 'multiple of 32' in capsys.readouterr().err
