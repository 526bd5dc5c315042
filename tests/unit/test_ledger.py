"""The submission ledger: what a task instance sent, kept across tries and clears (pure, a dict store)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from types import SimpleNamespace

from airflow_provider_publer.ledger import MAX_KEY_LENGTH, SubmissionLedger, fingerprint


class DictStore:
    def __init__(self) -> None:
        self.values: dict[str, str] = {}
        self.writes = 0

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str, description: str) -> None:
        self.values[key] = value
        self.writes += 1


def context(
    run_id: str = "manual__2030-01-01T12:00:00+00:00", dag_id: str = "calendar", try_number: int = 2
) -> dict:
    ti = SimpleNamespace(
        dag_id=dag_id, run_id=run_id, task_id="schedule", map_index=-1, try_number=try_number
    )
    return {"ti": ti}


T1 = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
T2 = datetime(2030, 1, 1, 12, 5, tzinfo=timezone.utc)


def test_intent_and_job_survive_a_new_ledger_object_as_a_new_try_or_a_clear_sees_them():
    store = DictStore()
    first = SubmissionLedger.for_task(context(), store)
    assert not first.sent_before
    assert first.same_task("task-fp")
    first.mark_sending("batch-fp", T1, preexisting=["old"])
    first.mark_sent("batch-fp", "job-1")

    later = SubmissionLedger.for_task(context(), store)
    record = later.record("batch-fp")
    assert later.sent_before
    assert later.same_task("task-fp")
    assert not later.same_task("other-posts")
    assert record is not None
    assert (record.job_id, record.preexisting, record.since_time) == ("job-1", ["old"], T1)


def test_a_resend_keeps_the_first_instant():
    store = DictStore()
    ledger = SubmissionLedger.for_task(context(), store)
    ledger.mark_sending("b", T1)
    ledger.mark_sent("b", "job-1")
    ledger.mark_sending("b", T2)
    record = SubmissionLedger.for_task(context(), store).record("b")
    assert record is not None
    assert record.since_time == T1
    assert record.job_id is None
    assert ledger.earliest_since() == T1


def test_forget_removes_a_send_publer_never_saw():
    store = DictStore()
    ledger = SubmissionLedger.for_task(context(), store)
    ledger.mark_sending("b", T1)
    ledger.forget("b")
    assert not SubmissionLedger.for_task(context(), store).sent_before


def test_one_ledger_per_task_instance_and_keys_fit_airflows_limit():
    store = DictStore()
    SubmissionLedger.for_task(context("run-a"), store).mark_sending("b", T1)
    assert not SubmissionLedger.for_task(context("run-b"), store).sent_before
    long = SubmissionLedger.for_task(context(dag_id="d" * 300), store)
    assert len(long.key) <= MAX_KEY_LENGTH
    assert long.key.startswith("publer_ledger/")


def test_the_ledger_holds_no_post_content():
    store = DictStore()
    ledger = SubmissionLedger.for_task(context(), store)
    posts = [{"networks": {"facebook": {"text": "secret launch text"}}, "accounts": [{"id": "a"}]}]
    ledger.mark_sending(fingerprint(posts, "scheduled", "ws", False), T1)
    assert "secret launch text" not in json.dumps(store.values)


def test_fingerprint_depends_on_everything_a_post_request_sends():
    posts = [{"networks": {"facebook": {"text": "x"}}, "accounts": [{"id": "a"}]}]
    base = fingerprint(posts, "scheduled", "ws", False)
    assert base == fingerprint([dict(posts[0])], "scheduled", "ws", False)
    assert base != fingerprint(posts, "draft", "ws", False)
    assert base != fingerprint(posts, "scheduled", "other", False)
    assert base != fingerprint(posts, "scheduled", "ws", True)


def test_the_first_try_does_not_look_for_a_ledger():
    """No try before it can have written one (a retry or a clear runs try 2 or later)."""
    store = DictStore()
    store.values["publer_ledger/calendar/manual__2030-01-01T12:00:00+00:00/schedule/-1"] = "{not json"
    assert not SubmissionLedger.for_task(context(try_number=1), store).sent_before
