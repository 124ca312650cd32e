# LIQUID EDGE. `make demo` runs the closed-loop simulation, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
ENV := source ./env.sh
DEMO_DURATION ?= 60
DEMO_SCENARIO ?= default
DEMO_SEED ?= 0

.PHONY: setup test test-ros test-top bench demo clean

setup:
	bash scripts/setup.sh

test: setup
	$(MAKE) --no-print-directory test-ros test-top

# colcon test alone exits 0 on test failures: ask it for a failing return code, and let
# colcon test-result (over fresh results only) fail the build on any failed test case.
# Sequential: the packages' node tests share DDS topics (cmd_vel, ...) on one domain.
test-ros:
	$(ENV) && cd ros2_ws && colcon test-result --delete-yes >/dev/null && \
	  colcon test --base-paths src --executor sequential --return-code-on-test-failure \
	    --event-handlers console_cohesion+ summary+ && \
	  colcon test-result --verbose

test-top:
	$(ENV) && python -m pytest tests

# Figures, not pass/fail: the edge services and YOLO's adaptive threads, the bridge against
# real edges, then whom the robot follows per scenario x 5 seeds and what the identity costs,
# then the handover link with adaptive encoding and with the original's fixed setting.
bench: setup
	$(ENV) && python benchmarks/bench_edge.py && python benchmarks/bench_yolo_threads.py && \
	  python benchmarks/bench_bridge.py && python benchmarks/bench_follow.py && \
	  python benchmarks/bench_link.py

demo: setup
	$(ENV) && python -m liquid_edge_sim.demo --duration $(DEMO_DURATION) --out out \
	  --scenario $(DEMO_SCENARIO) --seed $(DEMO_SEED) --params-file config/robot.yaml

clean:
	rm -rf ros2_ws/build ros2_ws/install ros2_ws/log out
