# syntax=docker/dockerfile:1.7
# LIQUID EDGE YOLOv3 object detection on an NVIDIA GPU (gRPC 50055, metrics 9055): the CPU
# image's service and model (yolodetection.Dockerfile) on ONNX Runtime's CUDA execution
# provider, with the service's CUDA defaults: one detector, batches of up to 8 frames.
# onnxruntime-gpu 1.31.1 is built for CUDA 13 and cuDNN 9; the host needs an NVIDIA driver
# for CUDA 13 (580 or newer) and the NVIDIA container toolkit.
# Base: the CPU images' python:slim, with CUDA and cuDNN from PyPI (requirements/cuda.txt)
# rather than an nvidia/cuda cudnn-runtime image: the same Python and Debian on CPU and GPU,
# every CUDA library pinned by pip beside the ORT release built against it, and only the
# libraries ORT loads (nvidia/cuda adds NPP, cuSPARSE, cuSOLVER... and Ubuntu's Python). The
# service calls onnxruntime.preload_dlls() on --device cuda, which loads them from
# site-packages (nvidia/cu13/lib, nvidia/cudnn/lib: the layout ORT 1.31.1 reads).
# TensorRT: the service asks ORT for its TensorRT provider first; that needs TensorRT 10's
# libraries (libnvinfer.so.10), which this image does not carry, so ORT logs a warning and
# runs the CUDA provider.
# Build from the repository root (nothing is compiled; the weights' checksum must be given):
#   docker build -f docker/yolodetection-cuda.Dockerfile \
#     --build-arg YOLOV3_WEIGHTS_SHA256=<sha256 of yolov3.weights> \
#     -t liquidedge/yolodetection-cuda:1.0.0 .

# The full YOLOv3 model, fetched once at build time and verified; never at run time.
FROM python:3.12.11-slim-bookworm AS model
# cfg and class names from a fixed darknet commit: their SHA-256 are of those exact files.
ARG DARKNET_COMMIT=f6afaabcdf85f77e7aff2ec55c020c0e297c77f9
ARG YOLOV3_CFG_SHA256=22489ea38575dfa36c67a90048e8759576416a79d32dc11e15d2217777b9a953
ARG COCO_NAMES_SHA256=634a1132eb33f8091d60f2c346ababe8b905ae08387037aed883953b7329af84
ARG YOLOV3_WEIGHTS_URL=https://pjreddie.com/media/files/yolov3.weights
# No default on purpose: the weights come from a mutable web server, so whoever builds
# states the checksum they verified, and the build refuses to go on without one.
ARG YOLOV3_WEIGHTS_SHA256
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
WORKDIR /models
RUN if [ -z "${YOLOV3_WEIGHTS_SHA256}" ]; then \
      echo 'YOLOV3_WEIGHTS_SHA256 is required: --build-arg YOLOV3_WEIGHTS_SHA256=<sha256>' >&2; \
      exit 1; \
    fi \
 && darknet="https://raw.githubusercontent.com/pjreddie/darknet/${DARKNET_COMMIT}" \
 && fetch() { \
      python -c 'import sys, urllib.request; urllib.request.urlretrieve(*sys.argv[1:])' "$@"; \
    } \
 && fetch "${darknet}/cfg/yolov3.cfg" yolov3.cfg \
 && fetch "${darknet}/data/coco.names" coco.names \
 && fetch "${YOLOV3_WEIGHTS_URL}" yolov3.weights \
 && printf '%s  %s\n' \
      "${YOLOV3_CFG_SHA256}" yolov3.cfg \
      "${COCO_NAMES_SHA256}" coco.names \
      "${YOLOV3_WEIGHTS_SHA256}" yolov3.weights \
    | sha256sum --strict --check -

FROM python:3.12.11-slim-bookworm AS build
WORKDIR /src
COPY requirements/base.txt requirements/cuda.txt requirements/
COPY protocol/ protocol/
COPY edge/ edge/
# The project's pins constrain the image too, the protocol's build environment included;
# cuda.txt pins onnxruntime-gpu and its CUDA libraries. liquid-edge goes without its [onnx]
# extra, which would bring the CPU onnxruntime.
ENV PIP_CONSTRAINT="/src/requirements/base.txt /src/requirements/cuda.txt" \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip wheel --no-cache-dir --wheel-dir /wheels ./protocol ./edge 'onnxruntime-gpu[cuda,cudnn]'

FROM python:3.12.11-slim-bookworm
# The NVIDIA container toolkit mounts the driver's compute libraries and refuses a driver too
# old for CUDA 13, as for the nvidia/cuda images, which set the same variables.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LIQUID_EDGE_MODEL_CACHE=/opt/liquid-edge/cache \
    NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    NVIDIA_REQUIRE_CUDA="cuda>=13.0"
RUN groupadd --system --gid 10001 edge \
 && useradd --system --uid 10001 --gid edge --no-create-home --shell /usr/sbin/nologin edge
# Only the wheels built above; the build fails if the CPU onnxruntime got in beside the GPU
# one, or if this ORT lacks the CUDA provider (listed without a GPU: it is compiled in).
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    --mount=type=bind,from=build,source=/src/requirements,target=/requirements \
    pip install --no-cache-dir --no-index --find-links=/wheels \
      --constraint /requirements/base.txt --constraint /requirements/cuda.txt \
      liquid-edge 'onnxruntime-gpu[cuda,cudnn]' \
 && if pip show --quiet onnxruntime; then \
      echo 'the CPU onnxruntime is installed beside onnxruntime-gpu' >&2; \
      exit 1; \
    fi \
 && python -c 'import onnxruntime; \
assert "CUDAExecutionProvider" in onnxruntime.get_available_providers()'
COPY --from=model /models /opt/liquid-edge/models
# Convert the Darknet model to ONNX now (no GPU needed), into the cache the service reads at
# start, at the service's default input size.
RUN python -c 'import pathlib; \
from liquid_edge.yolo.detector import DEFAULT_INPUT_SIZE; \
from liquid_edge.yolo.onnx_cache import darknet_as_onnx, default_cache_dir; \
m = pathlib.Path("/opt/liquid-edge/models"); \
darknet_as_onnx(m / "yolov3.cfg", m / "yolov3.weights", DEFAULT_INPUT_SIZE, default_cache_dir())'
COPY --chmod=0755 docker/grpc_health_check.py /usr/local/bin/grpc-health-check
USER 10001:10001
EXPOSE 50055 9055
# Loading cuDNN and initialising CUDA take longer than the CPU image's start.
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
  CMD ["grpc-health-check", "127.0.0.1:50055", "liquidedge.v1.Detector"]
ENTRYPOINT ["yolodetection"]
CMD ["--model", "/opt/liquid-edge/models/yolov3.cfg", \
     "--weights", "/opt/liquid-edge/models/yolov3.weights", \
     "--names", "/opt/liquid-edge/models/coco.names", \
     "--backend", "onnxruntime", "--device", "cuda"]
