"""
Inference runtimes behind one interface: OpenCV DNN (Darknet or ONNX), ONNX Runtime, OpenVINO.

A runtime takes the NCHW float blob and returns the raw output tensors; decoding is elsewhere.
A runtime object holds its own network or session and is not shared between threads.
Asking for CUDA where it is absent falls back to the CPU with one warning line, and
``device`` says what actually runs.
"""
import logging
from pathlib import Path
from types import ModuleType
from typing import Protocol

import cv2
import numpy as np

LOGGER = logging.getLogger(__name__)

DEVICE_CPU = 'cpu'
DEVICE_CUDA = 'cuda'
DEVICES = (DEVICE_CPU, DEVICE_CUDA)
# ONNX Runtime's GPU execution providers, preferred first: TensorRT where the installed ORT
# has it (it falls back to CUDA, then the CPU, for what it cannot run).
_GPU_PROVIDERS = ('TensorrtExecutionProvider', 'CUDAExecutionProvider')


class InferenceRuntime(Protocol):
    """Runs a network on a preprocessed [1, 3, H, W] float32 blob."""

    runtime: str
    device: str

    def infer(self, blob: np.ndarray) -> list[np.ndarray]:
        """Return the network's output tensors for ``blob``."""


class OpenCvDnnRuntime:
    """OpenCV DNN network (Darknet cfg/weights or ONNX), CUDA backend when OpenCV has one."""

    runtime = 'opencv-dnn'

    def __init__(self, net: cv2.dnn.Net, device: str, threads: int | None = None):
        """
        Wrap a loaded network; prefer its CUDA backend if ``device`` is cuda and present.

        ``threads`` sets OpenCV's thread count, which is process-wide: every OpenCV detector
        of the process shares the last value set.
        """
        if threads is not None:
            cv2.setNumThreads(threads)
        self._net = net
        self._output_names = net.getUnconnectedOutLayersNames()
        self.device = DEVICE_CPU
        if device == DEVICE_CUDA:
            cuda_devices = _opencv_cuda_device_count()
            # A CUDA build of OpenCV may still lack the DNN CUDA backend (cuDNN).
            dnn_on_cuda = cv2.dnn.DNN_TARGET_CUDA in cv2.dnn.getAvailableTargets(
                cv2.dnn.DNN_BACKEND_CUDA)
            if cuda_devices > 0 and dnn_on_cuda:
                net.setPreferableBackend(cv2.dnn.DNN_BACKEND_CUDA)
                net.setPreferableTarget(cv2.dnn.DNN_TARGET_CUDA)
                self.device = DEVICE_CUDA
            else:
                LOGGER.warning('CUDA requested for YOLO but OpenCV has no CUDA device or DNN '
                               'CUDA backend (devices: %d, DNN CUDA target: %s); running '
                               'OpenCV DNN on the CPU', cuda_devices, dnn_on_cuda)
        if self.device == DEVICE_CPU:
            net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
            net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)

    @classmethod
    def from_darknet(cls, cfg: Path, weights: Path, device: str,
                     threads: int | None = None) -> 'OpenCvDnnRuntime':
        """Load a Darknet cfg + weights; the outputs are the YOLO heads, one array each."""
        return cls(cv2.dnn.readNetFromDarknet(str(cfg), str(weights)), device, threads)

    @classmethod
    def from_onnx(cls, model: Path, device: str,
                  threads: int | None = None) -> 'OpenCvDnnRuntime':
        """Load an ONNX model."""
        return cls(cv2.dnn.readNetFromONNX(str(model)), device, threads)

    def infer(self, blob: np.ndarray) -> list[np.ndarray]:
        """Run the network on ``blob``; return every unconnected output."""
        self._net.setInput(blob)
        return list(self._net.forward(self._output_names))


