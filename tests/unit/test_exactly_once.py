"""The exactly-once submission (:mod:`airflow_provider_publer.exactly_once`), without Airflow.

A fake Publer stores what each request sends (and can lose the answer, refuse, or let the worker
die after sending); the ledger is kept in a dict, as Airflow's Variable would keep it across tries.
Each test then counts what Publer holds: every request exactly once, however the tries went.

These tests fail if the ledger is written after the send instead of before. Checked by moving
``ledger.mark_sending(...)`` in ``exactly_once._send_recorded`` below ``request()``: seven of them
fail, among them ``test_the_intent_is_in_the_ledger_before_publer_sees_the_request`` (no entry
while the request is in flight), ``test_a_worker_that_dies_after_sending_does_not_send_again`` (the
next try finds no entry and sends a second time: Publer holds two) and
``test_a_worker_that_dies_between_record_and_send_sends_once_on_the_next_try`` (no intent is left
for the next try to look for).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest

from airflow_provider_publer.exactly_once import Recovery, send_once
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerOutcomeUnknownError,
)
from airflow_provider_publer.ledger import (
    BatchRecord,
    LedgerUnreadableError,
    SubmissionLedger,
    request_key,
)

T0 = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)


class DictStore:
    """The ledger's store in memory (Airflow Variables in a task)."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def get(self, key: str) -> str | None:
        return self.values.get(key)

    def set(self, key: str, value: str, description: str) -> None:
        self.values[key] = value


class Crash(Exception):
    """The worker dies (a SIGKILL, an OOM): nothing after it runs."""


class FakePubler:
    """Holds what requests made; each send follows the next step of ``script``.

    Steps: ``ok``; ``lost`` (stored, answer lost); ``lost_unsent`` (answer lost, nothing stored);
    ``refused`` (a 422: nothing stored); ``crash`` (stored, then the worker dies);
    ``crash_before`` (the worker dies before the request leaves).
    """

    def __init__(self, *script: str) -> None:
        self.script = list(script)
        self.made: list[tuple[str, str]] = []  # (job id, content)
        self.sends = 0
        self.looks = 0

    def request(self, content: str, on_send=None):
        def send() -> str:
            if on_send is not None:
                on_send()
            step = self.script.pop(0) if self.script else "ok"
            if step == "crash_before":
                raise Crash("before the request left")
            self.sends += 1
            if step == "refused":
                raise PublerAPIError(422, ["There's another post at this time"])
            if step == "lost_unsent":
                raise PublerOutcomeUnknownError("the answer was lost")
            job = f"job-{len(self.made) + 1}"
            self.made.append((job, content))
            if step == "lost":
                raise PublerOutcomeUnknownError("the answer was lost")
            if step == "crash":
                raise Crash("after the request was sent")
            return job

        return send

    def recover(self, content: str, claimed: set[str] | None = None):
        """Publer's list: a job made with this content, not claimed by another request."""

        def recover(record: BatchRecord | None, lost: bool) -> Recovery:
            self.looks += 1
            mine = [job for job, made in self.made if made == content and job not in (claimed or set())]
            if mine:
                return Recovery(result=mine[0])
            return Recovery(request=self.request(content))

        return recover

    def holds(self, content: str) -> int:
        return sum(1 for _, made in self.made if made == content)


def ledger(store: DictStore, try_number: int = 2) -> SubmissionLedger:
    ti = SimpleNamespace(dag_id="d", run_id="r", task_id="t", map_index=-1, try_number=try_number)
    return SubmissionLedger.for_task({"ti": ti}, store)


KEY = request_key(0, [{"text": "hello"}], "scheduled", "ws")


def submit(store: DictStore, publer: FakePubler, content: str = "hello", key: str = KEY, **kw) -> str:
    return send_once(
        ledger(store),
        key,
        publer.request(content),
        recover=publer.recover(content),
        now=lambda: T0,
        **kw,
    )


def test_the_intent_is_in_the_ledger_before_publer_sees_the_request():
    store, publer = DictStore(), FakePubler()
    seen: list[dict] = []

    def look() -> None:
        seen.append(json.loads(next(iter(store.values.values())))["batches"])

    request = publer.request("hello", on_send=look)
    assert send_once(ledger(store), KEY, request, recover=publer.recover("hello")) == "job-1"
    assert seen, "the ledger was empty while the request was sent"
    assert seen[0][KEY]["job_id"] is None
    assert ledger(store).record(KEY).job_id == "job-1"


def test_a_worker_that_dies_after_sending_does_not_send_again():
    store, publer = DictStore(), FakePubler("crash")
    with pytest.raises(Crash):
        submit(store, publer)
    assert submit(store, publer) == "job-1"  # the next try finds it on Publer
    assert (publer.sends, publer.holds("hello")) == (1, 1)


