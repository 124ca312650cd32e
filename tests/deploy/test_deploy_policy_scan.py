"""Policy scanners: checkov on the rendered manifests and the Dockerfiles, hadolint.

A check we do not meet on purpose is skipped where it applies, with its reason, in the
manifest itself (checkov.io/skip annotations); these tests fail on any other finding.
"""
from deploy_checks import DOCKER, find_tool, run_tool
import pytest

DOCKERFILES = sorted(DOCKER.glob('*.Dockerfile'))

#: The only checks skipped in kube/, and why (the manifests carry the same reason).
ACCEPTED_SKIPS = {
    # Git pins image tags; a release pins digests with `kustomize edit set image`.
    'CKV_K8S_43',
    # IfNotPresent: an edge node restarts pods while its registry uplink is down.
    'CKV_K8S_15',
}


def failures(report):
    """One readable line per failed check of a checkov report."""
    return [f'{c["check_id"]} {c["check_name"]}: {c["resource"]} ({c["file_path"]})'
            for c in report['results']['failed_checks']]


def test_checkov_finds_nothing_in_the_rendered_manifests(checkov_kubernetes):
    assert checkov_kubernetes['summary']['parsing_errors'] == 0
    assert checkov_kubernetes['summary']['passed'] > 0
    assert not failures(checkov_kubernetes), '\n'.join(failures(checkov_kubernetes))


def test_checkov_skips_only_accepted_checks_and_says_why(checkov_kubernetes):
    skipped = checkov_kubernetes['results']['skipped_checks']
    assert {check['check_id'] for check in skipped} <= ACCEPTED_SKIPS
    for check in skipped:
        assert len(check['check_result'].get('suppress_comment', '')) > 20, check['resource']


def test_checkov_finds_nothing_in_the_dockerfiles(checkov_dockerfile):
    assert checkov_dockerfile['summary']['parsing_errors'] == 0
    assert checkov_dockerfile['summary']['resource_count'] == len(DOCKERFILES)
    assert not failures(checkov_dockerfile), '\n'.join(failures(checkov_dockerfile))
    assert not checkov_dockerfile['results']['skipped_checks']


@pytest.mark.parametrize('dockerfile', DOCKERFILES, ids=lambda path: path.name)
def test_hadolint_accepts_the_dockerfile(dockerfile):
    hadolint = find_tool('hadolint')
    result = run_tool([hadolint, '--no-color', str(dockerfile)])
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_rejects_an_unpinned_root_image(tmp_path):
    hadolint = find_tool('hadolint')
    dockerfile = tmp_path / 'bad.Dockerfile'
    dockerfile.write_text('FROM python:latest\nRUN pip install grpcio\n')
    result = run_tool([hadolint, '--no-color', str(dockerfile)])
    assert result.returncode != 0
    assert 'DL3007' in result.stdout and 'DL3013' in result.stdout
