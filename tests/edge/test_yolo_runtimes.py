"""ONNX Runtime on CUDA: pip-installed CUDA libraries preloaded first, else a clean CPU fallback.

No GPU here: the real (CPU) onnxruntime runs a one-node model, and the CUDA side is what the
session is asked for, what is preloaded, and what is logged.
"""
import logging

from liquid_edge.yolo.runtimes import OnnxRuntimeSession
import numpy as np
import onnx
from onnx import helper, TensorProto
import onnxruntime
import pytest


@pytest.fixture(scope='module')
def relu_model(tmp_path_factory):
    """Return a float32 ONNX model of one Relu node, N x 3 x 4 x 4 in and out."""
    shape = ['N', 3, 4, 4]
    graph = helper.make_graph(
        [helper.make_node('Relu', ['input'], ['output'])], 'relu',
        [helper.make_tensor_value_info('input', TensorProto.FLOAT, shape)],
        [helper.make_tensor_value_info('output', TensorProto.FLOAT, shape)])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 17)])
    model.ir_version = 9
    path = tmp_path_factory.mktemp('models') / 'relu.onnx'
    onnx.save(model, path)
    return path


@pytest.fixture
def calls(monkeypatch):
    """Record preload_dlls and session creation, in order, around the real onnxruntime."""
    recorded = []
    session = onnxruntime.InferenceSession

    def create_session(*args, **kwargs):
        recorded.append(('session', kwargs['providers']))
        return session(*args, **kwargs)

    monkeypatch.setattr(onnxruntime, 'preload_dlls', lambda: recorded.append(('preload',)),
                        raising=False)
    monkeypatch.setattr(onnxruntime, 'InferenceSession', create_session)
    return recorded


def warnings_of(caplog):
    return [record.getMessage() for record in caplog.records
            if record.levelno >= logging.WARNING and record.name.startswith('liquid_edge')]


def runs(runtime):
    blob = np.linspace(-1, 1, 2 * 3 * 4 * 4, dtype=np.float32).reshape(2, 3, 4, 4)
    output, = runtime.infer(blob)
    return np.array_equal(output, np.maximum(blob, 0))


def test_cuda_preloads_the_cuda_libraries_before_the_session(relu_model, calls, monkeypatch,
                                                             caplog):
    monkeypatch.setattr(onnxruntime, 'get_available_providers',
                        lambda: ['CUDAExecutionProvider', 'CPUExecutionProvider'])
    with caplog.at_level(logging.WARNING):
        runtime = OnnxRuntimeSession(relu_model, 'cuda')
    assert calls == [('preload',),
                     ('session', ['CUDAExecutionProvider', 'CPUExecutionProvider'])]
    # The CPU build cannot start the CUDA provider: one line, and the CPU answers.
    warning, = warnings_of(caplog)
    assert 'could not start CUDAExecutionProvider' in warning and 'CPU' in warning
    assert runtime.device == 'cpu' and runs(runtime)


def test_tensorrt_is_asked_for_first_where_onnxruntime_offers_it(relu_model, calls,
                                                                 monkeypatch):
    monkeypatch.setattr(onnxruntime, 'get_available_providers', lambda: [
        'TensorrtExecutionProvider', 'CUDAExecutionProvider', 'CPUExecutionProvider'])
    OnnxRuntimeSession(relu_model, 'cuda')
    assert calls[1] == ('session', ['TensorrtExecutionProvider', 'CUDAExecutionProvider',
                                    'CPUExecutionProvider'])


def test_cpu_preloads_nothing(relu_model, calls, caplog):
    with caplog.at_level(logging.WARNING):
        runtime = OnnxRuntimeSession(relu_model, 'cpu')
    assert calls == [('session', ['CPUExecutionProvider'])]
    assert not warnings_of(caplog)
    assert runtime.device == 'cpu' and runs(runtime)


def test_without_preload_dlls_or_a_cuda_provider_the_cpu_runs_with_one_warning(
        relu_model, calls, monkeypatch, caplog):
    monkeypatch.delattr(onnxruntime, 'preload_dlls')
    monkeypatch.setattr(onnxruntime, 'get_available_providers', lambda: ['CPUExecutionProvider'])
    with caplog.at_level(logging.WARNING):
        runtime = OnnxRuntimeSession(relu_model, 'cuda')
    assert calls == [('session', ['CPUExecutionProvider'])]
    warning, = warnings_of(caplog)
    assert 'offers no CUDAExecutionProvider' in warning and 'CPU' in warning
    assert runtime.device == 'cpu' and runs(runtime)
