# Copyright 2026 LIQUID EDGE founders
#
# Licensed under the Apache License, Version 2.0 (the "License");
# you may not use this file except in compliance with the License.
# You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS,
# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
# See the License for the specific language governing permissions and
# limitations under the License.

"""FramePipeline: slots, newest frame wins, stale results dropped, request ids."""
from liquid_edge_bridge.frame_pipeline import FramePipeline
import pytest


def test_frames_go_out_while_slots_are_free():
    pipeline = FramePipeline(2)
    first, second = pipeline.offer('f1'), pipeline.offer('f2')
    assert first.frame == 'f1' and second.frame == 'f2'
    assert first.request_id != second.request_id
    assert pipeline.in_flight == 2


def test_newest_frame_replaces_the_pending_one():
    pipeline = FramePipeline(1)
    sent = pipeline.offer('f1')
    assert pipeline.offer('f2') is None
    assert pipeline.offer('f3') is None
    assert pipeline.frames_dropped == 1
    finished = pipeline.finish(sent.request_id, succeeded=True)
    assert finished.publish
    assert finished.next_request.frame == 'f3'
    assert not pipeline.has_pending


def test_results_older_than_the_last_published_are_dropped():
    pipeline = FramePipeline(2)
    old, new = pipeline.offer('f1'), pipeline.offer('f2')
    assert pipeline.finish(new.request_id, succeeded=True).publish
    assert not pipeline.finish(old.request_id, succeeded=True).publish
    assert pipeline.results_dropped == 1


def test_a_failed_request_frees_its_slot_and_publishes_nothing():
    pipeline = FramePipeline(1)
    sent = pipeline.offer('f1')
    pipeline.offer('f2')
    finished = pipeline.finish(sent.request_id, succeeded=False)
    assert not finished.publish
    assert finished.next_request.frame == 'f2'


def test_an_unknown_or_repeated_id_changes_nothing():
    pipeline = FramePipeline(1)
    sent = pipeline.offer('f1')
    pipeline.finish(sent.request_id, succeeded=True)
    finished = pipeline.finish(sent.request_id, succeeded=True)
    assert finished.request is None and not finished.publish


def test_resend_only_while_the_frame_is_still_the_newest():
    pipeline = FramePipeline(2)
    sent = pipeline.offer('f1')
    pipeline.finish(sent.request_id, succeeded=False)
    retry = pipeline.resend(sent)
    assert retry.frame == 'f1' and retry.request_id != sent.request_id
    assert pipeline.finish(retry.request_id, succeeded=True).publish
    assert pipeline.resend(retry) is None  # already published

    stale = pipeline.offer('f2')
    pipeline.offer('f3')
    pipeline.finish(stale.request_id, succeeded=False)
    assert pipeline.resend(stale) is None  # f3 is newer


def test_abandoning_a_failed_edge_frees_its_slots_for_the_newest_frame_at_once():
    pipeline = FramePipeline(2)
    older, newer = pipeline.offer('f1'), pipeline.offer('f2')
    retry = pipeline.abandon([older.request_id, newer.request_id])
    assert retry.frame == 'f2' and retry.request_id not in (older.request_id,
                                                            newer.request_id)
    assert pipeline.in_flight == 1
    assert pipeline.offer('f3').frame == 'f3'  # the other slot is free too
    # A late answer to an abandoned request is not published.
    late = pipeline.finish(newer.request_id, succeeded=True)
    assert late.request is None and not late.publish


def test_abandoning_sends_the_pending_frame_rather_than_an_older_one():
    pipeline = FramePipeline(1)
    sent = pipeline.offer('f1')
    pipeline.offer('f2')
    assert pipeline.abandon([sent.request_id]).frame == 'f2'
    assert not pipeline.has_pending and pipeline.in_flight == 1


def test_abandoning_nothing_in_flight_sends_nothing():
    pipeline = FramePipeline(1)
    sent = pipeline.offer('f1')
    pipeline.finish(sent.request_id, succeeded=True)
    assert pipeline.abandon([sent.request_id]) is None
    assert pipeline.abandon([]) is None


def test_cancel_frees_the_slot_without_sending_the_pending_frame():
    pipeline = FramePipeline(1)
    sent = pipeline.offer('f1')
    pipeline.offer('f2')
    pipeline.cancel(sent.request_id)
    assert pipeline.in_flight == 0 and pipeline.has_pending
    newest = pipeline.offer('f3')
    assert newest.frame == 'f3'
    assert not pipeline.has_pending and pipeline.frames_dropped == 1


def test_drop_pending_counts_the_frame():
    pipeline = FramePipeline(1)
    pipeline.offer('f1')
    pipeline.offer('f2')
    pipeline.drop_pending()
    assert not pipeline.has_pending and pipeline.frames_dropped == 1


def test_max_in_flight_must_be_positive():
    with pytest.raises(ValueError, match='max_in_flight'):
        FramePipeline(0)
