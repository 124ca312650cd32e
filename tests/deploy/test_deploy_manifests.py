"""What the rendered Kubernetes and Istio manifests must say, overlay by overlay."""
import json

from deploy_checks import by_kind, OVERLAYS, workloads
import pytest

GRPC_PORTS = {50051, 50053, 50055}
GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'
SITE_GATEWAY_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-{}-service-account'
INGRESS_PRINCIPAL = 'cluster.local/ns/liquid-edge/sa/objectdetection'


def containers(resources):
    """(workload name, pod spec, container) of every container in a rendered overlay."""
    return [(res['metadata']['name'], pod, container)
            for res, pod in workloads(resources) for container in pod['containers']]


def named(resources, kind, name):
    """Return the one resource of this kind and name."""
    matches = [res for res in by_kind(resources, kind) if res['metadata']['name'] == name]
    assert len(matches) == 1, f'{kind}/{name}: {len(matches)} found'
    return matches[0]


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_every_overlay_has_workloads_in_the_namespace(rendered, overlay):
    resources = rendered[overlay]
    assert workloads(resources)
    for res in resources:
        if res['kind'] != 'Namespace':
            assert res['metadata'].get('namespace') == 'liquid-edge', res['metadata']


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_every_container_runs_non_root_read_only_without_capabilities(rendered, overlay):
    for name, pod, container in containers(rendered[overlay]):
        pod_security = pod['securityContext']
        security = container['securityContext']
        assert pod_security['runAsNonRoot'] is True, name
        assert pod_security['runAsUser'] > 0, name
        assert pod_security['seccompProfile']['type'] == 'RuntimeDefault', name
        assert security['runAsNonRoot'] is True, name
        assert security['readOnlyRootFilesystem'] is True, name
        assert security['allowPrivilegeEscalation'] is False, name
        assert security['capabilities']['drop'] == ['ALL'], name
        assert 'add' not in security['capabilities'], name
        assert pod['automountServiceAccountToken'] is False, name


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_every_container_has_requests_and_limits(rendered, overlay):
    for name, _, container in containers(rendered[overlay]):
        resources = container['resources']
        for section in ('requests', 'limits'):
            assert {'cpu', 'memory'} <= set(resources[section]), (name, container['name'])


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_every_grpc_port_is_named_grpc(rendered, overlay):
    resources = rendered[overlay]
    seen = set()
    for name, _, container in containers(resources):
        for port in container['ports']:
            if port['containerPort'] in GRPC_PORTS:
                seen.add(port['containerPort'])
                assert port['name'].startswith('grpc'), (name, port)
    for service in by_kind(resources, 'Service'):
        for port in service['spec']['ports']:
            assert port['name'].startswith('grpc'), (service['metadata']['name'], port)
            assert port['appProtocol'] == 'grpc', (service['metadata']['name'], port)
    assert seen == GRPC_PORTS


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_every_grpc_container_has_native_grpc_probes(rendered, overlay):
    for name, _, container in containers(rendered[overlay]):
        grpc_port = next(p['containerPort'] for p in container['ports']
                         if p['containerPort'] in GRPC_PORTS)
        readiness = container['readinessProbe']['grpc']
        liveness = container['livenessProbe']['grpc']
        assert readiness == {'port': grpc_port, 'service': 'liquidedge.v1.Detector'}, name
        assert liveness['port'] == grpc_port, name


@pytest.mark.parametrize('overlay', ['base', 'cpu', 'gpu', 'sites'])
def test_every_deployment_has_a_disruption_budget_and_an_autoscaler(rendered, overlay):
    resources = rendered[overlay]
    budgets = [pdb['spec']['selector']['matchLabels'] for pdb in
               by_kind(resources, 'PodDisruptionBudget')]
    scaled = {hpa['spec']['scaleTargetRef']['name'] for hpa in
              by_kind(resources, 'HorizontalPodAutoscaler') + by_kind(resources, 'ScaledObject')}
    for deployment in by_kind(resources, 'Deployment'):
        name = deployment['metadata']['name']
        assert deployment['spec']['selector']['matchLabels'] in budgets, name
        assert name in scaled, name


@pytest.mark.parametrize('overlay', ['base', 'cpu', 'gpu', 'sites'])
def test_no_workload_is_scaled_by_two_autoscalers(rendered, overlay):
    resources = rendered[overlay]
    targets = [res['spec']['scaleTargetRef']['name'] for res in
               by_kind(resources, 'HorizontalPodAutoscaler') + by_kind(resources, 'ScaledObject')]
    assert len(targets) == len(set(targets)), targets


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_namespace_has_istio_injection_and_strict_mtls(rendered, overlay):
    resources = rendered[overlay]
    namespace = named(resources, 'Namespace', 'liquid-edge')
    assert namespace['metadata']['labels']['istio-injection'] == 'enabled'
    peer = named(resources, 'PeerAuthentication', 'default')
    assert peer['spec'] == {'mtls': {'mode': 'STRICT'}}
    assert named(resources, 'AuthorizationPolicy', 'allow-nothing')['spec'] == {}


