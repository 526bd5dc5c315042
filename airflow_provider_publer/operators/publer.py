"""Operators that submit posts to Publer.

:class:`PublerSchedulePostOperator` validates the bulk request before anything is
sent, submits it once, and makes sure an Airflow retry or a lost response never
posts twice: it reconnects to a job it already submitted (``task_state_store``,
Airflow 3.3+) and otherwise reconciles against Publer's list of posts, sending
only what is missing. HTTP lives in the hook; importing this module stays cheap
(the hook, httpx and the trigger load only when a task runs).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_publer.compat import AirflowException, AirflowFailException
from airflow_provider_publer.constants import (
    DEFAULT_CONN_ID,
    RECONCILED_PREFIX,
    XCOM_JOB_ID,
    default_deferrable,
)
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerConfigurationError,
    PublerError,
    PublerOutcomeUnknownError,
    PublerRateLimitError,
    PublerServerError,
    PublerTransientError,
    PublerValidationError,
)
from airflow_provider_publer.links.publer import (
    XCOM_POST_LINK,
    XCOM_POSTS_URL,
    PublerJobPostsLink,
    PublerPostLink,
)
from airflow_provider_publer.validation import validate_posts

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_publer.hooks.publer import PublerHook
    from airflow_provider_publer.reconcile import Reconciliation
    from airflow_provider_publer.responses import PublerJobResult

#: task_state_store key holding the submitted job (Airflow 3.3+).
STATE_STORE_KEY = "publer_submission"


class PublerSchedulePostOperator(BaseOperator):
    """Submit a bulk post to Publer (``POST /posts/schedule``) and return the job id.

    The job id is also pushed to XCom under ``publer_job_id`` as soon as Publer
    returns it, so ``PublerJobSensor(job_id=schedule.output)`` can wait for it.

    :param posts: the ``bulk.posts`` list exactly as Publer documents it (templated, shown as
        JSON in the UI). ``accounts[].scheduled_at`` may be an ISO 8601 string with an offset or a
        timezone-aware datetime; naive datetimes are refused.
    :param state: ``bulk.state``: ``scheduled`` (default), ``draft``, ``draft_private``,
        ``draft_public``, ``recurring`` and the other forms Publer documents (templated).
    :param workspace_id: workspace to post in; defaults to the connection's ``workspace_id`` (templated).
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    :param publish_now: send to ``POST /posts/schedule/publish`` (posts must not have ``scheduled_at``).
    :param reconcile: before any re-submission (Airflow retry, lost response) check Publer's posts and
        send only those missing. Turn off only if the same text is meant to be posted twice on the
        same account at the same time.
    :param reconcile_timeout: after a submission whose outcome is unknown, how long (seconds) to
        wait for its posts to appear on Publer before giving up and letting Airflow retry.
    :param reconcile_poll_interval: seconds between two looks at Publer's posts while reconciling.
    :param wait_for_completion: also wait until Publer finishes the job; the task then fails with
        Publer's per-account reasons, and returns the job outcome instead of the job id.
    :param poll_interval: seconds between two job status checks when waiting.
    :param wait_timeout: seconds to wait for the job before failing.
    :param deferrable: wait in the triggerer instead of a worker slot (with ``wait_for_completion``);
        defaults to ``[operators] default_deferrable``.
    """

    template_fields: Sequence[str] = ("posts", "state", "workspace_id", "publer_conn_id")
    template_fields_renderers = {"posts": "json"}
    operator_extra_links = (PublerJobPostsLink(), PublerPostLink())
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        posts: Any,
        state: str = "scheduled",
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        publish_now: bool = False,
        reconcile: bool = True,
        reconcile_timeout: float = 120.0,
        reconcile_poll_interval: float = 5.0,
        wait_for_completion: bool = False,
        poll_interval: float = 10.0,
        wait_timeout: float = 3600.0,
        deferrable: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.posts = posts
        self.state = state
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id
        self.publish_now = publish_now
        self.reconcile = reconcile
        self.reconcile_timeout = reconcile_timeout
        self.reconcile_poll_interval = reconcile_poll_interval
        self.wait_for_completion = wait_for_completion
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout
        self.deferrable = default_deferrable() if deferrable is None else deferrable

    @cached_property
    def hook(self) -> PublerHook:
        from airflow_provider_publer.hooks.publer import PublerHook

        return PublerHook(publer_conn_id=self.publer_conn_id, workspace_id=self.workspace_id)

    # -- execute ---------------------------------------------------------------------------------

    def execute(self, context: Context) -> Any:
        # A retry may come after scheduled_at passed; its posts may already be on Publer, so the
        # time check waits until reconciliation knows what is still to be sent (see _submit).
        posts = self._checked_posts(now=_EPOCH if _try_number(context) > 1 else None)
        workspace = self._workspace()
        fingerprint = _fingerprint(posts, self.state, workspace, self.publish_now)
        job_id = self._resume(context, fingerprint, workspace) or self._submit(context, posts, workspace)
        context["ti"].xcom_push(key=XCOM_JOB_ID, value=job_id)
        self._remember(context, fingerprint, job_id)
        context["ti"].xcom_push(key=XCOM_POSTS_URL, value=self.hook.web_app_url(_link_job(job_id)))
        if not self.wait_for_completion:
            return job_id
        return self._wait(context, job_id, workspace, posts)

    def _checked_posts(self, posts: Any = None, now: datetime | None = None) -> list[dict[str, Any]]:
        """Validate before anything is sent; bad input fails the task without retries."""
        try:
            return validate_posts(
                self.posts if posts is None else posts,
                state=self.state,
                publish_now=self.publish_now,
                now=now,
            )
        except PublerValidationError as err:
            raise AirflowFailException(f"Nothing was sent to Publer. {err}") from None

    def _workspace(self) -> str:
        try:
            return self.hook.resolve_workspace(self.workspace_id)
        except (PublerConfigurationError, PublerValidationError) as err:
            raise AirflowFailException(f"Nothing was sent to Publer. {err}") from None

    def _resume(self, context: Context, fingerprint: str, workspace: str) -> str | None:
        """Reconnect to the job an earlier try submitted, when Airflow kept it (3.3+)."""
        store = context.get("task_state_store")
        record = store.get(STATE_STORE_KEY) if store is not None else None
        if not isinstance(record, dict) or record.get("fingerprint") != fingerprint:
            return None
        job_id = str(record.get("job_id") or "")
        if job_id.startswith(RECONCILED_PREFIX):
            return job_id
        try:
            result = self._call(lambda: self.hook.get_job_status(job_id, workspace))
        except AirflowFailException as err:
            self.log.warning("Job %s of an earlier try cannot be read (%s); reconciling instead", job_id, err)
            return None
        if result.is_running or result.is_success:
            self.log.info(
                "Reconnecting to job %s submitted by an earlier try (status %s)", job_id, result.status
            )
            return job_id
        self.log.warning(
            "Job %s of an earlier try ended %s; reconciling before resubmitting", job_id, result.status
        )
        return None

    def _remember(self, context: Context, fingerprint: str, job_id: str) -> None:
        store = context.get("task_state_store")
        if store is not None:
            store.set(STATE_STORE_KEY, {"fingerprint": fingerprint, "job_id": job_id})

    def _submit(self, context: Context, posts: list[dict[str, Any]], workspace: str) -> str:
        since = _first_attempt_start(context)
        to_send = posts
        if self.reconcile and _try_number(context) > 1:
            self.log.info("Try %d: checking Publer for posts an earlier try created", _try_number(context))
            found = self._reconcile(posts, since, workspace)
            if found.complete:
                return self._reconciled(found)
            to_send = self._checked_posts(found.remaining_posts)
        try:
            return self._call(lambda: self._send(to_send, workspace))
        except PublerOutcomeUnknownError as err:
            self.log.warning("%s", err)
            if not self.reconcile:
                raise AirflowException(
                    f"{err} Reconciliation is off; check Publer before retrying."
                ) from None
            return self._await_posts(to_send, since, workspace)

    def _send(self, posts: list[dict[str, Any]], workspace: str) -> str:
        self.log.info(
            "Submitting %d post(s) for %d account(s) to Publer (state=%s%s)",
            len(posts),
            sum(len(p.get("accounts") or []) for p in posts),
            self.state,
            ", publish now" if self.publish_now else "",
        )
        if self.publish_now:
            return self.hook.publish_posts(posts, workspace_id=workspace, state=self.state)
        return self.hook.schedule_posts(posts, state=self.state, workspace_id=workspace)

    def _reconcile(self, posts: list[dict[str, Any]], since: datetime, workspace: str) -> Reconciliation:
        from airflow_provider_publer.reconcile import reconcile

        found = self._call(lambda: reconcile(self.hook, posts, since=since, workspace_id=workspace))
        self.log.info("Publer already holds %d of %d intended post(s)", len(found.found), _count(posts))
        return found

    def _await_posts(self, posts: list[dict[str, Any]], since: datetime, workspace: str) -> str:
        """After a lost answer, wait for Publer's job to surface the posts instead of resending."""
        deadline = time.monotonic() + self.reconcile_timeout
        while True:
            try:
                found = self._reconcile(posts, since, workspace)
            except AirflowFailException:
                raise
            except AirflowException as err:
                self.log.warning("Reconciliation attempt failed: %s", err)
            else:
                if found.complete:
                    return self._reconciled(found)
            if time.monotonic() >= deadline:
                raise AirflowException(
                    "Publer's answer to the submission was lost and its posts did not all appear within "
                    f"{self.reconcile_timeout:.0f}s. A retry of this task checks Publer again and submits "
                    "only the posts that are still missing."
                )
            time.sleep(self.reconcile_poll_interval)

    def _reconciled(self, found: Reconciliation) -> str:
        ids = found.found_post_ids
        self.log.info(
            "Every intended post already exists on Publer (%s); nothing is resubmitted", ", ".join(ids)
        )
        return RECONCILED_PREFIX + ",".join(ids)

    def _call(self, func: Any) -> Any:
        """Run a hook call, turning Publer errors into Airflow's retry / no-retry exceptions."""
        try:
            return func()
        except (PublerTransientError, PublerRateLimitError, PublerServerError) as err:
            raise AirflowException(str(err)) from None
        except PublerOutcomeUnknownError:
            raise
        except PublerAPIError as err:
            raise AirflowFailException(str(err)) from None
        except PublerError as err:
            raise AirflowFailException(str(err)) from None

    # -- waiting (optional) ----------------------------------------------------------------------

    def _wait(self, context: Context, job_id: str, workspace: str, posts: list[dict[str, Any]]) -> Any:
        from airflow_provider_publer.responses import PublerJobResult
        from airflow_provider_publer.sensors.publer import check_job, failure_message, reconciled_outcome

        if job_id.startswith(RECONCILED_PREFIX):
            outcome = PublerJobResult.from_dict(reconciled_outcome(job_id))
            return self._finish(context, outcome, posts, workspace)
        deadline = time.monotonic() + self.wait_timeout
        while True:
            result = check_job(self.hook, job_id, workspace, self.log)
            if result is not None and result.is_finished:
                if not result.is_success:
                    raise AirflowFailException(failure_message(result))
                return self._finish(context, result, posts, workspace)
            if self.deferrable:
                self._defer(job_id, workspace)
            if time.monotonic() >= deadline:
                raise AirflowException(f"Publer job {job_id} did not finish within {self.wait_timeout:.0f}s.")
            time.sleep(self.poll_interval)

    def _defer(self, job_id: str, workspace: str) -> None:
        from airflow_provider_publer.triggers.publer import PublerJobTrigger

        self.defer(
            trigger=PublerJobTrigger(
                job_id=job_id,
                publer_conn_id=self.publer_conn_id,
                workspace_id=workspace,
                poll_interval=self.poll_interval,
                end_time=time.time() + self.wait_timeout,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.wait_timeout + 60),
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger; only an explicit success event succeeds."""
        from airflow_provider_publer.responses import PublerJobResult
        from airflow_provider_publer.sensors.publer import judge_event

        result = judge_event(event)
        posts = self._checked_posts_or_empty()
        return self._finish(context, PublerJobResult.from_dict(result), posts, self._workspace())

    def _checked_posts_or_empty(self) -> list[dict[str, Any]]:
        try:
            return validate_posts(self.posts, state=self.state, publish_now=self.publish_now, now=_EPOCH)
        except PublerValidationError:
            return []

    def _finish(
        self, context: Context, result: PublerJobResult, posts: list[dict[str, Any]], workspace: str
    ) -> dict[str, Any]:
        """Verify the posts exist and push the published post's link when Publer has one."""
        outcome = result.to_dict()
        if posts and self.reconcile:
            found = self._reconcile(posts, _first_attempt_start(context), workspace)
            outcome["post_ids"] = found.found_post_ids
            outcome["missing"] = len(found.missing)
            links = [p.get("post_link") for p in found.found.values() if p.get("post_link")]
            if links:
                context["ti"].xcom_push(key=XCOM_POST_LINK, value=str(links[0]))
            if found.missing:
                raise AirflowFailException(
                    f"Publer reported job {result.job_id} complete, but {len(found.missing)} post(s) are not "
                    "listed on Publer. Check that media sits inside networks.<network>.media."
                )
        return outcome


def _fingerprint(posts: list[dict[str, Any]], state: str, workspace: str, publish_now: bool) -> str:
    data = json.dumps([posts, state, workspace, publish_now], sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def _link_job(job_id: str) -> str | None:
    return None if job_id.startswith(RECONCILED_PREFIX) else job_id


def _try_number(context: Context) -> int:
    return int(getattr(context["ti"], "try_number", 1) or 1)


def _first_attempt_start(context: Context) -> datetime:
    """When this run began: posts created since then may be ours."""
    dag_run = context.get("dag_run")
    start = getattr(dag_run, "start_date", None) or getattr(context["ti"], "start_date", None)
    if isinstance(start, datetime):
        return start if start.tzinfo else start.replace(tzinfo=timezone.utc)
    return datetime.now(timezone.utc)


def _count(posts: list[dict[str, Any]]) -> int:
    return sum(len(p.get("accounts") or []) for p in posts)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
