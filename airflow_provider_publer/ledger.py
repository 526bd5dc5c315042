"""The submission ledger: what a task instance sent to Publer, kept where retries, clears and re-runs
find it.

Publer has no idempotency keys, so "may this task already have posted?" must be answered by the
task itself. Before each ``POST /posts/schedule`` the operator writes *intent* (the batch's
fingerprint and the instant it starts sending) to the ledger; after Publer answers it writes the
job id. A later try of the same task instance then knows exactly what happened:

- no entry for a batch: nothing of it was ever sent, so it is sent without doubt;
- an entry with a job id: reconnect to that job;
- an entry without a job id: the outcome is unknown, so Publer's posts are reconciled, with the
  match window starting at the recorded instant (not at the DAG run's start, which a clear resets).

Every request of a task has its own entry, however alike two requests are: the key of an entry
is built from the request's content *and* its place in the task (:func:`request_key`), so two
identical posts sent as two requests are two entries, never one standing for both.

A ledger that cannot be read (its Variable edited into invalid JSON, say) fails the task with
:class:`LedgerUnreadableError`, naming the Variable and what to do: guessing would post twice.

The ledger is one Airflow Variable per task instance (``publer_ledger/<dag>/<run>/<task>/<map>``):
Variables live in the metadata database (or a secrets backend that allows writes), so they
survive retries, clears and worker deaths on every supported Airflow, and every worker of a
Celery or Kubernetes deployment sees the same one. It holds fingerprints, instants and Publer
ids, never a secret.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_publer.exceptions import PublerError
from airflow_provider_publer.timestamps import parse_timestamp, to_publer_timestamp

if TYPE_CHECKING:
    from airflow.sdk import Context

#: Prefix of the ledger Variables' keys.
LEDGER_PREFIX = "publer_ledger"
#: Airflow's limit on a Variable key.
MAX_KEY_LENGTH = 250

SENDING = "sending"
SENT = "sent"

#: How the ledger keeps uploaded media and deleted post ids in an entry's ``job_id``.
MEDIA_PREFIX = "media:"
DELETED_PREFIX = "deleted:"


class LedgerUnreadableError(PublerError):
    """The ledger of a task instance holds something it did not write: nothing is sent.

    :param key: the Variable key of the ledger.
    :param problem: what is wrong with it.
    """

    transient = False

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        super().__init__(
            f"The submission ledger of this task (Airflow Variable {key!r}) cannot be read: {problem}. "
            "It records what earlier tries of the task sent to Publer, so nothing was sent. Restore the "
            "Variable's earlier value, or, once you have checked in Publer what this task already created, "
            f"delete the Variable ({key!r}) and clear the task: it then sends everything again."
        )


class LedgerStore(Protocol):
    """Where ledgers are kept: Airflow Variables in tasks, a dict in unit tests."""

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str, description: str) -> None: ...


class VariableStore:
    """Airflow Variables, through the task SDK (works on every worker, survives clears)."""

    def get(self, key: str) -> str | None:
        from airflow.sdk import Variable

        value = Variable.get(key, default=None)
        return None if value is None else str(value)

    def set(self, key: str, value: str, description: str) -> None:
        from airflow.sdk import Variable

        Variable.set(key, value, description=description)


@dataclass
class BatchRecord:
    """What is known about one batch (one ``POST``) of a task instance.

    :param fingerprint: SHA-256 of the batch's validated posts, state, workspace and endpoint.
    :param since: when its first send began (Publer timestamp); posts it created are not older.
    :param job_id: the job Publer returned for the latest send, once known.
    :param preexisting: Publer ids that existed before the first send: look-alike posts or media
        of the same name (never this request's), or, for a delete, the posts listed before it.
    """

    fingerprint: str
    since: str
    job_id: str | None = None
    preexisting: list[str] = field(default_factory=list)

    @property
    def state(self) -> str:
        return SENT if self.job_id else SENDING

    @property
    def since_time(self) -> datetime:
        return parse_timestamp(self.since, field="ledger.since")


class SubmissionLedger:
    """The ledger of one task instance (all its tries and clears).

    :param key: the Variable key.
    :param store: where it is kept.
    :param description: shown next to the Variable in the Airflow UI.
    """

    def __init__(
        self, key: str, store: LedgerStore, description: str = "", *, first_try: bool = False
    ) -> None:
        self.key = key
        self.store = store
        self.description = description
        # The first try of a task instance has no ledger yet (a retry or a clear starts try 2 or
        # later); not reading it spares a lookup that Airflow 3.1 logs as an error when missing.
        raw = None if first_try else store.get(key)
        data = _read(key, raw)
        #: Fingerprint of the whole request list of the try that first sent (all batches together).
        self.task_fingerprint: str | None = data.get("task_fingerprint")
        self.batches: dict[str, BatchRecord] = {}
        for fp, record in (data.get("batches") or {}).items():
            try:
                self.batches[fp] = BatchRecord(**record)
                self.batches[fp].since_time  # noqa: B018 - an unreadable instant is an unreadable ledger
            except (TypeError, ValueError, PublerError) as err:
                raise LedgerUnreadableError(key, f"its entry {fp!r} is not one it wrote ({err})") from None

    @classmethod
    def for_task(cls, context: Context, store: LedgerStore | None = None) -> SubmissionLedger:
        """The ledger of the running task instance (kept across its retries and clears)."""
        ti = context["ti"]
        parts = [ti.dag_id, ti.run_id, ti.task_id, str(getattr(ti, "map_index", -1))]
        key = "/".join([LEDGER_PREFIX, *parts])
        if len(key) > MAX_KEY_LENGTH:
            key = f"{LEDGER_PREFIX}/{hashlib.sha256(key.encode()).hexdigest()}"
        description = (
            f"What task {ti.task_id} of DAG {ti.dag_id}, run {ti.run_id}, sent to Publer "
            "(airflow-provider-publer; prevents duplicate posts across retries and clears)."
        )
        first_try = int(getattr(ti, "try_number", 0) or 0) == 1
        return cls(key, store or VariableStore(), description, first_try=first_try)

    def same_task(self, task_fingerprint: str) -> bool:
        """Whether the earlier tries sent these very posts; remembers them if nothing was sent yet.

        When they did, a batch without an entry was never sent. When they sent something else
        (the posts changed, e.g. an upstream task was cleared too), any batch may already exist.
        """
        if not self.batches:
            self.task_fingerprint = task_fingerprint
            return True
        return self.task_fingerprint == task_fingerprint

    def record(self, fingerprint: str) -> BatchRecord | None:
        return self.batches.get(fingerprint)

    @property
    def sent_before(self) -> bool:
        """Whether any earlier try of this task instance began sending anything."""
        return bool(self.batches)

    @property
    def in_doubt(self) -> bool:
        """Whether an earlier try began a send whose outcome it never learned (no job id)."""
        return any(record.job_id is None for record in self.batches.values())

    def earliest_since(self) -> datetime | None:
        times = [record.since_time for record in self.batches.values()]
        return min(times) if times else None

    def mark_sending(self, fingerprint: str, now: datetime, preexisting: Iterable[str] = ()) -> BatchRecord:
        """Record intent before a send; keeps the first instant, adds ``preexisting`` to the snapshot."""
        record = self.batches.get(fingerprint)
        if record is None:
            record = BatchRecord(
                fingerprint, to_publer_timestamp(now, field="ledger.since"), None, list(preexisting)
            )
            self.batches[fingerprint] = record
        record.preexisting.extend(i for i in preexisting if i not in record.preexisting)
        record.job_id = None
        self._save()
        return record

    def mark_sent(self, fingerprint: str, job_id: str) -> None:
        """Record the job Publer returned (or a ``reconciled:`` reference)."""
        self.batches[fingerprint].job_id = job_id
        self._save()

    def claimed_media(self, besides: str) -> set[str]:
        """Ids of media that entries other than ``besides`` recorded: never another item's result."""
        claimed: set[str] = set()
        for fp, record in self.batches.items():
            if fp != besides and record.job_id:
                claimed.update(str(m.get("id")) for m in decode_media(record.job_id) or [])
        return claimed

    def forget(self, fingerprint: str) -> None:
        """Nothing of this batch reached Publer (the send provably failed before it was made)."""
        if self.batches.pop(fingerprint, None) is not None:
            self._save()

    def _save(self) -> None:
        data = {
            "version": 1,
            "task_fingerprint": self.task_fingerprint,
            "batches": {fp: asdict(r) for fp, r in self.batches.items()},
        }
        self.store.set(self.key, json.dumps(data, sort_keys=True), self.description)


def fingerprint(posts: Iterable[Mapping[str, Any]], state: str, workspace: str, publish_now: bool) -> str:
    """SHA-256 of what one ``POST`` sends: the same request always gives the same fingerprint."""
    data = json.dumps([list(posts), state, workspace, publish_now], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def request_key(
    index: int, content: Iterable[Mapping[str, Any]], kind: str, workspace: str, flag: bool = False
) -> str:
    """The ledger key of the ``index``-th request of a task: identical requests at two places of a
    task are two entries."""
    return fingerprint([{"request": index}, *content], kind, workspace, flag)


def _read(key: str, raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError as err:
        raise LedgerUnreadableError(key, f"it is not valid JSON ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("batches") or {}, dict):
        raise LedgerUnreadableError(key, "it is not a JSON object with a 'batches' object")
    return data


def encode_media(media: list[dict[str, Any]]) -> str:
    """What the ledger keeps of uploaded media: the objects themselves (ids and URLs, no secret)."""
    return MEDIA_PREFIX + json.dumps(media, sort_keys=True, default=str)


def decode_media(value: str) -> list[dict[str, Any]] | None:
    """The media :func:`encode_media` kept, or ``None`` for another kind of entry."""
    if not value.startswith(MEDIA_PREFIX):
        return None
    try:
        media = json.loads(value[len(MEDIA_PREFIX) :])
    except ValueError:
        return None
    return [dict(m) for m in media] if isinstance(media, list) else None


def encode_ids(ids: Iterable[str]) -> str:
    """What the ledger keeps of a delete: the ids Publer deleted."""
    return DELETED_PREFIX + ",".join(sorted(set(ids)))


def decode_ids(value: str) -> list[str]:
    """The ids :func:`encode_ids` kept (none for another kind of entry)."""
    if not value.startswith(DELETED_PREFIX):
        return []
    return [i for i in value[len(DELETED_PREFIX) :].split(",") if i]