def test_gpu_overlay_runs_yolo_on_a_gpu(rendered):
    deployment = named(rendered['gpu'], 'Deployment', 'yolodetection')
    pod = deployment['spec']['template']['spec']
    container, = pod['containers']
    assert container['resources']['limits']['nvidia.com/gpu'] == 1
    assert pod['runtimeClassName'] == 'nvidia'
    assert 'yolodetection-cuda' in container['image']
    settings, = by_kind(rendered['gpu'], 'ConfigMap')
    assert settings['data']['YOLO_DEVICE'] == 'cuda'
    assert settings['data']['YOLO_BACKEND'] == 'onnxruntime'
    assert '--device=$(YOLO_DEVICE)' in container['args']
    assert '--backend=$(YOLO_BACKEND)' in container['args']


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_yolo_runs_on_openvino_on_cpus_and_onnx_runtime_on_gpus(rendered, overlay):
    # The service's defaults (issue 10): no overlay deploys OpenCV DNN.
    for settings in by_kind(rendered[overlay], 'ConfigMap'):
        if 'YOLO_BACKEND' in settings['data']:
            gpu = settings['data'].get('YOLO_DEVICE') == 'cuda'
            assert settings['data']['YOLO_BACKEND'] == (
                'onnxruntime' if gpu else 'openvino'), overlay
    backends = [arg for _, _, container in containers(rendered[overlay])
                for arg in container.get('args', []) if arg.startswith('--backend=')]
    assert backends and all(arg in ('--backend=$(YOLO_BACKEND)', '--backend=onnxruntime')
                            for arg in backends), backends


def test_cpu_overlay_requests_no_gpu(rendered):
    for name, pod, container in containers(rendered['cpu']):
        assert 'nvidia.com/gpu' not in container['resources']['limits'], name
        assert 'runtimeClassName' not in pod, name
    settings, = by_kind(rendered['cpu'], 'ConfigMap')
    assert settings['data']['YOLO_DEVICE'] == 'cpu'


def test_gpu_yolo_scales_to_zero_after_three_idle_minutes(rendered):
    scaled, = by_kind(rendered['gpu'], 'ScaledObject')
    spec = scaled['spec']
    assert spec['scaleTargetRef']['name'] == 'yolodetection'
    assert spec['minReplicaCount'] == 0
    activity = next(t for t in spec['triggers'] if t['name'] == 'activity')
    assert 'istio_requests_total' in activity['metadata']['query']
    assert '[3m]' in activity['metadata']['query']
    assert activity['metadata']['activationThreshold'] == '0'
    # The idle time is the query's window; the cooldown only adds KEDA's reaction time.
    assert spec['cooldownPeriod'] <= 60
    assert not [hpa for hpa in by_kind(rendered['gpu'], 'HorizontalPodAutoscaler')
                if hpa['spec']['scaleTargetRef']['name'] == 'yolodetection']


@pytest.mark.parametrize('overlay', ['base', 'sites'])
@pytest.mark.parametrize('service', ['objectdetection', 'facedetection', 'yolodetection'])
def test_destination_rule_has_outlier_detection_and_locality_failover(rendered, overlay, service):
    rule = named(rendered[overlay], 'DestinationRule', service)
    policy = rule['spec']['trafficPolicy']
    assert rule['spec']['host'] == f'{service}.liquid-edge.svc.cluster.local'
    outlier = policy['outlierDetection']
    assert outlier['consecutiveGatewayErrors'] > 0
    assert outlier['maxEjectionPercent'] == 100
    locality = policy['loadBalancer']['localityLbSetting']
    assert locality['enabled'] is True
    assert locality['failoverPriority'][-1] == 'topology.kubernetes.io/zone'
    pool = policy['connectionPool']
    assert pool['http']['http2MaxRequests'] > 0
    assert pool['tcp']['maxConnections'] > 0


@pytest.mark.parametrize('service', ['objectdetection', 'facedetection', 'yolodetection'])
def test_routes_retry_unavailable_with_a_short_per_try_timeout(rendered, service):
    route, = named(rendered['base'], 'VirtualService', service)['spec']['http']
    retries = route['retries']
    assert 'unavailable' in retries['retryOn'].split(',')
    assert 'deadline-exceeded' not in retries['retryOn'].split(',')

    def seconds(duration):
        return float(duration[:-2]) / 1000 if duration.endswith('ms') else float(duration[:-1])
    assert seconds(retries['perTryTimeout']) < seconds(route['timeout']) <= 1.0


def test_gateway_serves_grpc_over_tls_from_a_secret(rendered):
    gateway = named(rendered['base'], 'Gateway', 'liquid-edge')
    server, = gateway['spec']['servers']
    assert server['port']['protocol'] == 'HTTPS'
    assert server['tls']['mode'] == 'SIMPLE'
    assert server['tls']['credentialName'] == 'liquid-edge-tls'
    route = named(rendered['base'], 'VirtualService', 'objectdetection')
    assert route['spec']['gateways'] == ['liquid-edge']
    assert route['spec']['hosts'] == server['hosts']


