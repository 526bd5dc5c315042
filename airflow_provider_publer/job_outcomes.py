"""What a Publer job's state means for an Airflow task: the decisions the operator, the sensor and
the trigger share.

:func:`check_job` makes one status check and turns Publer's trouble into "not yet" (network,
5xx, 429) or a failure waiting cannot fix (bad key, no access, unknown job);
:func:`failure_message` words a failed job for the task log and failure callbacks;
:func:`judge_event` accepts only an explicit success event from the trigger;
:func:`reconciled_outcome` describes a submission the operator verified on Publer instead of
(re)submitting. For the posts themselves, :func:`judge_posts` tells which reached the awaited
state, which Publer failed and which are still pending, and :func:`posts_failure_message` words
the failures. Nothing here does HTTP itself: :func:`check_job` calls the hook.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.compat import AirflowException, AirflowFailException, AirflowSensorTimeout
from airflow_provider_publer.constants import RECONCILED_PREFIX, XCOM_JOB_WORKSPACES
from airflow_provider_publer.exceptions import PublerAPIError, PublerError, is_transient
from airflow_provider_publer.responses import (
    PublerJobResult,
    is_collision_failure,
    post_base_state,
    post_error,
)

if TYPE_CHECKING:
    import logging

    from airflow.sdk import Context

    from airflow_provider_publer.hooks.publer import PublerHook


def check_job(
    hook: PublerHook, job_id: str, workspace_id: str | None, log: logging.Logger | Any
) -> PublerJobResult | None:
    """One status check. ``None`` means "could not tell this time" (transient trouble: keep waiting).

    Errors that waiting cannot fix (bad key, no access, unknown job) fail the task without retries.
    """
    try:
        result = hook.get_job_status(job_id, workspace_id)
    except PublerError as err:
        if is_transient(err):
            log.warning("Could not check Publer job %s this time, will check again: %s", job_id, err)
            return None
        if isinstance(err, PublerAPIError):
            raise AirflowFailException(f"Cannot check Publer job {job_id}: {err}") from None
        raise AirflowFailException(str(err)) from None
    if not result.is_known_status:
        log.warning("Publer job %s has status %r, which is not a final one; waiting", job_id, result.status)
    else:
        log.info("Publer job %s: %s", job_id, result.status)
    return result


def check_jobs(
    hook: PublerHook, refs: list[str], workspace_id: str | None, log: logging.Logger | Any
) -> list[PublerJobResult] | None:
    """One check of every job in ``refs`` (``reconciled:`` references need none), stopping at the
    first that is not finished: its results, or ``None`` while one is still running or could not
    be checked. Costs at most one request per job."""
    results = []
    for ref in refs:
        if is_reconciled(ref):
            results.append(reconciled_result(ref))
            continue
        result = check_job(hook, ref, workspace_id, log)
        if result is None or not result.is_finished:
            return None
        results.append(result)
    return results


def failure_message(result: PublerJobResult) -> str:
    """The message a failed job fails its task with: every account, network and Publer's reason."""
    if result.failures:
        lines = result.failure_summary()
        hints = []
        if any(is_collision_failure(f) for f in result.failures):
            hints.append(
                "Publer needs a one-minute gap between posts on one account. If these posts were sent "
                "before (an earlier run of the DAG, or by hand), they may already exist: check the "
                "account's posts; a dry run (dry_run=True) lists them."
            )
        if any("resource does not exist" in str(f.get("message", "")).lower() for f in result.failures):
            hints.append(
                "'Resource does not exist': the account id is not one of the workspace's accounts; list "
                "them with PublerHook().list_accounts() (ids, not names or social ids)."
            )
        hint = "".join(f"\n{h}" for h in hints)
        return (
            f"Publer job {result.job_id} finished '{result.status}' with {len(result.failures)} failed "
            f"account(s):\n{lines}{hint}"
        )
    return f"Publer job {result.job_id} finished '{result.status}' without details from Publer."


