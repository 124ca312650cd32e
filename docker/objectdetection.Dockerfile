# syntax=docker/dockerfile:1.7
# LIQUID EDGE ingress: aggregates the face and YOLO services (gRPC 50051, metrics 9051).
# Build from the repository root:
#   docker build -f docker/objectdetection.Dockerfile -t liquidedge/objectdetection:1.0.0 .

FROM python:3.12.11-slim-bookworm AS build
WORKDIR /src
COPY requirements/base.txt requirements/base.txt
COPY protocol/ protocol/
COPY edge/ edge/
# The project's pins constrain the image too, the protocol's build environment included.
ENV PIP_CONSTRAINT=/src/requirements/base.txt PIP_DISABLE_PIP_VERSION_CHECK=1
RUN pip wheel --no-cache-dir --wheel-dir /wheels ./protocol ./edge

FROM python:3.12.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN groupadd --system --gid 10001 edge \
 && useradd --system --uid 10001 --gid edge --no-create-home --shell /usr/sbin/nologin edge
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-cache-dir --no-index --find-links=/wheels /wheels/liquid_edge-*.whl
COPY --chmod=0755 docker/grpc_health_check.py /usr/local/bin/grpc-health-check
USER 10001:10001
EXPOSE 50051 9051
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["grpc-health-check", "127.0.0.1:50051", "liquidedge.v1.Detector"]
ENTRYPOINT ["objectdetection"]