def test_a_worker_that_dies_between_record_and_send_sends_once_on_the_next_try():
    store, publer = DictStore(), FakePubler("crash_before")
    with pytest.raises(Crash):
        submit(store, publer)
    assert ledger(store).record(KEY) is not None  # the intent stays: the next try must look first
    assert submit(store, publer) == "job-1"
    assert (publer.sends, publer.looks, publer.holds("hello")) == (1, 1, 1)


def test_a_lost_answer_is_looked_for_not_resent():
    store, publer = DictStore(), FakePubler("lost")
    assert submit(store, publer) == "job-1"
    assert (publer.sends, publer.holds("hello")) == (1, 1)
    record = ledger(store).record(KEY)
    assert (record.job_id, record.since_time) == ("job-1", T0)


def test_a_lost_answer_that_stored_nothing_fails_and_the_next_try_sends_once():
    store, publer = DictStore(), FakePubler("lost_unsent")
    with pytest.raises(PublerOutcomeUnknownError):
        submit(store, publer)
    assert ledger(store).record(KEY).job_id is None
    assert submit(store, publer) == "job-1"
    assert (publer.sends, publer.holds("hello")) == (2, 1)


def test_a_retry_after_success_reuses_the_result_and_sends_nothing():
    store, publer = DictStore(), FakePubler()
    assert submit(store, publer) == "job-1"
    assert submit(store, publer) == "job-1"
    assert (publer.sends, publer.looks) == (1, 0)


def test_a_refusal_leaves_no_entry_so_a_clear_sends_again():
    store, publer = DictStore(), FakePubler("refused")
    with pytest.raises(PublerAPIError):
        submit(store, publer)
    assert ledger(store).record(KEY) is None
    assert submit(store, publer) == "job-1"
    assert publer.looks == 0


def test_a_clear_after_a_result_that_no_longer_stands_recovers_instead_of_resending():
    store, publer = DictStore(), FakePubler()
    assert submit(store, publer) == "job-1"
    # The job is recorded but failed on Publer's side: the clear looks at Publer first.
    assert submit(store, publer, reusable=lambda job: False) == "job-1"
    assert (publer.sends, publer.looks, publer.holds("hello")) == (1, 1, 1)


def test_identical_requests_at_two_places_are_two_entries_and_two_sends():
    """``posts=[P, P]`` one per request: never one entry (and one job) standing for both."""
    store, publer = DictStore(), FakePubler()
    first = request_key(0, [{"text": "P"}], "scheduled", "ws", True)
    second = request_key(1, [{"text": "P"}], "scheduled", "ws", True)
    assert first != second
    results = [submit(store, publer, "P", key) for key in (first, second)]
    assert results == ["job-1", "job-2"]
    assert publer.holds("P") == 2


def test_a_doubtful_request_is_looked_for_before_the_first_send():
    """An earlier try sent other content under another key (or the calendar runs again)."""
    store, publer = DictStore(), FakePubler()
    publer.made.append(("job-0", "hello"))
    assert submit(store, publer, doubtful=True) == "job-0"
    assert publer.sends == 0
    assert ledger(store).record(KEY).job_id == "job-0"


def test_the_snapshot_is_kept_before_the_send():
    store, publer = DictStore(), FakePubler("crash")
    with pytest.raises(Crash):
        submit(store, publer, snapshot=lambda: ["older-1"])
    assert ledger(store).record(KEY).preexisting == ["older-1"]


def test_the_first_instant_is_kept_across_tries():
    store, publer = DictStore(), FakePubler("lost_unsent")
    with pytest.raises(PublerOutcomeUnknownError):
        submit(store, publer)
    send_once(
        ledger(store),
        KEY,
        publer.request("hello"),
        recover=publer.recover("hello"),
        now=lambda: T0 + timedelta(hours=1),
    )
    assert ledger(store).record(KEY).since_time == T0


def test_an_unreadable_ledger_names_its_variable_and_what_to_do():
    store = DictStore()
    store.values[ledger(store).key] = "{not json"
    with pytest.raises(LedgerUnreadableError) as caught:
        ledger(store)
    message = str(caught.value)
    assert "publer_ledger/d/r/t/-1" in message
    assert "not valid JSON" in message
    assert "delete the Variable" in message
    assert "Restore" in message
    assert caught.value.transient is False


def test_a_ledger_holding_something_else_is_unreadable_too():
    store = DictStore()
    store.values[ledger(store).key] = json.dumps({"batches": {"k": {"surprise": 1}}})
    with pytest.raises(LedgerUnreadableError, match="publer_ledger/d/r/t/-1"):
        ledger(store)
    store.values[ledger(DictStore()).key] = "[1, 2]"
    with pytest.raises(LedgerUnreadableError, match="JSON object"):
        ledger(store)
