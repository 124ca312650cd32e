"""Rendered manifests against the API schemas: Kubernetes' own, Istio's and KEDA's CRDs.

Core kinds go through kubernetes-validate (schemas shipped offline) in strict mode, as
`kubectl apply` rejects unknown fields. Custom resources go through check-jsonschema with the
openAPIV3Schema of their CRD (vendored in schemas/, see its README), closed the same way.
"""
import copy
import json

from deploy_checks import find_tool, OVERLAYS, run_tool, SCHEMAS
import pytest
import yaml

#: The oldest Kubernetes release we support (docs/deploy.md) and the newest one validated.
KUBERNETES_VERSIONS = ['1.30.0', '1.37.0']

#: (apiVersion, kind) of every custom resource kube/ uses, and its vendored schema.
CRD_SCHEMAS = {
    ('networking.istio.io/v1', 'Gateway'): 'networking.istio.io_gateway_v1.json',
    ('networking.istio.io/v1', 'VirtualService'): 'networking.istio.io_virtualservice_v1.json',
    ('networking.istio.io/v1', 'DestinationRule'):
        'networking.istio.io_destinationrule_v1.json',
    ('security.istio.io/v1', 'PeerAuthentication'):
        'security.istio.io_peerauthentication_v1.json',
    ('security.istio.io/v1', 'AuthorizationPolicy'):
        'security.istio.io_authorizationpolicy_v1.json',
    ('keda.sh/v1alpha1', 'ScaledObject'): 'keda.sh_scaledobject_v1alpha1.json',
}


def closed(schema):
    """Return a copy of a CRD schema that rejects unknown fields below the top level.

    This is what the API server's strict field validation does, except where the CRD
    preserves unknown fields. The top level stays open: apiVersion, kind and metadata are
    the API server's, not in the CRD's schema.
    """
    schema = copy.deepcopy(schema)
    stack = list(schema.get('properties', {}).values())
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if ('properties' in node and 'additionalProperties' not in node
                    and not node.get('x-kubernetes-preserve-unknown-fields')):
                node['additionalProperties'] = False
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return schema


def is_core(resource):
    """Whether a resource's API group is Kubernetes' own (core, apps, *.k8s.io, ...)."""
    group = resource['apiVersion'].rpartition('/')[0]
    return '.' not in group or group.endswith('.k8s.io')


def crd_schema():
    """Return one schema for every vendored custom resource kind, chosen by apiVersion/kind.

    One schema lets a single check-jsonschema run validate a whole overlay.
    """
    branches = []
    for (api_version, kind), schema_name in CRD_SCHEMAS.items():
        branches.append({
            'if': {'properties': {'apiVersion': {'const': api_version},
                                  'kind': {'const': kind}},
                   'required': ['apiVersion', 'kind']},
            'then': closed(json.loads((SCHEMAS / schema_name).read_text())),
        })
    return {'$schema': 'http://json-schema.org/draft-07/schema#', 'allOf': branches}


def validate_custom(resources, tmp_path):
    """Validate custom resources with check-jsonschema, one file per resource.

    Return the CompletedProcess and the kinds validated.
    """
    checker = find_tool('check-jsonschema')
    schema_file = tmp_path / 'crd-schema.json'
    schema_file.write_text(json.dumps(crd_schema()))
    instances = [r for r in resources if (r['apiVersion'], r['kind']) in CRD_SCHEMAS]
    files = []
    for index, instance in enumerate(instances):
        path = tmp_path / f'{index}-{instance["kind"]}-{instance["metadata"]["name"]}.json'
        path.write_text(json.dumps(instance))
        files.append(str(path))
    result = run_tool([checker, '--schemafile', str(schema_file), *files])
    return result, {r['kind'] for r in instances}


@pytest.mark.parametrize('version', KUBERNETES_VERSIONS)
@pytest.mark.parametrize('overlay', OVERLAYS)
def test_core_resources_match_kubernetes_schemas(rendered, overlay, version, tmp_path):
    validator = find_tool('kubernetes-validate')
    core = [r for r in rendered[overlay] if is_core(r)]
    custom = {(r['apiVersion'], r['kind']) for r in rendered[overlay] if not is_core(r)}
    assert custom <= set(CRD_SCHEMAS), f'no vendored schema for {custom - set(CRD_SCHEMAS)}'
    path = tmp_path / f'{overlay}.yaml'
    path.write_text(yaml.safe_dump_all(core))
    result = run_tool([validator, '--kubernetes-version', version, '--strict', '--quiet',
                       str(path)])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_custom_resources_match_their_crd_schemas(rendered, overlay, tmp_path):
    result, kinds = validate_custom(rendered[overlay], tmp_path)
    assert {'Gateway', 'VirtualService', 'DestinationRule', 'PeerAuthentication',
            'AuthorizationPolicy'} <= kinds
    assert result.returncode == 0, result.stdout + result.stderr


def test_crd_validation_rejects_a_misspelt_field(rendered, tmp_path):
    rule = next(r for r in rendered['base'] if r['kind'] == 'DestinationRule')
    broken = copy.deepcopy(rule)
    policy = broken['spec']['trafficPolicy']
    policy['outlierDetecton'] = policy.pop('outlierDetection')
    result, _ = validate_custom([broken], tmp_path)
    assert result.returncode != 0
    assert 'outlierDetecton' in result.stdout


def test_core_validation_rejects_a_misspelt_field(rendered, tmp_path):
    validator = find_tool('kubernetes-validate')
    deployment = next(r for r in rendered['base'] if r['kind'] == 'Deployment')
    broken = copy.deepcopy(deployment)
    container = broken['spec']['template']['spec']['containers'][0]
    container['readinesProbe'] = container.pop('readinessProbe')
    path = tmp_path / 'broken.yaml'
    path.write_text(yaml.safe_dump(broken))
    result = run_tool([validator, '--kubernetes-version', KUBERNETES_VERSIONS[0], '--strict',
                       '--quiet', str(path)])
    assert result.returncode != 0
    assert 'readinesProbe' in result.stdout + result.stderr
