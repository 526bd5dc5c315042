"""What a Publer job's state means for an Airflow task: the decisions the operator, the sensor and
the trigger share.

:func:`check_job` makes one status check and turns Publer's trouble into "not yet" (network,
5xx, 429) or a failure waiting cannot fix (bad key, no access, unknown job);
:func:`failure_message` words a failed job for the task log and failure callbacks;
:func:`judge_event` accepts only an explicit success event from the trigger;
:func:`reconciled_outcome` describes a submission the operator verified on Publer instead of
(re)submitting. Nothing here does HTTP itself: :func:`check_job` calls the hook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.compat import AirflowException, AirflowFailException, AirflowSensorTimeout
from airflow_provider_publer.constants import RECONCILED_PREFIX, XCOM_JOB_WORKSPACES
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerError,
    PublerRateLimitError,
    PublerServerError,
    PublerTransientError,
)
from airflow_provider_publer.responses import PublerJobResult, is_collision_failure

if TYPE_CHECKING:
    import logging

    from airflow.sdk import Context

    from airflow_provider_publer.hooks.publer import PublerHook

#: Errors that mean "could not tell this time": the wait goes on.
TRANSIENT_ERRORS = (PublerTransientError, PublerRateLimitError, PublerServerError)


def check_job(
    hook: PublerHook, job_id: str, workspace_id: str | None, log: logging.Logger | Any
) -> PublerJobResult | None:
    """One status check. ``None`` means "could not tell this time" (transient trouble: keep waiting).

    Errors that waiting cannot fix (bad key, no access, unknown job) fail the task without retries.
    """
    try:
        result = hook.get_job_status(job_id, workspace_id)
    except TRANSIENT_ERRORS as err:
        log.warning("Could not check Publer job %s this time, will check again: %s", job_id, err)
        return None
    except PublerAPIError as err:
        raise AirflowFailException(f"Cannot check Publer job {job_id}: {err}") from None
    except PublerError as err:
        raise AirflowFailException(str(err)) from None
    if not result.is_known_status:
        log.warning("Publer job %s has status %r, which is not a final one; waiting", job_id, result.status)
    else:
        log.info("Publer job %s: %s", job_id, result.status)
    return result


def failure_message(result: PublerJobResult) -> str:
    """The message a failed job fails its task with: every account, network and Publer's reason."""
    if result.failures:
        lines = result.failure_summary()
        hint = ""
        if any(is_collision_failure(f) for f in result.failures):
            hint = (
                "\nPubler needs a one-minute gap between posts on one account; if this task was retried, "
                "the post may already exist: check the account's posts before resubmitting."
            )
        return (
            f"Publer job {result.job_id} finished '{result.status}' with {len(result.failures)} failed "
            f"account(s):\n{lines}{hint}"
        )
    return f"Publer job {result.job_id} finished '{result.status}' without details from Publer."


def job_refs(value: Any, *, name: str = "job_id") -> list[str]:
    """A job reference (``str``) or several (a list, as the operator returns for several requests).

    :raises AirflowFailException: nothing usable was given.
    """
    items = list(value) if isinstance(value, (list, tuple)) else [value]
    refs = [str(item).strip() for item in items if item is not None and str(item).strip() not in ("", "None")]
    if not refs or len(refs) != len(items):
        raise AirflowFailException(
            f"Got no usable {name} ({value!r}). Pass the schedule task's output "
            f"({name}=schedule.output), a Publer job id string, or a list of them."
        )
    return refs


def outcome_of(result: PublerJobResult) -> dict[str, Any]:
    """The XCom outcome of one job (or of a ``reconciled:`` reference)."""
    return reconciled_outcome(result.job_id) if is_reconciled(result.job_id) else result.to_dict()


def succeeded(result: PublerJobResult) -> bool:
    """Publer said ``complete`` with no failure, or the posts were found on Publer (reconciled)."""
    return result.is_success or is_reconciled(result.job_id)


def combined_outcome(results: list[PublerJobResult]) -> dict[str, Any]:
    """One outcome for several jobs; a single job keeps its own outcome."""
    if len(results) == 1:
        return outcome_of(results[0])
    failures = [{**failure, "job_id": r.job_id} for r in results for failure in r.failures]
    ok = all(succeeded(r) for r in results)
    return {
        "job_id": ", ".join(r.job_id for r in results),
        "job_ids": [r.job_id for r in results],
        "status": "complete" if ok else "failed",
        "succeeded": ok,
        "failures": failures,
        "payload": None,
        "jobs": [outcome_of(r) for r in results],
    }


def reconciled_result(job_id: str) -> PublerJobResult:
    """A ``reconciled:<post ids>`` reference as a finished job result."""
    return PublerJobResult.from_dict(reconciled_outcome(job_id))


def is_reconciled(job_id: str) -> bool:
    """A ``reconciled:<post ids>`` reference: the posts were found on Publer, no job to wait for."""
    return job_id.startswith(RECONCILED_PREFIX)


def reconciled_outcome(job_id: str) -> dict[str, Any]:
    """The outcome of a submission the operator verified on Publer instead of (re)submitting."""
    post_ids = [p for p in job_id[len(RECONCILED_PREFIX) :].split(",") if p]
    return {
        "job_id": job_id,
        "status": "reconciled",
        "succeeded": True,
        "failures": [],
        "payload": {"post_ids": post_ids},
    }


def judge_event(event: dict[str, Any] | None) -> dict[str, Any]:
    """Accept only an explicit success event from the job trigger; everything else fails."""
    if not isinstance(event, dict):
        raise AirflowException(f"Publer trigger sent no usable event: {event!r}")
    status = event.get("status")
    if status == "success" and isinstance(event.get("result"), dict):
        return event["result"]
    if status == "failed" and isinstance(event.get("result"), dict):
        raise AirflowFailException(failure_message(PublerJobResult.from_dict(event["result"])))
    message = str(event.get("message") or f"Publer trigger ended with {status!r}")
    if status == "timeout":
        raise AirflowSensorTimeout(message)
    if status == "error":
        raise AirflowFailException(message)
    raise AirflowException(message)


def submitted_workspace(context: Context, job_id: str, task_ids: Iterable[str]) -> str | None:
    """The workspace ``job_id`` was submitted in, as the submitting operator recorded it in XCom.

    Looks at the XCom ``publer_job_workspaces`` of ``task_ids`` (the waiting task's upstream
    tasks). ``None`` when no upstream task recorded this job: the connection's default applies.
    """
    ids = sorted(task_ids)
    if not ids:
        return None
    pulled = context["ti"].xcom_pull(task_ids=ids, key=XCOM_JOB_WORKSPACES)
    for record in _flatten(pulled):
        if isinstance(record, Mapping) and record.get(job_id):
            return str(record[job_id])
    return None


def _flatten(value: Any) -> list[Any]:
    """XCom pulls of several (or mapped) tasks come as nested lists."""
    if isinstance(value, (list, tuple)):
        return [item for part in value for item in _flatten(part)]
    return [value]
