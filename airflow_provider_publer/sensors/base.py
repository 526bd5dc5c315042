"""What the provider's sensors share: the deadline of a wait, ``soft_fail`` in deferrable mode, the
links they push, and waiting for several jobs without asking twice about a finished one.

Why this module exists: :class:`~airflow_provider_publer.sensors.publer.PublerJobSensor` and
:class:`~airflow_provider_publer.sensors.publer.PublerPostSensor` both wait for Publer's jobs
(the post sensor first waits for the job that creates its posts), both run in reschedule mode
by default and both may defer. Written once here, they behave alike.

**Jobs already known to be finished are not asked about again.** A calendar of 5,000 posts is
ten jobs; Publer allows 100 requests in 2 minutes for the whole user. Each check asks only about
the jobs not yet known to be finished, in the order they were sent, and stops at the first one
still working: a job's final status is fetched once. In reschedule mode every poke is a new
process (possibly on another worker of a Celery or Kubernetes deployment), so what one poke
learned is kept for the next in an Airflow Variable of the task instance
(``publer_sensor/<dag>/<run>/<task>/<map index>``, deleted when the wait ends): Variables live in
the metadata database on every supported Airflow, while a task instance's XCom is cleared when
a rescheduled task starts again. The Variable holds job outcomes (ids, statuses, Publer's
per-account failures), never a secret.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator

from airflow_provider_publer.compat import AirflowFailException, AirflowSensorTimeout, AirflowSkipException
from airflow_provider_publer.constants import DEFAULT_CONN_ID, default_deferrable
from airflow_provider_publer.exceptions import PublerError
from airflow_provider_publer.job_outcomes import check_job, is_reconciled, reconciled_result
from airflow_provider_publer.links.publer import XCOM_POST_LINK, XCOM_POST_LINKS, XCOM_POSTS_URL
from airflow_provider_publer.operators.base import PublerTaskMixin

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_publer.ledger import LedgerStore
    from airflow_provider_publer.responses import PublerJobResult

#: Prefix of the Variables in which a rescheduled sensor keeps the jobs it saw finish.
MEMORY_PREFIX = "publer_sensor"
#: Airflow's limit on a Variable key.
_MAX_KEY_LENGTH = 250


class FinishedJobs:
    """The jobs a wait already saw finish, kept across the pokes of a rescheduled sensor.

    :param key: the Variable key (one per task instance).
    :param store: where it is kept (Airflow Variables in tasks; a dict-like store in tests).
    :param results: what is known already.
    """

    def __init__(
        self, key: str, store: LedgerStore | None, results: dict[str, PublerJobResult] | None = None
    ) -> None:
        self.key = key
        self.store = store
        self.results: dict[str, PublerJobResult] = dict(results or {})
        self._saved: set[str] | None = None

    @classmethod
    def for_task(cls, context: Context, *, resumed: bool, durable: bool) -> FinishedJobs:
        """The memory of the running task instance; read only when an earlier poke may have written it.

        :param resumed: an earlier poke of this try ran (the sensor was rescheduled).
        :param durable: kept in a Variable for the next poke (a rescheduled wait for several jobs);
            otherwise it lives as long as the task's process (poke mode, or before deferring).
        """
        from airflow_provider_publer.ledger import VariableStore
        from airflow_provider_publer.responses import PublerJobResult

        ti = context["ti"]
        parts = [ti.dag_id, ti.run_id, ti.task_id, str(getattr(ti, "map_index", -1))]
        key = "/".join([MEMORY_PREFIX, *parts])
        if len(key) > _MAX_KEY_LENGTH:
            key = f"{MEMORY_PREFIX}/{hashlib.sha256(key.encode()).hexdigest()}"
        if not durable:
            return cls(key, None)
        store = VariableStore()
        memory = cls(key, store)
        if resumed:
            raw = store.get(key)
            try:
                data = json.loads(raw) if raw else {}
                jobs = data.get("jobs", {})
                memory.results = {str(job): PublerJobResult.from_dict(out) for job, out in jobs.items()}
            except (ValueError, TypeError, AttributeError, KeyError):
                # Only a cost: the jobs are asked about again. Nothing is decided on bad data.
                memory.results = {}
            memory._saved = set(memory.results) if raw else None
        return memory

    def save(self) -> None:
        """Keep what is known for the next poke (written only when something new was learned)."""
        if self.store is None or self._saved == set(self.results):
            return
        data = {"version": 1, "jobs": {job: result.to_dict() for job, result in self.results.items()}}
        self.store.set(
            self.key,
            json.dumps(data, sort_keys=True),
            "The Publer jobs this sensor already saw finish (airflow-provider-publer; spares "
            "asking Publer again on the next poke; deleted when the wait ends).",
        )
        self._saved = set(self.results)

    def forget(self) -> None:
        """The wait ended: drop the Variable (if one was written)."""
        if self.store is None or self._saved is None:
            return
        from airflow.sdk import Variable

        with contextlib.suppress(Exception):  # cleaning up must never fail a finished wait
            Variable.delete(self.key)
        self._saved = None


class PublerSensorBase(PublerTaskMixin, BaseSensorOperator):
    """The plumbing of the provider's sensors (reschedule mode by default, deferrable on request).

    :param publer_conn_id: Airflow connection of type ``publer``.
    :param workspace_id: the workspace of the jobs or posts; by default the one they were submitted in.
    :param deferrable: wait in the triggerer; defaults to ``[operators] default_deferrable``.
    :param mode: ``reschedule`` (default) frees the worker slot between checks; ``poke`` keeps it.
    :param poke_interval: seconds between two checks.
    """

    def __init__(
        self,
        *,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        deferrable: bool | None = None,
        mode: str = "reschedule",
        poke_interval: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(mode=mode, poke_interval=poke_interval, **kwargs)
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id
        self.deferrable = default_deferrable() if deferrable is None else deferrable
        self._finished: FinishedJobs | None = None
        self._resumed = False

    # -- the wait's deadline and soft_fail -------------------------------------------------------

    def _start_wait(self, context: Context) -> float:
        """When the wait ends (UNIX time); a check's retries stay within the time it has left."""
        end_time = self._wait_started(context) + float(self.timeout)
        self.hook.deadline = end_time
        return end_time

    def _wait_started(self, context: Context) -> float:
        """When this wait began (UNIX time): the first reschedule's start in reschedule mode."""
        if self.reschedule:
            first = context["ti"].get_first_reschedule_date(context)
            if first is not None:
                self._resumed = True
                return float(first.timestamp())
        return time.time()

    def _poke_until_done(self, context: Context) -> Any:
        """The base sensor's loop (poke or reschedule); the jobs' memory is dropped when it ends."""
        try:  # Airflow 3.2+
            from airflow.sdk.exceptions import AirflowRescheduleException
        except ImportError:  # Airflow 3.1
            from airflow.exceptions import AirflowRescheduleException  # type: ignore[no-redef,attr-defined,unused-ignore]

        try:
            result = BaseSensorOperator.execute(self, context)
        except AirflowRescheduleException:
            raise
        except BaseException:
            self._end_wait()
            raise
        self._end_wait()
        return result

    def _soft_failing(self, decide: Callable[[], Any]) -> Any:
        """Apply ``soft_fail`` in deferrable mode, as the base sensor does in its poke loop."""
        try:
            return decide()
        except (AirflowFailException, AirflowSensorTimeout) as err:
            if self.soft_fail:
                raise AirflowSkipException(f"Skipping (soft_fail): {err}") from err
            raise

    # -- several jobs, each final status fetched once ---------------------------------------------

    @property
    def finished_jobs(self) -> FinishedJobs:
        """The jobs this wait saw finish (in memory until ``_check_jobs`` loads the durable one)."""
        if self._finished is None:
            self._finished = FinishedJobs("", None)
        return self._finished

    def _check_jobs(
        self, context: Context, refs: list[str], workspace: str | None
    ) -> list[PublerJobResult] | None:
        """One check of the jobs not yet known to be finished, in order, stopping at the first still
        working: every job's result, or ``None`` while one is still running or could not be checked.
        """
        if self._finished is None:
            jobs = [ref for ref in refs if not is_reconciled(ref)]
            durable = self.reschedule and not self.deferrable and len(jobs) > 1
            self._finished = FinishedJobs.for_task(context, resumed=self._resumed, durable=durable)
        memory = self._finished
        results = []
        for ref in refs:
            if is_reconciled(ref):
                results.append(reconciled_result(ref))
                continue
            known = memory.results.get(ref)
            if known is None:
                known = check_job(self.hook, ref, workspace, self.log)
                if known is None or not known.is_finished:
                    memory.save()
                    return None
                memory.results[ref] = known
            results.append(known)
        return results

    def _pending_jobs(self, refs: list[str]) -> list[str]:
        """The jobs among ``refs`` not yet known to be finished (what a trigger still waits for)."""
        return [ref for ref in refs if not is_reconciled(ref) and ref not in self.finished_jobs.results]

    def _finished_outcomes(self, refs: list[str]) -> list[dict[str, Any]]:
        """The outcomes of the jobs among ``refs`` known to be finished (JSON, for a deferral's kwargs)."""
        known = self.finished_jobs.results
        return [known[ref].to_dict() for ref in refs if ref in known]

    def _end_wait(self) -> None:
        if self._finished is not None:
            self._finished.forget()

    # -- links -----------------------------------------------------------------------------------

    def _push_posts_url(self, context: Context, job_id: str | None) -> None:
        """The "Publer posts" link: the web app's view of the job's posts (or of all posts)."""
        try:
            url = self.hook.web_app_url(job_id)
        except PublerError as err:
            raise AirflowFailException(str(err)) from None
        context["ti"].xcom_push(key=XCOM_POSTS_URL, value=url)

    def _push_post_links(self, context: Context, posts: list[dict[str, Any]]) -> None:
        """The "Published post" links: one per post found published, in the task's order."""
        links = [str(p["post_link"]) for p in posts if p.get("post_link")]
        if links:
            context["ti"].xcom_push(key=XCOM_POST_LINK, value=links[0])
            context["ti"].xcom_push(key=XCOM_POST_LINKS, value=links)


__all__ = ["MEMORY_PREFIX", "FinishedJobs", "PublerSensorBase"]