def job_refs(value: Any, *, name: str = "job_id") -> list[str]:
    """A job reference (``str``) or several: a list (an operator that sent several requests), or a
    mapped task's output (a lazy sequence of ids, or of lists of ids), flattened in order.

    :raises AirflowFailException: nothing usable was given.
    """
    from airflow_provider_publer.ids import id_list

    items = id_list(value)
    refs = [str(item).strip() for item in items if item is not None and str(item).strip() not in ("", "None")]
    if not refs or len(refs) != len(items):
        raise AirflowFailException(
            f"Got no usable {name} ({_shown(value)}). Pass the schedule task's output "
            f"({name}=schedule.output; a mapped task's output works too), a Publer job id string, or a "
            "list of them."
        )
    return refs


def _shown(value: Any) -> str:
    from airflow_provider_publer.ids import id_list

    try:
        return repr(id_list(value)) if not isinstance(value, (str, list, tuple)) else repr(value)
    except Exception:  # only for the message
        return type(value).__name__


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
    """Accept only an explicit success event from the job trigger and return its outcome.

    Every other event fails the task: failed accounts and errors for good
    (``AirflowFailException``), the deadline as ``AirflowSensorTimeout``, and an event
    that is not exactly one the trigger sends (:mod:`~airflow_provider_publer.trigger_events`)
    as ``AirflowException``.
    """
    from airflow_provider_publer.trigger_events import (
        JobsFailed,
        JobsSucceeded,
        UnusableEventError,
        WaitTimedOut,
        parse_job_event,
    )

    try:
        parsed = parse_job_event(event)
    except UnusableEventError as err:
        raise AirflowException(
            f"Publer trigger sent no usable event ({err}); the job's outcome is unknown"
        ) from None
    if isinstance(parsed, JobsSucceeded):
        return parsed.result
    if isinstance(parsed, JobsFailed):
        raise AirflowFailException(failure_message(PublerJobResult.from_dict(parsed.result)))
    if isinstance(parsed, WaitTimedOut):
        raise AirflowSensorTimeout(parsed.message)
    raise AirflowFailException(parsed.message)


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


# -- a post's life after scheduling (PublerPostSensor and PublerPostTrigger) --------------------------

#: What the post sensor and trigger list: posts in every state, so that a post awaited that is not
#: listed at all is known to be gone (deleted in Publer), not merely "not yet".
LISTED_STATES = "all"

#: What the post sensor returns for each post, in this order (Publer's post summary fields).
POST_OUTCOME_KEYS = ("id", "account_id", "network", "state", "post_link", "scheduled_at", "type", "text")


@dataclass(frozen=True)
class PostsProgress:
    """Where a set of posts stands against the state they are awaited in.

    :param target_state: the base state awaited (``published``...).
    :param done: posts in that state, in the order of the ids awaited.
    :param failed: posts Publer failed (state ``failed``) while another state was awaited.
    :param pending: ids not in the target state yet (still ``scheduled``..., or not listed when
        the listing was narrowed by state).
    :param gone: ids not listed at all in a listing of every state: no longer on Publer.
    """

    target_state: str
    done: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)

    @property
    def finished(self) -> bool:
        """Every post reached the target state."""
        return not self.failed and not self.pending and not self.gone

    def outcomes(self) -> list[dict[str, Any]]:
        """The posts that reached the target state, as the sensor returns them."""
        return [post_outcome(post) for post in self.done]


def judge_posts(
    post_ids: Iterable[str],
    listed: Mapping[str, Mapping[str, Any]],
    target_state: str,
    *,
    every_state: bool = False,
) -> PostsProgress:
    """Compare the listed posts (``{id: post summary}``) with the state they are awaited in.

    A post in the target state is done (``published_posted`` counts as ``published``); a
    ``failed`` post is failed unless ``failed`` is awaited; anything else is pending. An id not
    listed is gone when the listing covered every state (``every_state``), else pending.
    """
    progress = PostsProgress(target_state)
    for post_id in post_ids:
        post = listed.get(str(post_id))
        state = post_base_state(post) if post is not None else ""
        if post is None and every_state:
            progress.gone.append(str(post_id))
        elif post is not None and state == target_state:
            progress.done.append(dict(post))
        elif post is not None and state == "failed":
            progress.failed.append(dict(post))
        else:
            progress.pending.append(str(post_id))
    return progress


