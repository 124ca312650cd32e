"""The ingress merge: engine order, per-engine limit, partial answers, invalid input."""
from liquid_edge.aggregation import BackendOutcome, merge_outcomes, rejected_by_every_backend
from liquid_edge_protocol import detection_v1_pb2 as v1

UNAVAILABLE = 14
INVALID_ARGUMENT = 3


def _response(engine, *names):
    return v1.DetectResponse(
        detections=[v1.Detection(engine=engine, class_name=n, score=1.0) for n in names],
        backends=[v1.BackendStatus(engine=engine, code=0,
                                   model=v1.ModelInfo(name=f'model-{engine}'))])


def test_merge_keeps_engine_order_and_cuts_each_engine():
    merged = merge_outcomes([
        BackendOutcome(v1.ENGINE_FACE, 0, response=_response(v1.ENGINE_FACE, 'f1', 'f2', 'f3')),
        BackendOutcome(v1.ENGINE_YOLO, 0, response=_response(v1.ENGINE_YOLO, 'p1', 'p2')),
    ], max_results=2)
    assert [d.class_name for d in merged.detections] == ['f1', 'f2', 'p1', 'p2']
    assert [(b.engine, b.code, b.model.name) for b in merged.backends] == [
        (v1.ENGINE_FACE, 0, f'model-{v1.ENGINE_FACE}'),
        (v1.ENGINE_YOLO, 0, f'model-{v1.ENGINE_YOLO}')]
    assert not merged.partial


def test_a_failed_backend_makes_a_partial_answer_with_the_other_engine():
    merged = merge_outcomes([
        BackendOutcome(v1.ENGINE_FACE, UNAVAILABLE, 'face: connection refused'),
        BackendOutcome(v1.ENGINE_YOLO, 0, response=_response(v1.ENGINE_YOLO, 'p1')),
    ], max_results=0)
    assert merged.partial
    assert [d.class_name for d in merged.detections] == ['p1']
    assert (merged.backends[0].code, merged.backends[0].message) == (
        UNAVAILABLE, 'face: connection refused')


def test_input_refused_by_every_backend_is_the_callers_error():
    refused = [BackendOutcome(v1.ENGINE_FACE, INVALID_ARGUMENT, 'corrupt JPEG'),
               BackendOutcome(v1.ENGINE_YOLO, INVALID_ARGUMENT, 'corrupt JPEG')]
    assert rejected_by_every_backend(refused) == (
        'ENGINE_FACE: corrupt JPEG; ENGINE_YOLO: corrupt JPEG')
    assert rejected_by_every_backend(
        [refused[0], BackendOutcome(v1.ENGINE_YOLO, UNAVAILABLE, 'down')]) is None
    assert rejected_by_every_backend([]) is None
