# syntax=docker/dockerfile:1.7
# LIQUID EDGE YOLOv3 object detection on an NVIDIA GPU (gRPC 50055, metrics 9055).
# Runtime: OpenCV DNN's CUDA backend (CUDA 12.6, cuDNN 9), OpenCV built here from source
# because PyPI's OpenCV wheels have no CUDA; the Darknet model runs as in the CPU image.
# Needs an NVIDIA driver >= 560 and the NVIDIA container toolkit on the host.
# Build from the repository root (OpenCV's CUDA build takes about an hour):
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

# The project's own packages: pure-Python wheels, built with the project's pins.
FROM python:3.12.11-slim-bookworm AS wheels
WORKDIR /src
COPY requirements/base.txt requirements/base.txt
COPY protocol/ protocol/
COPY edge/ edge/
ENV PIP_CONSTRAINT=/src/requirements/base.txt PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels ./protocol ./edge

# OpenCV with the CUDA DNN backend, built against the venv's NumPy so their ABIs match.
FROM nvidia/cuda:12.6.3-cudnn-devel-ubuntu24.04 AS opencv
# The same OpenCV release as the CPU images (opencv-python-headless in requirements/base.txt).
ARG OPENCV_VERSION=4.14.0
# Turing, Ampere, Ada and Hopper; narrow it to the site's GPUs for a faster build.
ARG CUDA_ARCH_BIN="7.5 8.0 8.6 8.9 9.0"
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Package versions follow the Ubuntu release that the pinned CUDA image is built on.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates cmake g++ git ninja-build python3-dev python3-venv \
 && rm -rf /var/lib/apt/lists/*
COPY requirements/base.txt /tmp/base.txt
# The service and its dependencies first, then out goes PyPI's CPU-only OpenCV: its cv2
# would shadow the CUDA build installed into the same site-packages below.
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels \
    python3 -m venv /opt/liquid-edge/venv \
 && /opt/liquid-edge/venv/bin/pip install --no-cache-dir --constraint /tmp/base.txt \
      --find-links=/wheels /wheels/liquid_edge-*.whl \
 && /opt/liquid-edge/venv/bin/pip uninstall --yes opencv-python-headless
RUN for repository in opencv opencv_contrib; do \
      git clone --depth 1 --branch "${OPENCV_VERSION}" \
        "https://github.com/opencv/${repository}.git" "/src/${repository}"; \
    done \
 && site_packages="$(/opt/liquid-edge/venv/bin/python -c \
      'import sysconfig; print(sysconfig.get_path("purelib"))')" \
 && cmake -S /src/opencv -B /build -G Ninja \
      -D CMAKE_BUILD_TYPE=Release \
      -D CMAKE_INSTALL_PREFIX=/opt/opencv \
      -D OPENCV_EXTRA_MODULES_PATH=/src/opencv_contrib/modules \
      -D BUILD_LIST=core,imgproc,imgcodecs,dnn,objdetect,cudev,python3 \
      -D WITH_CUDA=ON -D WITH_CUDNN=ON -D OPENCV_DNN_CUDA=ON \
      -D CUDA_ARCH_BIN="${CUDA_ARCH_BIN}" -D CUDA_ARCH_PTX="" \
      -D WITH_GTK=OFF -D WITH_QT=OFF -D WITH_FFMPEG=OFF -D WITH_GSTREAMER=OFF \
      -D BUILD_TESTS=OFF -D BUILD_PERF_TESTS=OFF -D BUILD_EXAMPLES=OFF -D BUILD_opencv_apps=OFF \
      -D PYTHON3_EXECUTABLE=/opt/liquid-edge/venv/bin/python \
      -D OPENCV_PYTHON3_INSTALL_PATH="${site_packages}" \
 && cmake --build /build \
 && cmake --install /build \
 && rm -rf /build /src

FROM nvidia/cuda:12.6.3-cudnn-runtime-ubuntu24.04
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    PATH=/opt/liquid-edge/venv/bin:${PATH} \
    LD_LIBRARY_PATH=/opt/opencv/lib
# Package versions follow the Ubuntu release that the pinned CUDA image is built on.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 edge \
 && useradd --system --uid 10001 --gid edge --no-create-home --shell /usr/sbin/nologin edge
COPY --from=opencv /opt/opencv /opt/opencv
COPY --from=opencv /opt/liquid-edge/venv /opt/liquid-edge/venv
COPY --from=model /models /opt/liquid-edge/models
COPY --chmod=0755 docker/grpc_health_check.py /usr/local/bin/grpc-health-check
USER 10001:10001
EXPOSE 50055 9055
HEALTHCHECK --interval=10s --timeout=5s --start-period=90s --retries=3 \
  CMD ["grpc-health-check", "127.0.0.1:50055", "liquidedge.v1.Detector"]
ENTRYPOINT ["yolodetection"]
CMD ["--model", "/opt/liquid-edge/models/yolov3.cfg", \
     "--weights", "/opt/liquid-edge/models/yolov3.weights", \
     "--names", "/opt/liquid-edge/models/coco.names", \
     "--backend", "opencv", "--device", "cuda"]
