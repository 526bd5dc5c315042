"""The sensor that decides whether a Publer job landed.

It succeeds only on an explicit ``complete``/``completed`` status with no
per-account failures, fails (without retries) listing every failed account and
Publer's reason, keeps waiting on ``working`` and on statuses it does not know,
and treats transient trouble (network, 5xx, 429) as "not yet" so a blip never
fails a run. The hook does the HTTP; in deferrable mode the trigger does the
waiting.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from airflow_provider_publer.compat import (
    AirflowException,
    AirflowFailException,
    AirflowSensorTimeout,
    AirflowSkipException,
)
from airflow_provider_publer.constants import DEFAULT_CONN_ID, RECONCILED_PREFIX, default_deferrable
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerError,
    PublerRateLimitError,
    PublerServerError,
    PublerTransientError,
)
from airflow_provider_publer.links.publer import XCOM_POSTS_URL, PublerJobPostsLink
from airflow_provider_publer.responses import PublerJobResult, is_collision_failure

if TYPE_CHECKING:
    import logging

    from airflow.sdk import Context

    from airflow_provider_publer.hooks.publer import PublerHook


class PublerJobSensor(BaseSensorOperator):
    """Wait for a Publer job (``GET /job_status/{id}``) and fail with Publer's reasons if posts failed.

    Runs in ``reschedule`` mode by default, so the worker slot is free between checks.
    Its XCom result is the normalised job outcome: ``{job_id, status, succeeded, failures, payload}``.

    :param job_id: the job id returned by ``PublerSchedulePostOperator`` (templated), e.g.
        ``schedule.output``.
    :param workspace_id: workspace of the job; defaults to the connection's (templated).
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    :param deferrable: hand the wait to the triggerer; defaults to ``[operators] default_deferrable``.
    """

    template_fields: Sequence[str] = ("job_id", "workspace_id", "publer_conn_id")
    operator_extra_links = (PublerJobPostsLink(),)
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        job_id: str,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        deferrable: bool | None = None,
        mode: str = "reschedule",
        poke_interval: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(mode=mode, poke_interval=poke_interval, **kwargs)
        self.job_id = job_id
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id
        self.deferrable = default_deferrable() if deferrable is None else deferrable

    @cached_property
    def hook(self) -> PublerHook:
        from airflow_provider_publer.hooks.publer import PublerHook

        return PublerHook(publer_conn_id=self.publer_conn_id, workspace_id=self.workspace_id)

    def poke(self, context: Context) -> PokeReturnValue | bool:
        job_id = self._job_id()
        if job_id.startswith(RECONCILED_PREFIX):
            return PokeReturnValue(is_done=True, xcom_value=reconciled_outcome(job_id))
        self._push_link(context, job_id)
        result = check_job(self.hook, job_id, self.workspace_id, self.log)
        if result is None or not result.is_finished:
            return False
        if not result.is_success:
            raise AirflowFailException(failure_message(result))
        self.log.info("Publer job %s is %s with no failures", job_id, result.status)
        return PokeReturnValue(is_done=True, xcom_value=result.to_dict())

    def execute(self, context: Context) -> Any:
        if not self.deferrable:
            return super().execute(context)
        outcome = self._soft_failing(lambda: self.poke(context))
        if isinstance(outcome, PokeReturnValue):
            return outcome.xcom_value
        from airflow_provider_publer.triggers.publer import PublerJobTrigger

        self.defer(
            trigger=PublerJobTrigger(
                job_id=self._job_id(),
                publer_conn_id=self.publer_conn_id,
                workspace_id=self.workspace_id,
                poll_interval=float(self.poke_interval),
                end_time=time.time() + float(self.timeout),
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=float(self.timeout) + 60),
        )

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger: only an explicit success event succeeds."""
        return self._soft_failing(lambda: judge_event(event))

    def _soft_failing(self, decide: Any) -> Any:
        """Apply ``soft_fail`` in deferrable mode, as the base sensor does in its poke loop."""
        try:
            return decide()
        except (AirflowFailException, AirflowSensorTimeout) as err:
            if self.soft_fail:
                raise AirflowSkipException(f"Skipping (soft_fail): {err}") from err
            raise

    def _job_id(self) -> str:
        job_id = str(self.job_id or "").strip()
        if not job_id or job_id == "None":
            raise AirflowFailException(
                "PublerJobSensor got no job_id. Pass the schedule task's output "
                "(job_id=schedule.output) or a Publer job id string."
            )
        return job_id

    def _push_link(self, context: Context, job_id: str) -> None:
        try:
            context["ti"].xcom_push(key=XCOM_POSTS_URL, value=self.hook.web_app_url(job_id))
        except PublerError as err:
            raise AirflowFailException(str(err)) from None


def check_job(
    hook: PublerHook, job_id: str, workspace_id: str | None, log: logging.Logger | Any
) -> PublerJobResult | None:
    """One status check. ``None`` means "could not tell this time" (transient trouble: keep waiting).

    Errors that waiting cannot fix (bad key, no access, unknown job) fail the task without retries.
    """
    try:
        result = hook.get_job_status(job_id, workspace_id)
    except (PublerTransientError, PublerRateLimitError, PublerServerError) as err:
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
    """Accept only an explicit success event from :class:`PublerJobTrigger`; everything else fails."""
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
