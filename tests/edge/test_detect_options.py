"""Request options of both APIs: validation and selection of the results."""
from liquid_edge.detect_options import DetectOptions, InvalidRequest, options_from_legacy
from liquid_edge.detect_options import options_from_legacy_backend, options_from_v1
from liquid_edge.detect_options import select_detections
from liquid_edge.detection import Detection
from liquid_edge_protocol import detection_v1_pb2 as v1
import pytest

BOTH = (v1.ENGINE_FACE, v1.ENGINE_YOLO)


def _det(name, score, size=10.0):
    return Detection(class_id=0, class_name=name, score=score, x=0.0, y=0.0, width=size,
                     height=size)


def test_v1_empty_engines_means_every_served_engine_in_service_order():
    request = v1.DetectRequest(max_results=3, min_score=0.4, class_names=['person'])
    options = options_from_v1(request, BOTH)
    assert options == DetectOptions(BOTH, 3, pytest.approx(0.4), frozenset({'person'}))
    asked = options_from_v1(v1.DetectRequest(engines=[v1.ENGINE_YOLO, v1.ENGINE_FACE]), BOTH)
    assert asked.engines == BOTH


@pytest.mark.parametrize('request_, message', [
    (v1.DetectRequest(engines=[7]), 'unknown engine 7'),
    (v1.DetectRequest(engines=[v1.ENGINE_YOLO]), 'ENGINE_YOLO is not served here'),
    (v1.DetectRequest(min_score=1.5), 'min_score 1.5 is outside'),
])
def test_v1_unknown_or_unserved_options_are_refused(request_, message):
    with pytest.raises(InvalidRequest, match=message):
        options_from_v1(request_, (v1.ENGINE_FACE,))


def test_legacy_flags_pick_the_ingress_engines():
    assert options_from_legacy(1, 0, 0, BOTH).engines == (v1.ENGINE_FACE,)
    assert options_from_legacy(0, 1, 2, BOTH) == DetectOptions((v1.ENGINE_YOLO,), 2)
    assert options_from_legacy(0, 0, 0, BOTH).engines == ()


def test_an_original_backend_request_runs_its_engine_with_its_limit():
    assert options_from_legacy_backend(3, v1.ENGINE_FACE) == DetectOptions((v1.ENGINE_FACE,), 3)
    with pytest.raises(InvalidRequest, match='max_results must be >= 0'):
        options_from_legacy_backend(-1, v1.ENGINE_YOLO)


@pytest.mark.parametrize('flags, message', [
    ((2, 1, 0), 'wantface must be 0 or 1, got 2'),
    ((1, -1, 0), 'wantyolo must be 0 or 1, got -1'),
    ((1, 1, -3), 'max_results must be >= 0'),
])
def test_legacy_invalid_flags_are_refused(flags, message):
    with pytest.raises(InvalidRequest, match=message):
        options_from_legacy(*flags, BOTH)


def test_selection_filters_then_sorts_best_first_then_cuts():
    found = [_det('dog', 0.9), _det('person', 0.6), _det('person', 0.8),
             _det('person', 0.3), _det('person', 0.8, size=20.0)]
    options = DetectOptions(BOTH, max_results=2, min_score=0.5,
                            class_names=frozenset({'person'}))
    assert select_detections(found, options) == [found[4], found[2]]
    assert select_detections(found, DetectOptions(BOTH)) == [found[0], found[4], found[2],
                                                             found[1], found[3]]
