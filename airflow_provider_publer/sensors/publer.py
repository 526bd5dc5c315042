"""The sensors that decide whether a Publer job landed and whether its posts went live.

It succeeds only on an explicit ``complete``/``completed`` status with no
per-account failures, fails (without retries) listing every failed account and
Publer's reason, keeps waiting on ``working`` and on statuses it does not know,
and treats transient trouble (network, 5xx, 429) as "not yet" so a blip never
fails a run. The job is checked in the workspace it was submitted in (the
submitting operator records it). The hook does the HTTP; the decisions shared with
the operator and the trigger live in :mod:`airflow_provider_publer.job_outcomes`;
in deferrable mode the trigger does the waiting.

:class:`PublerPostSensor` follows the posts after the job: it waits until each one is
``published`` (or another state) and fails naming every post Publer failed at its time, with
Publer's reason. Publer offers no webhook and no "get one post", so it lists posts narrowed by
account and time (:meth:`~airflow_provider_publer.hooks.publer.PublerHook.find_posts`).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from airflow.sdk import PokeReturnValue

from airflow_provider_publer.compat import AirflowFailException
from airflow_provider_publer.constants import DEFAULT_CONN_ID, XCOM_JOB_WORKSPACES, XCOM_SUBMITTED_POSTS
from airflow_provider_publer.exceptions import PublerError, is_transient
from airflow_provider_publer.job_outcomes import (
    LISTED_STATES,
    PostsProgress,
    combined_outcome,
    failure_message,
    gone_message,
    is_reconciled,
    job_refs,
    judge_event,
    judge_posts,
    judge_posts_event,
    posts_failure_message,
    reconciled_outcome,
    submitted_workspace,
)
from airflow_provider_publer.links.publer import PublerJobPostsLink, published_post_links
from airflow_provider_publer.operators.base import checked
from airflow_provider_publer.responses import PublerJobResult
from airflow_provider_publer.sensors.base import PublerSensorBase

if TYPE_CHECKING:
    from airflow.sdk import Context


class PublerJobSensor(PublerSensorBase):
    """Wait for a Publer job (``GET /job_status/{id}``) and fail with Publer's reasons if posts failed.

    Runs in ``reschedule`` mode by default, so the worker slot is free between checks.
    Its XCom result is the normalised job outcome: ``{job_id, status, succeeded, failures, payload}``.
    Several jobs are checked in order; a job's final status is fetched once, also across the
    pokes of a rescheduled sensor (see :mod:`airflow_provider_publer.sensors.base`).

    :param job_id: the job id returned by ``PublerSchedulePostOperator`` (templated), e.g.
        ``schedule.output``; a list of job ids (an operator that sent several requests), or the
        output of a mapped schedule task (ids, or lists of ids), waits for all. Map the sensor
        (``PublerJobSensor.partial(...).expand(job_id=schedule.output)``) to wait for each
        mapped task's jobs in a task instance of its own.
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
        job_id: Any,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        deferrable: bool | None = None,
        mode: str = "reschedule",
        poke_interval: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            workspace_id=workspace_id,
            publer_conn_id=publer_conn_id,
            deferrable=deferrable,
            mode=mode,
            poke_interval=poke_interval,
            **kwargs,
        )
        self.job_id = job_id

    def poke(self, context: Context) -> PokeReturnValue | bool:
        refs = job_refs(self.job_id)
        jobs = [ref for ref in refs if not is_reconciled(ref)]
        self._push_posts_url(context, jobs[0] if len(jobs) == 1 else None)
        workspace = self._job_workspace(context, jobs[0]) if jobs else None
        results = self._check_jobs(context, refs, workspace)
        if results is None:
            return False
        outcome = combined_outcome(results)
        if not outcome["succeeded"]:
            raise AirflowFailException(failure_message(PublerJobResult.from_dict(outcome)))
        self.log.info("Publer job(s) %s finished with no failures", outcome["job_id"])
        return PokeReturnValue(is_done=True, xcom_value=outcome)

    def execute(self, context: Context) -> Any:
        end_time = self._start_wait(context)
        if not self.deferrable:
            return self._poke_until_done(context)
        outcome = self._soft_failing(lambda: self.poke(context))
        if isinstance(outcome, PokeReturnValue):
            return outcome.xcom_value
        from airflow_provider_publer.triggers.publer import PublerJobTrigger

        refs = job_refs(self.job_id)
        pending = self._pending_jobs(refs)
        self.defer(
            trigger=PublerJobTrigger(
                job_ids=pending,
                publer_conn_id=self.publer_conn_id,
                workspace_id=self._job_workspace(context, pending[0]),
                poll_interval=float(self.poke_interval),
                end_time=end_time,
                first_check_delay=float(self.poke_interval),
            ),
            method_name="execute_complete",
            kwargs={"finished": self._finished_outcomes(refs), "refs": refs},
            timeout=timedelta(seconds=max(1.0, end_time - time.time()) + 60),
        )

    def _job_workspace(self, context: Context, job_id: str) -> str | None:
        if self.workspace_id:
            return str(self.workspace_id)
        return submitted_workspace(context, job_id, self.upstream_task_ids)

    def execute_complete(
        self,
        context: Context,
        event: dict[str, Any] | None = None,
        finished: list[dict[str, Any]] | None = None,
        refs: list[str] | None = None,
    ) -> Any:
        """Resume after the trigger: only an explicit success event succeeds.

        :param finished: the outcomes of the jobs already seen finished before deferring.
        :param refs: every job reference waited for, in order.
        """

        def decide() -> dict[str, Any]:
            result = judge_event(event)
            if not finished and not any(is_reconciled(ref) for ref in refs or []):
                return result
            known = {str(job["job_id"]): job for job in finished or []}
            known.update({str(job["job_id"]): job for job in result.get("jobs") or [result]})
            order = refs or list(known)
            outcomes = [known[ref] if ref in known else reconciled_outcome(ref) for ref in order]
            return combined_outcome([PublerJobResult.from_dict(job) for job in outcomes])

        return self._soft_failing(decide)


