"""The typed trigger events: each kind round-trips through its JSON payload, and a resumed task
succeeds only on an explicit success event (anything else, however close, fails it)."""

from __future__ import annotations

import json

import pytest

from airflow_provider_publer.compat import AirflowException, AirflowFailException, AirflowSensorTimeout
from airflow_provider_publer.job_outcomes import judge_event, judge_posts_event
from airflow_provider_publer.trigger_events import (
    JobsFailed,
    JobsSucceeded,
    PostsFailed,
    PostsGone,
    PostsSucceeded,
    UnusableEventError,
    WaitErrored,
    WaitTimedOut,
    parse_job_event,
    parse_posts_event,
)

OUTCOME = {"job_id": "j1", "status": "complete", "succeeded": True, "failures": [], "payload": None}
FAILED = {
    **OUTCOME,
    "status": "complete",
    "succeeded": False,
    "failures": [{"account_id": "a", "message": "no"}],
}


@pytest.mark.parametrize(
    "event",
    [
        JobsSucceeded("j1", OUTCOME),
        JobsFailed("j1", FAILED),
        WaitTimedOut("late", job_id="j1"),
        WaitErrored("HTTP 401", job_id="j1"),
    ],
)
def test_job_events_round_trip_as_json(event):
    payload = json.loads(json.dumps(event.to_payload()))
    assert parse_job_event(payload) == event


@pytest.mark.parametrize(
    "event",
    [
        PostsSucceeded([{"id": "p1"}]),
        PostsFailed("p2 failed", posts=[{"id": "p1"}], failed=[{"id": "p2"}]),
        PostsGone("p3 is gone", post_ids=["p3"]),
        WaitTimedOut("late", pending=["p1"]),
        WaitErrored("HTTP 401", post_ids=["p1"]),
    ],
)
def test_post_events_round_trip_as_json(event):
    payload = json.loads(json.dumps(event.to_payload()))
    assert parse_posts_event(payload) == event


def test_only_an_explicit_success_event_succeeds():
    assert judge_event(JobsSucceeded("j1", OUTCOME).to_payload()) == OUTCOME
    assert judge_posts_event(PostsSucceeded([{"id": "p1"}]).to_payload()) == [{"id": "p1"}]


@pytest.mark.parametrize(
    "payload",
    [
        None,
        "success",
        {"status": "success"},  # no result
        {"status": "success", "result": "complete"},
        {"status": "success", "result": {**OUTCOME, "succeeded": False}},  # says success, did not succeed
        {"status": "success", "result": {"status": "complete"}},  # no job id
        {"status": "complete", "result": OUTCOME},  # Publer's word, not the trigger's
        {"status": "SUCCESS", "result": OUTCOME},
        {"status": "cancelled", "message": "?"},
    ],
)
def test_anything_else_from_the_job_trigger_fails(payload):
    with pytest.raises(AirflowException, match="no usable event"):
        judge_event(payload)


def test_job_failures_timeouts_and_errors_fail_as_each_should():
    with pytest.raises(AirflowFailException, match="1 failed account"):
        judge_event(JobsFailed("j1", FAILED).to_payload())
    with pytest.raises(AirflowSensorTimeout, match="late"):
        judge_event(WaitTimedOut("late", job_id="j1").to_payload())
    with pytest.raises(AirflowFailException, match="HTTP 401"):
        judge_event(WaitErrored("HTTP 401", job_id="j1").to_payload())


@pytest.mark.parametrize(
    "payload",
    [
        {"status": "success"},
        {"status": "success", "posts": "p1"},
        {"status": "success", "posts": ["p1"]},
        {"status": "published", "posts": [{"id": "p1"}]},
    ],
)
def test_anything_else_from_the_post_trigger_fails(payload):
    with pytest.raises(AirflowException, match="no usable event"):
        judge_posts_event(payload)


def test_a_gone_post_fails_naming_it():
    with pytest.raises(AirflowFailException, match="p3 is gone"):
        judge_posts_event(PostsGone("p3 is gone", post_ids=["p3"]).to_payload())


def test_an_unknown_payload_is_refused_by_the_parser():
    with pytest.raises(UnusableEventError):
        parse_job_event({"status": "timeout"})  # no message
