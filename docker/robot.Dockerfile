# syntax=docker/dockerfile:1.7
# LIQUID EDGE robot: the ROS 2 Jazzy workspace (camera, driver, edge bridge, follow) started
# by `ros2 launch liquid_edge_bringup robot.launch.py`. Multi-arch (linux/arm64 for the
# robot's Raspberry Pi, linux/amd64 for a laptop); build from the repository root:
#   docker buildx build --platform linux/arm64,linux/amd64 -f docker/robot.Dockerfile \
#     -t <registry>/liquidedge/robot:1.0.0 --push .
FROM ros:jazzy-ros-base-noble
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /opt/liquid-edge
# The repository's layout is kept: liquid_edge_bringup's launch/ and config/ are symlinks
# to the top-level folders. vision_msgs comes from apt (ros-jazzy-vision-msgs), so the
# compat copy in ros2_ws/compat is deliberately not copied.
COPY ros2_ws/src ros2_ws/src
COPY launch launch
COPY config config
COPY protocol protocol
COPY requirements/base.txt requirements/base.txt
# rosdep resolves every package.xml dependency to Jazzy's apt packages (vision_msgs,
# cv_bridge, python3-opencv, ...); test dependencies are left out of the image, and grpcio
# comes from the venv below.
RUN apt-get update \
 && rosdep update --rosdistro "${ROS_DISTRO}" \
 && rosdep install --from-paths ros2_ws/src --ignore-src --rosdistro "${ROS_DISTRO}" -y \
      --dependency-types build --dependency-types buildtool \
      --dependency-types build_export --dependency-types exec \
      --skip-keys python3-grpcio \
 && rm -rf /var/lib/apt/lists/*
# Ubuntu noble's python3-grpcio/protobuf are older than the generated stubs need, so the
# protocol goes into a venv that still sees the apt-installed ROS Python packages; pip
# never touches the system site-packages (no --break-system-packages).
RUN python3 -m venv --system-site-packages venv \
 && touch venv/COLCON_IGNORE \
 && PIP_CONSTRAINT=/opt/liquid-edge/requirements/base.txt \
    venv/bin/pip install --no-cache-dir ./protocol
# DJI's robomaster SDK wheels stop at Python 3.8, so the driver's sdk backend needs a source
# named at build time (docs/deploy.md); without one the image runs the sim backend only.
ARG ROBOMASTER_SDK=""
RUN if [ -n "${ROBOMASTER_SDK}" ]; then \
      venv/bin/pip install --no-cache-dir "${ROBOMASTER_SDK}"; \
    fi
# colcon runs under the venv's interpreter so the nodes' entry points use it too.
RUN . "/opt/ros/${ROS_DISTRO}/setup.bash" \
 && venv/bin/python -m colcon build --base-paths ros2_ws/src \
      --build-base /tmp/colcon-build --install-base install \
      --event-handlers console_cohesion- summary+ --cmake-args -DBUILD_TESTING=OFF \
 && rm -rf /tmp/colcon-build log
# Neither the camera (video group: --group-add video) nor the chassis' RNDIS link needs root.
RUN groupadd --system --gid 10001 robot \
 && useradd --system --uid 10001 --gid robot --groups video --create-home \
      --shell /usr/sbin/nologin robot
USER 10001:10001
ENV ROS_LOG_DIR=/tmp/ros-log
# No gRPC port is served here: health is whether the launch's processes are running.
HEALTHCHECK NONE
ENTRYPOINT ["/bin/bash", "-c", "source /opt/liquid-edge/install/setup.bash && exec \"$@\"", "--"]
CMD ["ros2", "launch", "liquid_edge_bringup", "robot.launch.py"]