class PublerPostSensor(PublerSensorBase):
    """Wait until Publer's posts reach a state (``published`` by default); fail naming every post
    Publer failed, with its reason, and every post deleted while it waited.

    Publer has no "get one post" endpoint and no webhook, so each check lists posts (``GET
    /posts``, narrowed by account and time) and reads their ``state``. The posts are given either

    - by id (``post_ids``): each check lists the posts (only ``account_ids``' when given: fewer
      pages), page by page until every id is found; or
    - by job (``job_id``, e.g. ``schedule.output``): the sensor waits for the job, then finds the
      posts it created the way the operator reconciles (:mod:`~airflow_provider_publer.reconcile`):
      it reads the posts as the upstream ``PublerSchedulePostOperator`` that recorded the job sent
      them (XCom ``publer_submitted_posts``; for a mapped schedule task, those of the mapped task
      instance that did; never a new rendering of its template or file) and lists those accounts
      around those times. A job that ended with failed accounts fails the sensor (those
      posts do not exist); a job of ``reconciled:<ids>`` names its posts. A job that no upstream
      ``PublerSchedulePostOperator`` submitted cannot be traced (Publer's job status does not list
      the posts): pass ``post_ids`` instead.

    It succeeds when every post is in ``target_state`` (a sub-state such as ``published_posted``
    counts) and returns them, ``[{id, account_id, network, state, post_link, scheduled_at, type,
    text}]``; it fails at once (no retry) when a post is ``failed``, naming each one, its account,
    network, time and Publer's reason (the post's ``error``, when Publer gives one), and when a
    post is no longer on Publer at all (deleted while the sensor waited), naming it. Transient
    trouble (network, 5xx, 429) means "not yet". Runs in ``reschedule`` mode by default;
    ``deferrable=True`` waits in the triggerer
    (:class:`~airflow_provider_publer.triggers.publer.PublerJobTrigger` for the job, then
    :class:`~airflow_provider_publer.triggers.publer.PublerPostTrigger`). Extra
    links: "Published post" (the first), "Published post 2" ... "Published post 10". With
    ``outlets=[Asset(...)]`` a reporting DAG can be scheduled on "the posts are live".

    :param post_ids: the posts' ids (templated): one id, a list, or a (mapped) task's output.
    :param job_id: instead of ``post_ids``: the job of an upstream ``PublerSchedulePostOperator``
        (templated), e.g. ``schedule.output``; a list, or a mapped schedule task's output, waits
        for every job.
    :param target_state: the state awaited (templated): ``published`` (default), ``scheduled``,
        ``draft``, ``failed``, ``recycling`` or ``recurring``.
    :param account_ids: with ``post_ids``: the accounts the posts belong to, to list fewer posts (templated).
    :param workspace_id: the posts' workspace (templated); with ``job_id`` by default the one the job
        was submitted in, else the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    :param deferrable: wait in the triggerer; defaults to ``[operators] default_deferrable``.
    """

    template_fields: Sequence[str] = (
        "post_ids",
        "job_id",
        "target_state",
        "account_ids",
        "workspace_id",
        "publer_conn_id",
    )
    operator_extra_links = (PublerJobPostsLink(), *published_post_links())
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        post_ids: Any = None,
        job_id: Any = None,
        target_state: str = "published",
        account_ids: Any = None,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        deferrable: bool | None = None,
        mode: str = "reschedule",
        poke_interval: float = 30.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            workspace_id=workspace_id,
            publer_conn_id=publer_conn_id,
            deferrable=deferrable,
            mode=mode,
            poke_interval=poke_interval,
            **kwargs,
        )
        if (post_ids is None) == (job_id is None):
            raise ValueError(
                "PublerPostSensor needs exactly one of post_ids (the posts' ids) and job_id (the job of an "
                "upstream PublerSchedulePostOperator, e.g. job_id=schedule.output)"
            )
        self.post_ids = post_ids
        self.job_id = job_id
        self.target_state = target_state
        self.account_ids = account_ids

    # -- one look --------------------------------------------------------------------------------

    def poke(self, context: Context) -> PokeReturnValue | bool:
        look = self._look(context)
        if look.progress is None:
            return False
        return self._decide(context, look)

    def _look(self, context: Context) -> _PostsLook:
        """Where the posts stand now; ``progress`` is ``None`` when it cannot be told yet."""
        target = self._target_state()
        if self.job_id is None:
            scope = _PostsScope(self._post_ids(), self._account_ids(), None, None, self.workspace_id or None)
            self._push_posts_url(context, None)
            return _PostsLook(scope=scope, progress=self._list(scope, target))
        return self._look_by_job(context, target)

    def _look_by_job(self, context: Context, target: str) -> _PostsLook:
        refs = job_refs(self.job_id)
        jobs = [ref for ref in refs if not is_reconciled(ref)]
        self._push_posts_url(context, jobs[0] if len(jobs) == 1 else None)
        workspace = self.workspace_id or submitted_workspace(context, refs[0], self.upstream_task_ids) or None
        results = self._check_jobs(context, refs, workspace)
        if results is None:
            return _PostsLook(jobs_pending=self._pending_jobs(refs), workspace=workspace)
        outcome = combined_outcome(results)
        if not outcome["succeeded"]:
            raise AirflowFailException(
                f"{failure_message(PublerJobResult.from_dict(outcome))}\n"
                "The posts of the failed account(s) were never created, so they cannot go live."
            )
        submissions = _submissions(self, context, refs)
        traced = {ref for submission in submissions for ref in submission.refs}
        untraced = [ref for ref in refs if ref not in traced]
        if [ref for ref in untraced if not is_reconciled(ref)]:
            raise AirflowFailException(
                f"Cannot tell which posts job {', '.join(untraced)} created: Publer's job status does not "
                "list them, and no upstream PublerSchedulePostOperator recorded the job. Wait on the "
                "post ids (post_ids=...), or pass job_id=schedule_task.output with that task upstream."
            )
        ids = [post_id for ref in untraced for post_id in reconciled_outcome(ref)["payload"]["post_ids"]]
        listed: dict[str, Mapping[str, Any]] = {}
        for submission in submissions:
            found = self._find_submitted(submission, workspace)
            if found is None:
                return _PostsLook(workspace=workspace)
            ids += [post_id for post_id in found if post_id not in ids]
            listed.update(found)
        if not ids:
            raise AirflowFailException(f"Job {', '.join(refs)} names no post to wait for.")
        if not listed:
            scope = _PostsScope(ids, None, None, None, workspace)
            return _PostsLook(scope=scope, progress=self._list(scope, target))
        self.log.info("Job(s) %s created post(s) %s", ", ".join(refs), ", ".join(ids))
        if len(listed) < len(ids):  # some posts of reconciled references: list them all
            scope = _scope_of(ids, listed.values(), workspace, whole=False)
            return _PostsLook(scope=scope, progress=self._list(scope, target))
        progress = judge_posts(ids, listed, target)
        return _PostsLook(scope=_scope_of(ids, listed.values(), workspace), progress=progress)

    def _find_submitted(
        self, submitted: _Submitted, workspace: str | None
    ) -> dict[str, Mapping[str, Any]] | None:
        """The posts one submission created, as Publer lists them now (``None``: cannot tell yet)."""
        from airflow_provider_publer.reconcile import reconcile

        refs = sorted(submitted.refs)
        try:
            found = reconcile(
                self.hook,
                submitted.posts,
                since=submitted.since,
                state=submitted.state,
                publish_now=submitted.publish_now,
                preexisting=submitted.preexisting,
                workspace_id=workspace,
            )
        except PublerError as err:
            if is_transient(err):
                self.log.warning("Could not list the job's posts this time, will look again: %s", err)
                return None
            raise AirflowFailException(f"Cannot list the posts of job {', '.join(refs)}: {err}") from None
        if found.ambiguous or found.missing:
            lines = [a.describe() for a in found.ambiguous] + [
                f"posts[{m.post_index}].accounts[{m.account_index}] (account {m.account_id}) is not listed"
                for m in found.missing
            ]
            raise AirflowFailException(
                f"Publer finished job {', '.join(refs)}{submitted.where}, but not every post it was to "
                "create can be found:\n"
                + "\n".join(lines)
                + "\nCheck the posts in Publer (media must sit inside networks.<network>.media), or wait on "
                "post_ids instead."
            )
        listed = {str(post.get("id")): post for post in found.found.values()}
        return {post_id: listed[post_id] for post_id in found.found_post_ids}

    def _list(self, scope: _PostsScope, target: str) -> PostsProgress | None:
        try:
            listed = self.hook.find_posts(
                scope.post_ids,
                state=LISTED_STATES,
                account_ids=scope.account_ids,
                from_=scope.from_,
                to=scope.to,
                workspace_id=scope.workspace,
            )
        except PublerError as err:
            if is_transient(err):
                self.log.warning("Could not list the Publer posts this time, will look again: %s", err)
                return None
            raise AirflowFailException(f"Cannot list the Publer posts: {err}") from None
        return judge_posts(scope.post_ids, listed, target, every_state=True)

    def _decide(self, context: Context, look: _PostsLook) -> PokeReturnValue | bool:
        progress = look.progress
        assert progress is not None
        if progress.failed:
            raise AirflowFailException(posts_failure_message(progress))
        if progress.gone:
            workspace = look.scope.workspace if look.scope else None
            raise AirflowFailException(gone_message(progress, workspace))
        if not progress.finished:
            self.log.info(
                "%d of %d Publer post(s) are %s; not yet: %s",
                len(progress.done),
                len(progress.done) + len(progress.pending),
                progress.target_state,
                ", ".join(progress.pending),
            )
            return False
        posts = progress.outcomes()
        self._push_post_links(context, posts)
        self.log.info(
            "Every Publer post is %s: %s", progress.target_state, ", ".join(str(p["id"]) for p in posts)
        )
        return PokeReturnValue(is_done=True, xcom_value=posts)

    # -- deferrable ------------------------------------------------------------------------------

    def execute(self, context: Context) -> Any:
        end_time = self._start_wait(context)
        if not self.deferrable:
            return self._poke_until_done(context)
        return self._soft_failing(lambda: self._check_or_defer(context, end_time))

    def _check_or_defer(self, context: Context, end_time: float) -> Any:
        look = self._look(context)
        if look.progress is not None:
            decision = self._decide(context, look)
            if isinstance(decision, PokeReturnValue):
                return decision.xcom_value
        timeout = timedelta(seconds=max(1.0, end_time - time.time()) + 60)
        if look.scope is None:
            # The job is still running (or its posts could not be listed this time): wait for the job
            # in the triggerer, then look again.
            from airflow_provider_publer.triggers.publer import PublerJobTrigger

            refs = job_refs(self.job_id)
            jobs = look.jobs_pending or self._pending_jobs(refs)
            if jobs:
                self.defer(
                    trigger=PublerJobTrigger(
                        job_ids=jobs,
                        publer_conn_id=self.publer_conn_id,
                        workspace_id=look.workspace,
                        poll_interval=float(self.poke_interval),
                        end_time=end_time,
                        first_check_delay=float(self.poke_interval),
                    ),
                    method_name="execute_jobs_complete",
                    kwargs={"end_time": end_time, "finished": self._finished_outcomes(refs)},
                    timeout=timeout,
                )
            # Every job is finished, but the posts could not be listed this time: look again soon.
            time.sleep(min(float(self.poke_interval), max(0.0, end_time - time.time())))
            return self._check_or_defer(context, end_time)
        from airflow_provider_publer.triggers.publer import PublerPostTrigger

        scope = look.scope
        self.defer(
            trigger=PublerPostTrigger(
                post_ids=scope.post_ids,
                end_time=end_time,
                target_state=self._target_state(),
                publer_conn_id=self.publer_conn_id,
                workspace_id=scope.workspace,
                poll_interval=float(self.poke_interval),
                first_check_delay=float(self.poke_interval),
                account_ids=scope.account_ids,
                from_=scope.from_,
                to=scope.to,
            ),
            method_name="execute_complete",
            timeout=timeout,
        )

    def execute_jobs_complete(
        self,
        context: Context,
        event: dict[str, Any] | None = None,
        end_time: float | None = None,
        finished: list[dict[str, Any]] | None = None,
    ) -> Any:
        """Resume after the job trigger: the jobs must have succeeded; then look at the posts.

        :param finished: the outcomes of the jobs seen finished before deferring (not asked again).
        """
        deadline = float(end_time) if end_time else time.time() + float(self.timeout)
        self.hook.deadline = deadline
        result = self._soft_failing(lambda: judge_event(event))
        for job in [*(finished or []), *(result.get("jobs") or [result])]:
            self.finished_jobs.results[str(job["job_id"])] = PublerJobResult.from_dict(job)
        return self._soft_failing(lambda: self._check_or_defer(context, deadline))

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the post trigger: only an explicit success event succeeds."""

        def decide() -> list[dict[str, Any]]:
            posts = judge_posts_event(event)
            self._push_post_links(context, posts)
            return posts

        return self._soft_failing(decide)

    # -- inputs ----------------------------------------------------------------------------------

    def _target_state(self) -> str:
        from airflow_provider_publer.validation import validate_target_state

        return checked(lambda: validate_target_state(self.target_state))

    def _post_ids(self) -> list[str]:
        from airflow_provider_publer.validation import validate_post_ids

        return checked(lambda: validate_post_ids(self.post_ids))

    def _account_ids(self) -> list[str] | None:
        from airflow_provider_publer.validation import validate_account_ids

        if self.account_ids in (None, "", []):
            return None
        return checked(lambda: validate_account_ids(self.account_ids))


@dataclass
class _PostsScope:
    """What a check lists: these ids, optionally only these accounts and this time window."""

    post_ids: list[str]
    account_ids: list[str] | None
    from_: str | None
    to: str | None
    workspace: str | None


@dataclass
class _PostsLook:
    """One look at the posts: their progress (``None``: cannot tell yet) and how to look again."""

    scope: _PostsScope | None = None
    progress: PostsProgress | None = None
    jobs_pending: list[str] = field(default_factory=list)
    workspace: str | None = None


@dataclass
class _Submitted:
    """The posts an upstream ``PublerSchedulePostOperator`` task instance submitted, as it validated them.

    :param refs: the job references (among those awaited) it recorded.
    :param where: the task instance, for messages (``" (task schedule[1])"``).
    """

    posts: list[dict[str, Any]]
    state: str
    publish_now: bool
    since: datetime
    preexisting: list[str] | None
    refs: set[str] = field(default_factory=set)
    where: str = ""


def _submissions(sensor: PublerPostSensor, context: Context, refs: list[str]) -> list[_Submitted]:
    """What each upstream ``PublerSchedulePostOperator`` task instance that recorded one of ``refs``
    submitted: the task's ``posts`` rendered (for a mapped task, the map index's own), with the
    instant its ledger says the first send began.
    """
    wanted = set(refs)
    ti = context["ti"]
    found = []
    for task_id in sorted(sensor.upstream_task_ids):
        task = sensor.dag.get_task(task_id)
        if not _is_schedule_task(task):
            continue
        # Every map index's record in one read (an unmapped task has one); no error for none.
        records = ti.xcom_pull(task_ids=[task_id], key=XCOM_JOB_WORKSPACES) or []
        for position, record in enumerate(records):
            if not isinstance(record, Mapping) or not wanted & set(record):
                continue
            map_index = _map_index_of(ti, task, task_id, position, record)
            found.append(_submitted(sensor, context, task, map_index, wanted & set(record)))
    return found


def _is_schedule_task(task: Any) -> bool:
    from airflow_provider_publer.operators.publer import PublerSchedulePostOperator

    cls = getattr(task, "operator_class", None) if getattr(task, "is_mapped", False) else type(task)
    return isinstance(cls, type) and issubclass(cls, PublerSchedulePostOperator)


def _map_index_of(ti: Any, task: Any, task_id: str, position: int, record: Mapping[str, Any]) -> int:
    """The map index that pushed ``record`` (found at ``position`` of the map-index-ordered values)."""
    if not getattr(task, "is_mapped", False):
        return -1
    # Values come ordered by map index; an index before this one that pushed nothing shifts it.
    for map_index in range(position, position + 1000):
        if ti.xcom_pull(task_ids=task_id, key=XCOM_JOB_WORKSPACES, map_indexes=map_index) == record:
            return map_index
    raise AirflowFailException(
        f"Cannot tell which mapped instance of task {task_id} recorded jobs {', '.join(sorted(record))}"
    )


class _AtMapIndex:
    """The running task instance, seen as if it were map index ``map_index`` (to render that index's
    arguments of a mapped upstream task); everything else is the real task instance's."""

    def __init__(self, ti: Any, map_index: int) -> None:
        self.__dict__.update(_ti=ti, map_index=map_index, task=None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.__dict__["_ti"], name)

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__[name] = value  # never changes the real task instance (Airflow sets ``task``)


