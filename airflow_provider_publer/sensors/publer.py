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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from airflow_provider_publer.compat import AirflowFailException, AirflowSensorTimeout, AirflowSkipException
from airflow_provider_publer.constants import DEFAULT_CONN_ID, default_deferrable
from airflow_provider_publer.exceptions import PublerError, is_transient
from airflow_provider_publer.job_outcomes import (
    PostsProgress,
    check_jobs,
    combined_outcome,
    failure_message,
    is_reconciled,
    job_refs,
    judge_event,
    judge_posts,
    judge_posts_event,
    posts_failure_message,
    reconciled_outcome,
    submitted_workspace,
    submitting_task,
)
from airflow_provider_publer.links.publer import (
    XCOM_POST_LINK,
    XCOM_POST_LINKS,
    XCOM_POSTS_URL,
    PublerJobPostsLink,
    published_post_links,
)
from airflow_provider_publer.operators.base import PublerTaskMixin, checked
from airflow_provider_publer.responses import PublerJobResult

if TYPE_CHECKING:
    from airflow.sdk import Context


class PublerJobSensor(PublerTaskMixin, BaseSensorOperator):
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

    def poke(self, context: Context) -> PokeReturnValue | bool:
        refs = self._job_refs()
        jobs = [ref for ref in refs if not is_reconciled(ref)]
        self._push_link(context, jobs)
        workspace = self._job_workspace(context, jobs[0]) if jobs else None
        results = check_jobs(self.hook, refs, workspace, self.log)
        if results is None:
            return False
        outcome = combined_outcome(results)
        if not outcome["succeeded"]:
            raise AirflowFailException(failure_message(PublerJobResult.from_dict(outcome)))
        self.log.info("Publer job(s) %s finished with no failures", outcome["job_id"])
        return PokeReturnValue(is_done=True, xcom_value=outcome)

    def execute(self, context: Context) -> Any:
        started = _wait_started(self, context)
        # A poke's retries stay within the time the sensor has left.
        self.hook.deadline = started + float(self.timeout)
        if not self.deferrable:
            return super().execute(context)
        outcome = _soft_failing(self, lambda: self.poke(context))
        if isinstance(outcome, PokeReturnValue):
            return outcome.xcom_value
        from airflow_provider_publer.triggers.publer import PublerJobTrigger

        jobs = [ref for ref in self._job_refs() if not is_reconciled(ref)]
        self.defer(
            trigger=PublerJobTrigger(
                job_ids=jobs,
                publer_conn_id=self.publer_conn_id,
                workspace_id=self._job_workspace(context, jobs[0]),
                poll_interval=float(self.poke_interval),
                end_time=started + float(self.timeout),
                first_check_delay=float(self.poke_interval),
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=max(1.0, started + float(self.timeout) - time.time()) + 60),
        )

    def _job_workspace(self, context: Context, job_id: str) -> str | None:
        if self.workspace_id:
            return str(self.workspace_id)
        return submitted_workspace(context, job_id, self.upstream_task_ids)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the trigger: only an explicit success event succeeds."""
        return _soft_failing(self, lambda: judge_event(event))

    def _job_refs(self) -> list[str]:
        return job_refs(self.job_id)

    def _push_link(self, context: Context, jobs: list[str]) -> None:
        try:
            url = self.hook.web_app_url(jobs[0] if len(jobs) == 1 else None)
        except PublerError as err:
            raise AirflowFailException(str(err)) from None
        context["ti"].xcom_push(key=XCOM_POSTS_URL, value=url)


class PublerPostSensor(PublerTaskMixin, BaseSensorOperator):
    """Wait until Publer's posts reach a state (``published`` by default); fail naming every post
    Publer failed, with its reason.

    Publer has no "get one post" endpoint and no webhook, so each check lists posts (``GET
    /posts``, narrowed by account and time) and reads their ``state``. The posts are given either

    - by id (``post_ids``): each check lists the posts in the target state or ``failed``
      (only ``account_ids``' when given: fewer pages), page by page until every id is found; or
    - by job (``job_id``, e.g. ``schedule.output``): the sensor waits for the job, then finds the
      posts it created the way the operator reconciles (:mod:`~airflow_provider_publer.reconcile`):
      it renders the ``posts`` of the upstream ``PublerSchedulePostOperator`` that recorded the job
      and lists those accounts around those times. A job that ended with failed accounts fails the
      sensor (those posts do not exist); a job of ``reconciled:<ids>`` names its posts. A job that
      no upstream ``PublerSchedulePostOperator`` submitted cannot be traced (Publer's job status
      does not list the posts): pass ``post_ids`` instead.

    It succeeds when every post is in ``target_state`` (a sub-state such as ``published_posted``
    counts) and returns them, ``[{id, account_id, network, state, post_link, scheduled_at, type,
    text}]``; it fails at once (no retry) when a post is ``failed``, naming each one, its account,
    network, time and Publer's reason (the post's ``error``, when Publer gives one). Transient
    trouble (network, 5xx, 429) means "not yet". Runs in ``reschedule`` mode by default;
    ``deferrable=True`` waits in the triggerer
    (:class:`~airflow_provider_publer.triggers.publer.PublerJobTrigger` for the job, then
    :class:`~airflow_provider_publer.triggers.publer.PublerPostTrigger`). Extra
    links: "Published post" (the first), "Published post 2" ... "Published post 10". With
    ``outlets=[Asset(...)]`` a reporting DAG can be scheduled on "the posts are live".

    :param post_ids: the posts' ids (templated): one id or a list, e.g. from ``GET /posts``.
    :param job_id: instead of ``post_ids``: the job of an upstream ``PublerSchedulePostOperator``
        (templated), e.g. ``schedule.output``; a list waits for every job.
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
        super().__init__(mode=mode, poke_interval=poke_interval, **kwargs)
        if (post_ids is None) == (job_id is None):
            raise ValueError(
                "PublerPostSensor needs exactly one of post_ids (the posts' ids) and job_id (the job of an "
                "upstream PublerSchedulePostOperator, e.g. job_id=schedule.output)"
            )
        self.post_ids = post_ids
        self.job_id = job_id
        self.target_state = target_state
        self.account_ids = account_ids
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id
        self.deferrable = default_deferrable() if deferrable is None else deferrable

    # -- one look --------------------------------------------------------------------------------

    def poke(self, context: Context) -> PokeReturnValue | bool:
        look = self._look(context)
        if look.progress is None:
            return False
        return self._decide(context, look.progress)

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
        results = check_jobs(self.hook, jobs, workspace, self.log)
        if results is None:
            return _PostsLook(jobs_pending=list(jobs), workspace=workspace)
        if results:
            outcome = combined_outcome(results)
            if not outcome["succeeded"]:
                raise AirflowFailException(
                    f"{failure_message(PublerJobResult.from_dict(outcome))}\n"
                    "The posts of the failed account(s) were never created, so they cannot go live."
                )
        submitted = _submitted_posts(self, context, refs)
        if submitted is None:
            ids = [post_id for ref in refs for post_id in reconciled_outcome(ref)["payload"]["post_ids"]]
            if len(jobs) > 0 or not ids:
                raise AirflowFailException(
                    f"Cannot tell which posts job {', '.join(refs)} created: Publer's job status does not "
                    "list them, and no upstream PublerSchedulePostOperator recorded the job. Wait on the "
                    "post ids (post_ids=...), or pass job_id=schedule_task.output with that task upstream."
                )
            scope = _PostsScope(ids, None, None, None, workspace)
            return _PostsLook(scope=scope, progress=self._list(scope, target))
        return self._find_submitted(submitted, refs, workspace, target)

    def _find_submitted(
        self, submitted: _Submitted, refs: list[str], workspace: str | None, target: str
    ) -> _PostsLook:
        from airflow_provider_publer.reconcile import reconcile

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
                return _PostsLook(workspace=workspace)
            raise AirflowFailException(f"Cannot list the posts of job {', '.join(refs)}: {err}") from None
        if found.ambiguous or found.missing:
            lines = [a.describe() for a in found.ambiguous] + [
                f"posts[{m.post_index}].accounts[{m.account_index}] (account {m.account_id}) is not listed"
                for m in found.missing
            ]
            raise AirflowFailException(
                f"Publer finished job {', '.join(refs)}, but not every post it was to create can be found:\n"
                + "\n".join(lines)
                + "\nCheck the posts in Publer (media must sit inside networks.<network>.media), or wait on "
                "post_ids instead."
            )
        listed = {str(post.get("id")): post for post in found.found.values()}
        ids = found.found_post_ids
        self.log.info("Job %s created post(s) %s", ", ".join(refs), ", ".join(ids))
        progress = judge_posts(ids, listed, target)
        return _PostsLook(scope=_scope_of(ids, listed.values(), workspace), progress=progress)

    def _list(self, scope: _PostsScope, target: str) -> PostsProgress | None:
        states = sorted({target, "failed"})
        try:
            listed = self.hook.find_posts(
                scope.post_ids,
                state=states,
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
        return judge_posts(scope.post_ids, listed, target)

    def _decide(self, context: Context, progress: PostsProgress) -> PokeReturnValue | bool:
        if progress.failed:
            raise AirflowFailException(posts_failure_message(progress))
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
        end_time = _wait_started(self, context) + float(self.timeout)
        self.hook.deadline = end_time  # a check's retries stay within the time the sensor has left
        if not self.deferrable:
            return super().execute(context)
        return _soft_failing(self, lambda: self._check_or_defer(context, end_time))

    def _check_or_defer(self, context: Context, end_time: float) -> Any:
        look = self._look(context)
        if look.progress is not None:
            decision = self._decide(context, look.progress)
            if isinstance(decision, PokeReturnValue):
                return decision.xcom_value
        timeout = timedelta(seconds=max(1.0, end_time - time.time()) + 60)
        if look.scope is None:
            # The job is still running (or its posts could not be listed this time): wait for the job
            # in the triggerer, then look again.
            from airflow_provider_publer.triggers.publer import PublerJobTrigger

            jobs = look.jobs_pending or [ref for ref in job_refs(self.job_id) if not is_reconciled(ref)]
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
                kwargs={"end_time": end_time},
                timeout=timeout,
            )
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
        self, context: Context, event: dict[str, Any] | None = None, end_time: float | None = None
    ) -> Any:
        """Resume after the job trigger: the job must have succeeded; then look at the posts."""
        deadline = float(end_time) if end_time else time.time() + float(self.timeout)
        self.hook.deadline = deadline
        _soft_failing(self, lambda: judge_event(event))
        return _soft_failing(self, lambda: self._check_or_defer(context, deadline))

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None) -> Any:
        """Resume after the post trigger: only an explicit success event succeeds."""

        def decide() -> list[dict[str, Any]]:
            posts = judge_posts_event(event)
            self._push_post_links(context, posts)
            return posts

        return _soft_failing(self, decide)

    # -- inputs and links ------------------------------------------------------------------------

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

    def _push_posts_url(self, context: Context, job_id: str | None) -> None:
        try:
            url = self.hook.web_app_url(job_id)
        except PublerError as err:
            raise AirflowFailException(str(err)) from None
        context["ti"].xcom_push(key=XCOM_POSTS_URL, value=url)

    def _push_post_links(self, context: Context, posts: list[dict[str, Any]]) -> None:
        links = [str(p["post_link"]) for p in posts if p.get("post_link")]
        if links:
            context["ti"].xcom_push(key=XCOM_POST_LINK, value=links[0])
            context["ti"].xcom_push(key=XCOM_POST_LINKS, value=links)


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
    """The posts an upstream ``PublerSchedulePostOperator`` submitted, as it validated them."""

    posts: list[dict[str, Any]]
    state: str
    publish_now: bool
    since: datetime
    preexisting: list[str] | None