@pytest.mark.parametrize('overlay,gateways', [
    ('base', [GATEWAY_PRINCIPAL]),
    ('sites', [SITE_GATEWAY_PRINCIPAL.format(site) for site in ('site-a', 'site-b')])])
def test_only_the_gateway_reaches_the_ingress_and_only_the_ingress_the_backends(
        rendered, overlay, gateways):
    resources = rendered[overlay]
    expected = {'objectdetection': (gateways, '50051'),
                'facedetection': ([INGRESS_PRINCIPAL], '50053'),
                'yolodetection': ([INGRESS_PRINCIPAL], '50055')}
    policies = [p for p in by_kind(resources, 'AuthorizationPolicy') if p['spec']]
    assert len(policies) == len(expected)
    for policy in policies:
        app = policy['spec']['selector']['matchLabels']['app']
        principals, port = expected[app]
        assert policy['spec']['action'] == 'ALLOW'
        rule, = policy['spec']['rules']
        source, = rule['from']
        assert source['source'] == {'principals': principals}
        operation, = rule['to']
        assert operation['operation']['ports'] == [port]


def test_two_sites_pin_their_workloads_to_their_zone(rendered):
    resources = rendered['sites']
    zones = {}
    for deployment, pod in workloads(resources):
        site = deployment['spec']['selector']['matchLabels']['liquid-edge.io/site']
        term, = pod['affinity']['nodeAffinity'][
            'requiredDuringSchedulingIgnoredDuringExecution']['nodeSelectorTerms']
        expression, = term['matchExpressions']
        assert expression['key'] == 'topology.kubernetes.io/zone'
        zones.setdefault(site, set()).update(expression['values'])
        assert deployment['metadata']['name'].endswith(f'-{site}')
    assert zones == {'site-a': {'it-central-cell-a'}, 'site-b': {'it-central-cell-b'}}
    # One Service per service for both sites: locality load balancing picks the site.
    assert {s['metadata']['name'] for s in by_kind(resources, 'Service')} == {
        'objectdetection', 'facedetection', 'yolodetection'}
    identities = {c['data']['EDGE_SITE']: c['data']['EDGE_COLOR']
                  for c in by_kind(resources, 'ConfigMap')}
    assert set(identities) == {'site-a', 'site-b'}
    assert len(set(identities.values())) == 2


def test_gpu_site_scales_on_its_own_ingress_traffic(rendered):
    scaled, = by_kind(rendered['sites'], 'ScaledObject')
    assert scaled['spec']['scaleTargetRef']['name'] == 'yolodetection-site-a'
    for trigger in scaled['spec']['triggers']:
        assert 'destination_workload="objectdetection-site-a"' in trigger['metadata']['query']


def test_daemonset_variant_calls_its_backends_on_localhost(rendered):
    resources = rendered['daemonset']
    assert not by_kind(resources, 'Deployment')
    daemonsets = {res['metadata']['name']: pod for res, pod in workloads(resources)}
    assert set(daemonsets) == {'edge-node', 'edge-node-gpu'}
    settings, = by_kind(resources, 'ConfigMap')
    assert settings['data']['FACEDETECTION_HOST'] == 'localhost:50053'
    assert settings['data']['YOLODETECTION_HOST'] == 'localhost:50055'
    for name, pod in daemonsets.items():
        assert [c['name'] for c in pod['containers']] == [
            'objectdetection', 'facedetection', 'yolodetection']
        yolo = pod['containers'][2]
        assert ('nvidia.com/gpu' in yolo['resources']['limits']) == name.endswith('-gpu')
        if name.endswith('-gpu'):
            assert {'--backend=onnxruntime', '--device=cuda'} <= set(yolo['args'])
    # Only the ingress is a Service; the backends live inside each pod.
    assert [s['metadata']['name'] for s in by_kind(resources, 'Service')] == ['objectdetection']


@pytest.mark.parametrize('overlay', OVERLAYS)
def test_shutdown_leaves_time_for_the_services_drain(rendered, overlay):
    # The services stay NOT_SERVING for DRAIN_SECONDS, then give frames in flight as long.
    drain_s = 2 * max(float(settings['data']['DRAIN_SECONDS'])
                      for settings in by_kind(rendered[overlay], 'ConfigMap'))
    for res, pod in workloads(rendered[overlay]):
        name = res['metadata']['name']
        proxy = json.loads(res['spec']['template']['metadata']['annotations'][
            'proxy.istio.io/config'])
        assert float(proxy['terminationDrainDuration'].rstrip('s')) >= drain_s, name
        assert pod['terminationGracePeriodSeconds'] > drain_s, name
        for container in pod['containers']:
            assert any('$(DRAIN_SECONDS)' in arg for arg in container['args']), name