def _rendered(task: Any, context: Context, map_index: int) -> Any:
    """The upstream task with its ``posts`` and ``state`` rendered as that (mapped) instance ran."""
    if map_index < 0:
        upstream = task
        posts = upstream.render_template(upstream.posts, context)
        state = upstream.render_template(upstream.state, context)
        return SimpleNamespace(
            posts=posts, state=state, publish_now=upstream.publish_now, posts_file=upstream.posts_file
        )
    at_index: Any = dict(context)
    at_index["ti"] = _AtMapIndex(context["ti"], map_index)
    task.render_template_fields(at_index)  # unmaps the task for that index and renders it
    return at_index["task"]


def _submitted(
    sensor: PublerPostSensor, context: Context, task: Any, map_index: int, refs: set[str]
) -> _Submitted:
    from airflow_provider_publer.ledger import SubmissionLedger

    where = f" (task {task.task_id}[{map_index}])" if map_index >= 0 else ""
    ti = context["ti"]
    sent = ti.xcom_pull(task_ids=task.task_id, key=XCOM_SUBMITTED_POSTS, map_indexes=map_index)
    if isinstance(sent, Mapping) and isinstance(sent.get("posts"), list):
        posts: Any = sent["posts"]
        state, publish_now = str(sent.get("state")), bool(sent.get("publish_now"))
    else:  # no record of what was sent (a task of an older provider version): render it again
        upstream: Any = _rendered(task, context, map_index)
        posts = upstream.posts
        if upstream.posts_file:
            from airflow_provider_publer.post_files import read_post_file

            posts = checked(lambda: read_post_file(upstream.posts_file, str(upstream.posts)).posts)
        state, publish_now = str(upstream.state), bool(upstream.publish_now)
    valid = checked(lambda: _validated(posts, state, publish_now))
    run_ti = SimpleNamespace(
        dag_id=ti.dag_id, run_id=ti.run_id, task_id=task.task_id, map_index=map_index, try_number=0
    )
    ledger = SubmissionLedger.for_task({"ti": run_ti})  # type: ignore[typeddict-item]
    since = ledger.earliest_since() or _run_start(context)
    preexisting = None
    if ledger.batches:
        preexisting = sorted({p for record in ledger.batches.values() for p in record.preexisting})
    return _Submitted(valid, state, publish_now, since, preexisting, refs, where)