class OnnxRuntimeSession:
    """ONNX Runtime session; on CUDA, TensorRT then CUDA execution providers where offered."""

    runtime = 'onnxruntime'

    def __init__(self, model: Path, device: str, threads: int | None = None):
        """Open ``model`` on the CPU (``threads`` intra-op threads), or on CUDA if available."""
        try:
            import onnxruntime
        except ImportError as error:
            raise ValueError('backend onnxruntime needs the onnxruntime package '
                             '(pip install liquid-edge[onnx])') from error
        providers = ['CPUExecutionProvider']
        if device == DEVICE_CUDA:
            _preload_cuda_libraries(onnxruntime)
            available = onnxruntime.get_available_providers()
            gpu = [p for p in _GPU_PROVIDERS if p in available]
            if gpu:
                providers = gpu + providers
            else:
                LOGGER.warning('CUDA requested for YOLO but ONNX Runtime offers no '
                               'CUDAExecutionProvider (available: %s); running on the CPU',
                               ', '.join(available))
        options = onnxruntime.SessionOptions()
        # 0 is ONNX Runtime's own default: one thread per physical core.
        options.intra_op_num_threads = threads or 0
        options.inter_op_num_threads = 1
        # A chain of convolutions gains nothing from running operators in parallel; the full
        # graph optimisation fuses each convolution with its activation.
        options.execution_mode = onnxruntime.ExecutionMode.ORT_SEQUENTIAL
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        # Idle intra-op threads sleep instead of spinning: the cores are shared with the
        # request threads' JPEG decoding and pre-processing (and, on an edge node, the
        # other services), which a spinning pool would slow down.
        options.add_session_config_entry('session.intra_op.allow_spinning', '0')
        try:
            self._session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                                         providers=providers)
        except _onnxruntime_errors() as error:
            raise ValueError(f'ONNX Runtime cannot load {model}: {error}') from error
        model_input = self._session.get_inputs()[0]
        if model_input.type != 'tensor(float)':
            raise ValueError(f'{model} takes {model_input.type} input; only float32 '
                             f'(tensor(float)) models are supported')
        self._input_name = model_input.name
        used = self._session.get_providers()
        self.device = DEVICE_CUDA if set(_GPU_PROVIDERS) & set(used) else DEVICE_CPU
        if device == DEVICE_CUDA and len(providers) > 1 and self.device == DEVICE_CPU:
            LOGGER.warning('CUDA requested for YOLO but ONNX Runtime could not start '
                           'CUDAExecutionProvider (using: %s); running on the CPU',
                           ', '.join(used))

    def infer(self, blob: np.ndarray) -> list[np.ndarray]:
        """Run the session on ``blob``; return every output."""
        return self._session.run(None, {self._input_name: blob})


class OpenVinoRuntime:
    """OpenVINO CPU inference of an ONNX model, in OpenVINO's default precision for the CPU.

    That is bfloat16 where the CPU multiplies bf16 matrices natively (AMX, AVX-512 BF16) and
    float32 elsewhere; ``precision`` says which. On this project's Xeon (AMX), YOLOv3-tiny at
    416 px takes 8 ms on one thread in bf16 against 38 ms in float32, scores within 0.005 and
    boxes within an IoU of 0.99 of float32 on the test photos (tests/edge/test_yolo_detector).
    OpenVINO runs no CUDA: asking for it runs on the CPU with one warning.
    """

    runtime = 'openvino'
    device = DEVICE_CPU

    def __init__(self, model: Path, device: str, threads: int | None = None):
        """Compile ``model`` for the CPU with ``threads`` inference threads (None: all cores)."""
        try:
            import openvino
        except ImportError as error:
            raise ValueError('backend openvino needs the openvino package '
                             '(pip install liquid-edge[openvino])') from error
        if device == DEVICE_CUDA:
            LOGGER.warning('CUDA requested for YOLO but OpenVINO runs no CUDA; running '
                           'OpenVINO on the CPU (use --backend onnxruntime for CUDA)')
        config = {
            # One stream of ``threads`` threads: a detector runs one request at a time, and
            # the service runs one detector per worker thread.
            'PERFORMANCE_HINT': 'LATENCY', 'NUM_STREAMS': 1,
            'INFERENCE_NUM_THREADS': threads or 0,
            # Pinned threads of several detectors would all land on the first cores: two
            # one-thread detectors on 2 cores gave 100 frames/s pinned, 216 unpinned.
            'ENABLE_CPU_PINNING': False,
        }
        try:
            self._compiled = openvino.Core().compile_model(str(model), 'CPU', config)
        except RuntimeError as error:
            raise ValueError(f'OpenVINO cannot load {model}: {error}') from error
        model_input = self._compiled.inputs[0]
        if model_input.get_element_type() != openvino.Type.f32:
            raise ValueError(f'{model} takes {model_input.get_element_type().get_type_name()} '
                             f'input; only float32 (f32) models are supported')
        self.precision = self._compiled.get_property('INFERENCE_PRECISION_HINT').get_type_name()
        LOGGER.info('OpenVINO runs %s in %s', model.name, self.precision)
        self._request = self._compiled.create_infer_request()

    def infer(self, blob: np.ndarray) -> list[np.ndarray]:
        """Run the model on ``blob``; return every output (copies: the next run reuses them)."""
        outputs = self._request.infer({0: blob})
        return [np.array(outputs[output]) for output in self._compiled.outputs]


def _opencv_cuda_device_count() -> int:
    # OpenCV builds without the CUDA module have no cv2.cuda at all.
    cuda = getattr(cv2, 'cuda', None)
    return cuda.getCudaEnabledDeviceCount() if cuda is not None else 0


def _preload_cuda_libraries(onnxruntime: ModuleType) -> None:
    # onnxruntime-gpu (>= 1.21) finds the CUDA and cuDNN libraries installed from PyPI (the
    # nvidia-* packages of the CUDA image) only once they are loaded; where they are not
    # installed it tries the system's, and the CPU package returns at once.
    preload = getattr(onnxruntime, 'preload_dlls', None)
    if preload is not None:
        preload()


def _onnxruntime_errors() -> tuple[type[Exception], ...]:
    from onnxruntime.capi import onnxruntime_pybind11_state as state
    return (state.Fail, state.InvalidArgument, state.InvalidGraph, state.InvalidProtobuf,
            state.NoSuchFile, state.NotImplemented)
