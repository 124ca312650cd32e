# syntax=docker/dockerfile:1.7
# LIQUID EDGE YOLOv3 object detection on the CPU: OpenVINO (bfloat16 on CPUs with bf16 matrix
# units, float32 elsewhere; ONNX Runtime stays installed for --backend onnxruntime and int8),
# the Darknet model converted to ONNX at build time (gRPC 50055, metrics 9055). The CUDA variant is yolodetection-cuda.Dockerfile.
# Build from the repository root; the weights' checksum must be given (see docs/deploy.md):
#   docker build -f docker/yolodetection.Dockerfile \
#     --build-arg YOLOV3_WEIGHTS_SHA256=<sha256 of yolov3.weights> \
#     -t liquidedge/yolodetection:1.0.0 .

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
COPY requirements/base.txt requirements/base.txt
COPY protocol/ protocol/
COPY edge/ edge/
# The project's pins constrain the image too, the protocol's build environment included.
ENV PIP_CONSTRAINT=/src/requirements/base.txt PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip wheel --no-cache-dir --wheel-dir /wheels ./protocol './edge[onnx,openvino]'

FROM python:3.12.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LIQUID_EDGE_MODEL_CACHE=/opt/liquid-edge/cache
RUN groupadd --system --gid 10001 edge \
 && useradd --system --uid 10001 --gid edge --no-create-home --shell /usr/sbin/nologin edge
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/liquid_edge-*.whl \
      /wheels/onnxruntime-*.whl /wheels/openvino-*.whl
COPY --from=model /models /opt/liquid-edge/models
# Convert the Darknet model to ONNX now, into the cache the service reads at start.
RUN python -c 'import pathlib; \
from liquid_edge.yolo.onnx_cache import darknet_as_onnx, default_cache_dir; \
m = pathlib.Path("/opt/liquid-edge/models"); \
darknet_as_onnx(m / "yolov3.cfg", m / "yolov3.weights", 416, default_cache_dir())'
COPY --chmod=0755 docker/grpc_health_check.py /usr/local/bin/grpc-health-check
USER 10001:10001
EXPOSE 50055 9055
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["grpc-health-check", "127.0.0.1:50055", "liquidedge.v1.Detector"]
ENTRYPOINT ["yolodetection"]
CMD ["--model", "/opt/liquid-edge/models/yolov3.cfg", \
     "--weights", "/opt/liquid-edge/models/yolov3.weights", \
     "--names", "/opt/liquid-edge/models/coco.names", \
     "--backend", "openvino", "--device", "cpu"]