def _validated(posts: Any, state: str, publish_now: bool) -> list[dict[str, Any]]:
    """The posts as the operator sent them (validated as it does, without the clock check)."""
    from airflow_provider_publer.validation import validate_posts

    return validate_posts(posts, state=state, publish_now=publish_now, now=_EPOCH, max_posts=None)


def _scope_of(
    ids: list[str], posts: Iterable[Mapping[str, Any]], workspace: str | None, *, whole: bool = True
) -> _PostsScope:
    """List only the posts' accounts and, when every post has a time, the minute around their times.

    ``whole=False``: ``posts`` are only some of ``ids`` (the others named by a reconciled
    reference): list every account and time.
    """
    from airflow_provider_publer.timestamps import parse_optional_timestamp, to_publer_timestamp

    posts = list(posts)
    if not whole:
        return _PostsScope(ids, None, None, None, workspace)
    accounts = sorted({str(p["account_id"]) for p in posts if p.get("account_id")}) or None
    times = [parse_optional_timestamp(p.get("scheduled_at")) for p in posts]
    if not times or any(t is None for t in times):
        return _PostsScope(ids, accounts, None, None, workspace)
    known = [t for t in times if t is not None]
    first = to_publer_timestamp(min(known) - timedelta(minutes=1), field="from")
    last = to_publer_timestamp(max(known) + timedelta(minutes=1), field="to")
    return _PostsScope(ids, accounts, first, last, workspace)


def _run_start(context: Context) -> datetime:
    """The earliest instant the run's posts can have been sent: the start of the run's data
    interval or the run's own start, whichever is first (an instant: the same in every zone)."""
    run = context.get("dag_run")
    candidates = [
        getattr(run, "start_date", None),
        context.get("data_interval_start"),
        getattr(run, "data_interval_start", None),
    ]
    known = [t for t in candidates if isinstance(t, datetime) and t.tzinfo is not None]
    return min(known) if known else datetime.now(timezone.utc) - timedelta(days=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
