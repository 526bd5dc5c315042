"""The sensor that decides whether a Publer job landed.

It succeeds only on an explicit ``complete``/``completed`` status with no
per-account failures, fails (without retries) listing every failed account and
Publer's reason, keeps waiting on ``working`` and on statuses it does not know,
and treats transient trouble (network, 5xx, 429) as "not yet" so a blip never
fails a run. The job is checked in the workspace it was submitted in (the
submitting operator records it). The hook does the HTTP; the decisions shared with
the operator and the trigger live in :mod:`airflow_provider_publer.job_outcomes`;
in deferrable mode the trigger does the waiting.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from airflow_provider_publer.compat import AirflowFailException, AirflowSensorTimeout, AirflowSkipException
from airflow_provider_publer.constants import DEFAULT_CONN_ID, default_deferrable
from airflow_provider_publer.exceptions import PublerError
from airflow_provider_publer.job_outcomes import (
    check_job,
    combined_outcome,
    failure_message,
    is_reconciled,
    job_refs,
    judge_event,
    reconciled_result,
    submitted_workspace,
)
from airflow_provider_publer.links.publer import XCOM_POSTS_URL, PublerJobPostsLink
from airflow_provider_publer.responses import PublerJobResult

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_publer.hooks.publer import PublerHook


class PublerJobSensor(BaseSensorOperator):
    """Wait for a Publer job (``GET /job_status/{id}``) and fail with Publer's reasons if posts failed.

    Runs in ``reschedule`` mode by default, so the worker slot is free between checks.
    Its XCom result is the normalised job outcome: ``{job_id, status, succeeded, failures, payload}``.

    :param job_id: the job id returned by ``PublerSchedulePostOperator`` (templated), e.g.
        ``schedule.output``; a list of job ids (an operator that sent several requests) waits for all.
    :param workspace_id: workspace of the job (templated). By default the workspace the job was
        submitted in, as ``PublerSchedulePostOperator`` recorded it, else the connection's default.
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
        refs = self._job_refs()
        jobs = [ref for ref in refs if not is_reconciled(ref)]
        self._push_link(context, jobs)
        workspace = self._workspace(context, jobs[0]) if jobs else None
        results = []
        for ref in refs:
            if is_reconciled(ref):
                results.append(reconciled_result(ref))
                continue
            result = check_job(self.hook, ref, workspace, self.log)
            if result is None or not result.is_finished:
                return False
            results.append(result)
        outcome = combined_outcome(results)
        if not outcome["succeeded"]:
            raise AirflowFailException(failure_message(PublerJobResult.from_dict(outcome)))
        self.log.info("Publer job(s) %s finished with no failures", outcome["job_id"])
        return PokeReturnValue(is_done=True, xcom_value=outcome)

    def execute(self, context: Context) -> Any:
        started = self._started_at(context)
        # A poke's retries stay within the time the sensor has left.
        self.hook.deadline = started + float(self.timeout)
        if not self.deferrable:
            return super().execute(context)
        outcome = self._soft_failing(lambda: self.poke(context))
        if isinstance(outcome, PokeReturnValue):
            return outcome.xcom_value
        from airflow_provider_publer.triggers.publer import PublerJobTrigger

        jobs = [ref for ref in self._job_refs() if not is_reconciled(ref)]
        self.defer(
            trigger=PublerJobTrigger(
                job_ids=jobs,
                publer_conn_id=self.publer_conn_id,
                workspace_id=self._workspace(context, jobs[0]),
                poll_interval=float(self.poke_interval),
                end_time=started + float(self.timeout),
                first_check_delay=float(self.poke_interval),
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=max(1.0, started + float(self.timeout) - time.time()) + 60),
        )

    def _started_at(self, context: Context) -> float:
        """When this wait began (UNIX time): the first reschedule's start in reschedule mode."""
        if self.reschedule:
            first = context["ti"].get_first_reschedule_date(context)
            if first is not None:
                return float(first.timestamp())
        return time.time()

    def _workspace(self, context: Context, job_id: str) -> str | None:
        if self.workspace_id:
            return str(self.workspace_id)
        return submitted_workspace(context, job_id, self.upstream_task_ids)

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

    def _job_refs(self) -> list[str]:
        return job_refs(self.job_id)

    def _push_link(self, context: Context, jobs: list[str]) -> None:
        try:
            url = self.hook.web_app_url(jobs[0] if len(jobs) == 1 else None)
        except PublerError as err:
            raise AirflowFailException(str(err)) from None
        context["ti"].xcom_push(key=XCOM_POSTS_URL, value=url)
