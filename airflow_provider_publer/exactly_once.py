"""Send one request to Publer exactly once, whatever happens between the tries of a task.

Publer has no idempotency keys, so a task that may have sent a request before (a lost answer, a
worker that died between recording and sending, an Airflow retry, a person clearing the task)
must find out itself what Publer already holds. :func:`send_once` is that rule, written once for
every request that creates or deletes something (posts, media uploads, URL imports, deletes):

1. an entry with a result (a job id, uploaded media, deleted ids) that is still good: reuse it,
   send nothing;
2. an entry without a result (the answer of an earlier send is unknown), or a request an earlier
   try may have sent under another key: ask ``recover`` what Publer holds; it answers "all of it"
   (the result to record), "send this instead" (only what is missing), or raises when it cannot
   tell (nothing is sent);
3. otherwise: write the intent to the ledger, *then* send; record the result when Publer answers.
   A lost answer goes to ``recover`` (never sent again); a refusal (Publer provably did nothing)
   erases the intent this send wrote.

The order in 3 is the whole point: a worker that dies after sending leaves an intent behind, so
the next try looks at Publer instead of sending again. The module imports nothing of Airflow and
no HTTP: the ledger and the request come in (tests/unit/test_exactly_once.py drives it with a
ledger in memory and a fake Publer).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from airflow_provider_publer.exceptions import PublerError, PublerOutcomeUnknownError
from airflow_provider_publer.ledger import BatchRecord, SubmissionLedger
from airflow_provider_publer.timestamps import now_utc

#: A request: sends once and returns Publer's reference for what it made (a job id, an encoded result).
Request = Callable[[], str]


@dataclass(frozen=True)
class Recovery:
    """What a look at Publer found about a send whose outcome is unknown.

    :param result: everything the request was to make exists: the reference to record.
    :param request: part (or none) of it provably exists: send this instead (only what is missing).
    """

    result: str | None = None
    request: Request | None = None

    def __post_init__(self) -> None:
        if (self.result is None) == (self.request is None):
            raise ValueError("a Recovery holds either a result or a request")


#: Looks at Publer for what an earlier send left. ``record`` is the ledger entry (``None`` when the
#: request was never recorded under this key but an earlier try may have sent it); ``lost`` is
#: ``True`` right after this try's own send lost its answer. Raises when it cannot tell.
Recover = Callable[[BatchRecord | None, bool], Recovery]


def send_once(
    ledger: SubmissionLedger,
    key: str,
    request: Request,
    *,
    recover: Recover,
    reusable: Callable[[str], bool] = lambda result: True,
    snapshot: Callable[[], Iterable[str]] | None = None,
    doubtful: bool = False,
    now: Callable[[], datetime] = now_utc,
    record_result: Callable[[str, str], None] | None = None,
) -> str:
    """Send ``request`` unless an earlier try did; return the reference of what it made.

    :param ledger: the task instance's ledger.
    :param key: the request's entry (:func:`airflow_provider_publer.ledger.request_key`).
    :param request: sends once; raises :class:`PublerOutcomeUnknownError` when the answer is lost
        and any other :class:`PublerError` when Publer provably did nothing.
    :param recover: see :data:`Recover`.
    :param reusable: whether a recorded result still stands (a job that is running or succeeded).
    :param snapshot: ids that exist before the send (look-alikes, the posts a delete may delete);
        kept in the entry *before* the send.
    :param doubtful: an earlier try may have sent this request under another key: recover first.
    :param now: the clock (the instant the first send began is kept).
    :param record_result: writes ``(key, result)`` to the ledger (default: ``ledger.mark_sent``).
    :raises PublerError: Publer refused the request (its intent is erased when this send wrote it).
    """
    mark_sent = record_result or ledger.mark_sent
    record = ledger.record(key)
    if record is not None and record.job_id is not None and reusable(record.job_id):
        return record.job_id
    if record is not None or doubtful:
        recovery = recover(record, False)
        if recovery.result is not None:
            if ledger.record(key) is None:
                ledger.mark_sending(key, now())
            mark_sent(key, recovery.result)
            return recovery.result
        assert recovery.request is not None
        request = recovery.request
    return _send_recorded(ledger, key, request, recover, snapshot, now, mark_sent)


def _send_recorded(
    ledger: SubmissionLedger,
    key: str,
    request: Request,
    recover: Recover,
    snapshot: Callable[[], Iterable[str]] | None,
    now: Callable[[], datetime],
    mark_sent: Callable[[str, str], None],
) -> str:
    """Write the intent, send, write the result. Never the other way round."""
    created = ledger.record(key) is None
    existing = list(snapshot()) if snapshot is not None else []
    record = ledger.mark_sending(key, now(), existing)
    try:
        result = request()
    except PublerOutcomeUnknownError:
        recovery = recover(record, True)
        if recovery.result is None:
            raise
        mark_sent(key, recovery.result)
        return recovery.result
    except PublerError:
        if created:
            ledger.forget(key)  # refused or never reached: nothing of it exists on Publer
        raise
    mark_sent(key, result)
    return result


__all__ = ["Recover", "Recovery", "Request", "send_once"]
