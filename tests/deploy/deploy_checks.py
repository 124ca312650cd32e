"""Shared paths and helpers of the offline deployment checks (no fixtures here).

The tools come from ``.tools-venv`` (``make setup`` installs ``requirements/tools.txt`` there;
their dependencies conflict with the project's pins, so they get their own venv), else from
PATH. A test whose tool is missing is skipped with the reason; CI always has them.
"""
import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
KUBE = ROOT / 'kube'
DOCKER = ROOT / 'docker'
SCHEMAS = pathlib.Path(__file__).resolve().parent / 'schemas'
TOOLS_BIN = ROOT / '.tools-venv' / 'bin'

#: Every kustomization meant to be applied, by the name the tests use.
OVERLAYS = {
    'base': KUBE / 'base',
    'cpu': KUBE / 'overlays' / 'cpu',
    'gpu': KUBE / 'overlays' / 'gpu',
    'daemonset': KUBE / 'overlays' / 'daemonset',
    'sites': KUBE / 'sites',
}


def find_tool(name):
    """Path of a check tool from .tools-venv or PATH; skips the test when it is absent."""
    candidate = TOOLS_BIN / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        pytest.skip(f'{name} is not installed: run `make setup` (requirements/tools.txt '
                    'into .tools-venv)')
    return found


def run_tool(args, timeout=300):
    """Run a tool to completion and return the CompletedProcess (text output)."""
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)


def workloads(resources):
    """(resource, pod spec) of every Deployment and DaemonSet in a rendered overlay."""
    return [(res, res['spec']['template']['spec']) for res in resources
            if res['kind'] in ('Deployment', 'DaemonSet')]


def by_kind(resources, kind):
    """Return the resources of one kind in a rendered overlay."""
    return [res for res in resources if res['kind'] == kind]
