# LIQUID EDGE. `make demo` runs the closed-loop simulation, `make test` runs every test.
SHELL := /bin/bash
.SHELLFLAGS := -eo pipefail -c
ENV := source ./env.sh
DEMO_DURATION ?= 60

.PHONY: setup test test-ros test-top bench demo clean

setup:
	bash scripts/setup.sh

test: setup
	$(MAKE) --no-print-directory test-ros test-top

# colcon test exits 0 on test failures; colcon test-result is what fails the build.
test-ros:
	$(ENV) && cd ros2_ws && rm -rf build/*/test_results && \
	  colcon test --base-paths src --event-handlers console_cohesion+ summary+ && \
	  colcon test-result --verbose

test-top:
	$(ENV) && python -m pytest tests

bench: setup
	$(ENV) && python -m liquid_edge.bench

demo: setup
	$(ENV) && liquid-edge-demo --duration $(DEMO_DURATION) --out out

clean:
	rm -rf ros2_ws/build ros2_ws/install ros2_ws/log out