def _submitted_posts(sensor: BaseSensorOperator, context: Context, refs: list[str]) -> _Submitted | None:
    """Render the ``posts`` of the upstream ``PublerSchedulePostOperator`` that recorded one of ``refs``.

    ``None`` when no direct upstream task of that kind recorded the job.
    """
    from airflow_provider_publer.ledger import SubmissionLedger
    from airflow_provider_publer.operators.publer import PublerSchedulePostOperator

    candidates = [
        task_id
        for task_id in sensor.upstream_task_ids
        if isinstance(sensor.dag.get_task(task_id), PublerSchedulePostOperator)
    ]
    task_id = submitting_task(context, refs, candidates)
    if task_id is None:
        return None
    upstream = sensor.dag.get_task(task_id)
    assert isinstance(upstream, PublerSchedulePostOperator)
    posts = upstream.render_template(upstream.posts, context)
    state = str(upstream.render_template(upstream.state, context))
    valid = checked(lambda: _validated(posts, state, bool(upstream.publish_now)))
    ti = context["ti"]
    run_ti = SimpleNamespace(dag_id=ti.dag_id, run_id=ti.run_id, task_id=task_id, map_index=-1, try_number=0)
    ledger = SubmissionLedger.for_task({"ti": run_ti})  # type: ignore[typeddict-item]
    since = ledger.earliest_since() or _run_start(context)
    preexisting = None
    if ledger.batches:
        preexisting = sorted({p for record in ledger.batches.values() for p in record.preexisting})
    return _Submitted(valid, state, bool(upstream.publish_now), since, preexisting)


