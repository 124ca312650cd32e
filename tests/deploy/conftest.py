"""Session fixtures of the offline deployment checks: kubectl, rendered overlays, checkov."""
import json
import re

from deploy_checks import DOCKER, find_tool, OVERLAYS, run_tool
import pytest
import yaml

#: Components, patches and `labels` need kustomize v5 (kubectl >= 1.27).
MIN_KUSTOMIZE_MAJOR = 5


@pytest.fixture(scope='session')
def kubectl():
    """Return a kubectl whose embedded kustomize is new enough for kube/."""
    path = find_tool('kubectl')
    version = run_tool([path, 'version', '--client'])
    match = re.search(r'Kustomize Version: v(\d+)', version.stdout)
    if match is None or int(match.group(1)) < MIN_KUSTOMIZE_MAJOR:
        pytest.skip(f'{path} embeds kustomize older than v{MIN_KUSTOMIZE_MAJOR} '
                    f'({version.stdout.strip()!r}); `make setup` installs a pinned kubectl')
    return path


@pytest.fixture(scope='session')
def rendered_dir(kubectl, tmp_path_factory):
    """Every overlay rendered once with `kubectl kustomize`, one YAML file per overlay."""
    out = tmp_path_factory.mktemp('rendered')
    for name, path in OVERLAYS.items():
        result = run_tool([kubectl, 'kustomize', str(path)])
        assert result.returncode == 0, f'kustomize {name} failed:\n{result.stderr}'
        (out / f'{name}.yaml').write_text(result.stdout)
    return out


@pytest.fixture(scope='session')
def rendered(rendered_dir):
    """Return the rendered resources by overlay name, a list of dicts per overlay."""
    return {name: [doc for doc in yaml.safe_load_all((rendered_dir / f'{name}.yaml').read_text())
                   if doc]
            for name in OVERLAYS}


def run_checkov(directory, framework):
    """Run checkov once on a directory for one framework; return its JSON report."""
    checkov = find_tool('checkov')
    # --skip-download: no network here, and no scan should depend on one.
    result = run_tool([checkov, '--directory', str(directory), '--framework', framework,
                       '--skip-download', '--compact', '--output', 'json'], timeout=600)
    assert result.returncode in (0, 1), f'checkov did not run:\n{result.stderr[-4000:]}'
    report = json.loads(result.stdout)
    assert report['check_type'] == framework, report
    return report


@pytest.fixture(scope='session')
def checkov_kubernetes(rendered_dir):
    """Return checkov's report on every rendered overlay (run once: it takes seconds)."""
    return run_checkov(rendered_dir, 'kubernetes')


@pytest.fixture(scope='session')
def checkov_dockerfile():
    """Return checkov's report on docker/."""
    return run_checkov(DOCKER, 'dockerfile')
