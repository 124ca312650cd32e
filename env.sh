# Source me: `source env.sh`. Activates .venv and the ros2_ws overlay, loopback-only DDS.
_le_root="$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")" && pwd)"
if [ ! -x "$_le_root/.venv/bin/python" ]; then
  echo "env.sh: run 'make setup' first" >&2
  return 1 2>/dev/null || exit 1
fi
# shellcheck disable=SC1091
source "$_le_root/.venv/bin/activate"
export AMENT_PREFIX_PATH="${AMENT_PREFIX_PATH:+$AMENT_PREFIX_PATH:}$VIRTUAL_ENV"
if [ -f "$_le_root/ros2_ws/install/setup.bash" ]; then
  # shellcheck disable=SC1091
  source "$_le_root/ros2_ws/install/setup.bash"
fi
# Keep DDS discovery on this machine (Jazzy and later; ROS_LOCALHOST_ONLY on Humble).
export ROS_AUTOMATIC_DISCOVERY_RANGE="${ROS_AUTOMATIC_DISCOVERY_RANGE:-LOCALHOST}"
if [ "${ROS_DISTRO:-}" = humble ]; then export ROS_LOCALHOST_ONLY=1; fi
export RMW_IMPLEMENTATION="${RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}"
export LIQUID_EDGE_ROOT="$_le_root"
unset _le_root