def _validated(posts: Any, state: str, publish_now: bool) -> list[dict[str, Any]]:
    """The posts as the operator sent them (validated as it does, without the clock check)."""
    from airflow_provider_publer.validation import validate_posts

    return validate_posts(posts, state=state, publish_now=publish_now, now=_EPOCH, max_posts=None)


def _scope_of(ids: list[str], posts: Iterable[Mapping[str, Any]], workspace: str | None) -> _PostsScope:
    """List only the posts' accounts and, when every post has a time, the minute around their times."""
    from airflow_provider_publer.timestamps import parse_optional_timestamp, to_publer_timestamp

    posts = list(posts)
    accounts = sorted({str(p["account_id"]) for p in posts if p.get("account_id")}) or None
    times = [parse_optional_timestamp(p.get("scheduled_at")) for p in posts]
    if not times or any(t is None for t in times):
        return _PostsScope(ids, accounts, None, None, workspace)
    known = [t for t in times if t is not None]
    first = to_publer_timestamp(min(known) - timedelta(minutes=1), field="from")
    last = to_publer_timestamp(max(known) + timedelta(minutes=1), field="to")
    return _PostsScope(ids, accounts, first, last, workspace)


def _wait_started(sensor: BaseSensorOperator, context: Context) -> float:
    """When this wait began (UNIX time): the first reschedule's start in reschedule mode."""
    if sensor.reschedule:
        first = context["ti"].get_first_reschedule_date(context)
        if first is not None:
            return float(first.timestamp())
    return time.time()


def _run_start(context: Context) -> datetime:
    run = context.get("dag_run")
    started = getattr(run, "start_date", None)
    return started if isinstance(started, datetime) else datetime.now(timezone.utc) - timedelta(days=1)


def _soft_failing(sensor: BaseSensorOperator, decide: Callable[[], Any]) -> Any:
    """Apply ``soft_fail`` in deferrable mode, as the base sensor does in its poke loop."""
    try:
        return decide()
    except (AirflowFailException, AirflowSensorTimeout) as err:
        if sensor.soft_fail:
            raise AirflowSkipException(f"Skipping (soft_fail): {err}") from err
        raise


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