def post_outcome(post: Mapping[str, Any]) -> dict[str, Any]:
    """One post as the sensor returns it: ``{id, account_id, network, state, post_link,
    scheduled_at, type, text}`` (and ``error`` for a failed post), JSON only."""
    outcome = {key: post.get(key) for key in POST_OUTCOME_KEYS}
    reason = post_error(post)
    if reason or post_base_state(post) == "failed":
        outcome["error"] = reason
    return outcome


def posts_failure_message(progress: PostsProgress) -> str:
    """Every failed post with its account, network, time and Publer's reason."""
    lines = "\n".join(_describe_failed_post(post) for post in progress.failed)
    waiting = ""
    if progress.pending:
        waiting = f"\n{len(progress.pending)} other post(s) were not {progress.target_state} yet."
    return (
        f"{len(progress.failed)} Publer post(s) failed instead of becoming {progress.target_state}:\n"
        f"{lines}{waiting}"
    )


def gone_message(progress: PostsProgress, workspace_id: str | None) -> str:
    """Posts awaited that Publer no longer lists, in any state: deleted while the task waited."""
    where = f"workspace {workspace_id}" if workspace_id else "the connection's workspace"
    return (
        f"{len(progress.gone)} Publer post(s) awaited to become {progress.target_state} are no longer on "
        f"Publer: {', '.join(progress.gone)}. Publer lists them in no state in {where}: they were deleted "
        "(in Publer, or by another task) while this task waited, or never belonged to this workspace. "
        "Schedule them again if they should go live."
    )


def _describe_failed_post(post: Mapping[str, Any]) -> str:
    reason = (
        post_error(post) or "Publer gave no reason (it documents no field for one); see the post in Publer"
    )
    network = post.get("network") or "unknown network"
    return (
        f"post {post.get('id')} (account {post.get('account_id') or '?'}, {network}, "
        f"scheduled_at {post.get('scheduled_at') or '?'}): {reason}"
    )


def judge_posts_event(event: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Accept only an explicit success event from :class:`PublerPostTrigger`; return its posts.

    Failed or deleted posts and errors fail the task for good, the deadline is an
    ``AirflowSensorTimeout``, and anything that is not exactly an event the trigger sends is
    an ``AirflowException``.
    """
    from airflow_provider_publer.trigger_events import (
        PostsSucceeded,
        UnusableEventError,
        WaitTimedOut,
        parse_posts_event,
    )

    try:
        parsed = parse_posts_event(event)
    except UnusableEventError as err:
        raise AirflowException(f"Publer post trigger sent no usable event ({err})") from None
    if isinstance(parsed, PostsSucceeded):
        return parsed.posts
    if isinstance(parsed, WaitTimedOut):
        raise AirflowSensorTimeout(parsed.message)
    raise AirflowFailException(parsed.message)


def submitting_task(context: Context, job_ids: Iterable[str], task_ids: Iterable[str]) -> str | None:
    """The id of the task (among ``task_ids``) whose XCom ``publer_job_workspaces`` records one of
    ``job_ids``: the ``PublerSchedulePostOperator`` that submitted them. ``None`` when none did."""
    wanted = set(job_ids)
    ti = context["ti"]
    for task_id in sorted(task_ids):
        for record in _flatten(ti.xcom_pull(task_ids=[task_id], key=XCOM_JOB_WORKSPACES)):
            if isinstance(record, Mapping) and wanted & set(record):
                return task_id
    return None
