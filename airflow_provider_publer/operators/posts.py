"""The operator that submits posts to Publer: :class:`PublerSchedulePostOperator`.

It validates the bulk request before anything is sent, splits it into requests of at most 500
posts (Publer's limit), and sends each request exactly once
(:func:`airflow_provider_publer.exactly_once.send_once`): no Airflow retry, manual clear or lost
answer posts twice. A later try reconnects to the jobs the task's ledger names, reconciles
against Publer's posts where the outcome is unknown, and sends only what is missing. With
``skip_existing=True`` a calendar run again creates only the posts Publer does not hold yet.
HTTP lives in the hook; importing this module stays cheap (the hook, requests, httpx and the
trigger load only when a task runs).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.compat import AirflowException, AirflowFailException
from airflow_provider_publer.constants import (
    DEFAULT_CONN_ID,
    RECONCILED_PREFIX,
    XCOM_JOB_ID,
    XCOM_JOB_WORKSPACES,
    XCOM_SUBMITTED_POSTS,
    default_deferrable,
)
from airflow_provider_publer.exceptions import PublerError, PublerOutcomeUnknownError, PublerValidationError
from airflow_provider_publer.links.publer import (
    XCOM_POST_LINK,
    XCOM_POSTS_URL,
    PublerJobPostsLink,
    PublerPostLink,
)
from airflow_provider_publer.operators.base import NOTHING_SENT, airflow_error
from airflow_provider_publer.operators.common import EPOCH as _EPOCH
from airflow_provider_publer.operators.common import PostsInputMixin, PublerOperator, task_ledger
from airflow_provider_publer.operators.common import now as _now
from airflow_provider_publer.post_requests import MAX_POSTS_PER_REQUEST
from airflow_provider_publer.timestamps import parse_timestamp, to_publer_timestamp

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_publer.exactly_once import Recovery
    from airflow_provider_publer.ledger import BatchRecord, SubmissionLedger
    from airflow_provider_publer.reconcile import Reconciliation
    from airflow_provider_publer.responses import PublerJobResult
    from airflow_provider_publer.validation import ValidatedPosts


class PublerSchedulePostOperator(PostsInputMixin, PublerOperator):
    """Submit a bulk post to Publer (``POST /posts/schedule``) and return the job id.

    The job id is also pushed to XCom under ``publer_job_id`` as soon as Publer returns it,
    together with the workspace it was submitted in, so ``PublerJobSensor(job_id=schedule.output)``
    waits for it in the right workspace. More than ``max_posts_per_request`` posts are sent as
    several requests, each exactly once; the task then returns the list of job ids.

    :param posts: the ``bulk.posts`` list exactly as Publer documents it, as dicts or
        :class:`airflow_provider_publer.models.Post` instances (templated, shown as JSON in the UI:
        a literal ``{{`` in a text must be written ``{{ '{{' }}``), or the name of a calendar file
        next to the DAG (``.json``, ``.yaml``, or a ``.csv`` with the columns of
        :data:`airflow_provider_publer.post_files.CSV_COLUMNS`; its templates see the run's dates,
        params and macros only, never connections or Variables: see
        :class:`~airflow_provider_publer.operators.common.PostsInputMixin`). An upstream task's
        output is taken as it is, never rendered.
        ``accounts[].scheduled_at`` may be an ISO 8601 string with an offset or a timezone-aware
        datetime.
    :param state: ``bulk.state``: ``scheduled`` (default), ``draft``, ``draft_private``,
        ``draft_public``, ``recurring`` and the other forms Publer documents (templated).
    :param workspace_id: workspace to post in; defaults to the connection's ``workspace_id`` (templated).
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    :param publish_now: send to ``POST /posts/schedule/publish`` (posts must not have ``scheduled_at``).
    :param reconcile: when an earlier try may have sent posts (its outcome is unknown), check
        Publer's posts and send only those missing. Turn off only if the same text is meant to be
        posted twice on the same account at the same time.
    :param skip_existing: before the first send, look for the posts on Publer (same account, text
        and minute of ``scheduled_at``) and send only those it does not hold: a calendar run again
        creates only what is missing, and succeeds. Costs about one request per 20 posts listed.
        The dry run predicts it (``dry_run=True`` with the same setting).
    :param reconcile_timeout: after a submission whose outcome is unknown, how long (seconds) to
        wait for its posts to appear on Publer before giving up and letting Airflow retry.
    :param reconcile_poll_interval: seconds between two looks at Publer's posts while reconciling.
    :param max_posts_per_request: posts per ``POST`` (at most 500, Publer's limit).
    :param wait_for_completion: also wait until Publer finishes the jobs; the task then fails with
        Publer's per-account reasons, and returns the job outcome instead of the job id.
    :param verify_posts: with ``wait_for_completion``, also list the posts on Publer (about one
        request per 20 posts) and fail if one is missing; by default a job Publer reports complete
        with no failure is trusted, and ``PublerPostSensor`` confirms the posts go live.
    :param dry_run: validate, read what Publer already holds for the accounts and period, and
        report (log and return value) what would be created, what is already there and what
        Publer would refuse (one-minute gaps, the plan's daily limits); send nothing.
    :param poll_interval: seconds between two job status checks when waiting.
    :param wait_timeout: seconds to wait for the jobs before failing.
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
        skip_existing: bool = False,
        reconcile_timeout: float = 120.0,
        reconcile_poll_interval: float = 5.0,
        max_posts_per_request: int = MAX_POSTS_PER_REQUEST,
        wait_for_completion: bool = False,
        verify_posts: bool = False,
        dry_run: bool = False,
        poll_interval: float = 10.0,
        wait_timeout: float = 3600.0,
        deferrable: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not 1 <= max_posts_per_request <= MAX_POSTS_PER_REQUEST:
            raise ValueError(
                f"max_posts_per_request must be between 1 and {MAX_POSTS_PER_REQUEST} (Publer's limit), "
                f"got {max_posts_per_request}"
            )
        self._set_posts(posts)
        self.state = state
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id
        self.publish_now = publish_now
        self.reconcile = reconcile
        self.skip_existing = skip_existing
        self.reconcile_timeout = reconcile_timeout
        self.reconcile_poll_interval = reconcile_poll_interval
        self.max_posts_per_request = max_posts_per_request
        self.wait_for_completion = wait_for_completion
        self.verify_posts = verify_posts
        # Not ``self.dry_run``: that is BaseOperator's method behind ``airflow tasks test --dry-run``.
        self.is_dry_run = dry_run
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout
        self.deferrable = default_deferrable() if deferrable is None else deferrable

    # -- execute ---------------------------------------------------------------------------------

    def execute(self, context: Context) -> Any:
        if self.is_dry_run:
            return self._dry_run()
        from airflow_provider_publer.ledger import fingerprint
        from airflow_provider_publer.masked_secrets import refuse_masked_secrets

        ledger = task_ledger(context)
        # An earlier try may have sent these posts before their scheduled_at passed: the time
        # check then waits until reconciliation knows what is still to be sent (see _recover).
        posts = self._checked_posts(now=_EPOCH if ledger.sent_before else None)
        self._refuse_twins(posts)
        workspace = self._workspace()
        # The connection is loaded now: its key is among the secrets the check knows, before the
        # posts reach XCom.
        self._checked(lambda: refuse_masked_secrets(list(posts), "posts"))
        same_request = ledger.same_task(fingerprint(posts, self.state, workspace, self.publish_now))
        if not same_request and ledger.in_doubt:
            raise AirflowFailException(self._changed_in_doubt(ledger.key))
        context["ti"].xcom_push(
            key=XCOM_SUBMITTED_POSTS,
            value={"posts": list(posts), "state": self.state, "publish_now": self.publish_now},
        )
        refs: list[str] = []
        for index, batch in enumerate(posts.batches(self.max_posts_per_request)):
            refs.append(self._submit_batch(index, batch, workspace, ledger, same_request))
            self._push_refs(context, refs, workspace)
        result: Any = refs[0] if len(refs) == 1 else refs
        if not self.wait_for_completion:
            return result
        return self._wait(context, refs, workspace, posts, ledger.earliest_since() or _now())

    @staticmethod
    def _changed_in_doubt(ledger_key: str) -> str:
        """Why a try refuses posts that differ from those an earlier try may have sent."""
        return (
            f"{NOTHING_SENT} An earlier try of this task began sending posts and never learned whether "
            "Publer took them, and the posts rendered now differ from those (a template that reads the "
            "clock, such as macros.datetime.now(), or an upstream task that built other posts). "
            "Sending these could publish the same post twice. Make the posts the same on every try "
            "(base times on the run: dag_run.start_date, data_interval_start, logical_date). Then check "
            f"in Publer what the earlier try created, delete the Airflow Variable {ledger_key!r} (this "
            "task's submission ledger) and clear the task to send the posts again."
        )

    def _dry_run(self) -> dict[str, Any]:
        """Validate and predict; no POST, no ledger, no job."""
        from airflow_provider_publer.dry_run import dry_run

        posts = self._checked_posts()
        workspace = self._workspace()
        report = self._call(
            lambda: dry_run(
                self.hook,
                posts,
                state=self.state,
                publish_now=self.publish_now,
                workspace_id=workspace,
                max_posts_per_request=self.max_posts_per_request,
                skip_existing=self.skip_existing and self.reconcile,
            )
        )
        for line in report.lines():
            self.log.info("%s", line)
        return report.to_dict()

    def _refuse_twins(self, posts: list[dict[str, Any]]) -> None:
        """Identical posts for one account that Publer lists with no time of their own cannot be
        told apart after a lost answer: refuse them before sending, naming the rows."""
        if not self.reconcile:
            return
        from airflow_provider_publer.reconcile import twins

        found = twins(posts, state=self.state, publish_now=self.publish_now)
        if found:
            rows = "; ".join(" and ".join(group) for group in found)
            raise AirflowFailException(
                f"{NOTHING_SENT} posts: identical posts for the same account: {rows}. After a lost answer "
                "they could not be told apart on Publer, so one could stand for the other. Make each text "
                "differ, give each a scheduled_at, or set reconcile=False if the same post is meant to be "
                "sent twice."
            )

    def _push_refs(self, context: Context, refs: list[str], workspace: str) -> None:
        """XCom what the sensor and the links need, as soon as each job id is known."""
        ti = context["ti"]
        ti.xcom_push(key=XCOM_JOB_ID, value=refs[0] if len(refs) == 1 else list(refs))
        ti.xcom_push(key=XCOM_JOB_WORKSPACES, value={ref: workspace for ref in refs})
        jobs = [ref for ref in refs if not ref.startswith(RECONCILED_PREFIX)]
        ti.xcom_push(key=XCOM_POSTS_URL, value=self.hook.web_app_url(jobs[0] if len(jobs) == 1 else None))

    def _checked_posts(self, posts: Any = None, now: datetime | None = None) -> ValidatedPosts:
        """Validate before anything is sent; bad input fails the task without retries."""
        from airflow_provider_publer.masked_secrets import refuse_masked_secrets
        from airflow_provider_publer.validation import validate_posts

        source = None
        try:
            posts, source = self._posts_from_input(posts)
            checked = validate_posts(
                posts, state=self.state, publish_now=self.publish_now, now=now, max_posts=None
            )
            refuse_masked_secrets(checked, "posts")
            return checked
        except PublerValidationError as err:
            located = source.locate(err) if source is not None else err
            raise AirflowFailException(f"Nothing was sent to Publer. {located}") from None

    # -- one request, exactly once ----------------------------------------------------------------

    def _submit_batch(
        self,
        index: int,
        batch: list[dict[str, Any]],
        workspace: str,
        ledger: SubmissionLedger,
        same_request: bool,
    ) -> str:
        """Send one request unless an earlier try did; return its job id (or ``reconciled:<ids>``)."""
        from airflow_provider_publer.exactly_once import send_once
        from airflow_provider_publer.ledger import request_key

        key = request_key(index, batch, self.state, workspace, self.publish_now)
        record = ledger.record(key)
        # An earlier try sent something else (the posts changed since): any of these may exist.
        doubtful = ledger.sent_before and not same_request
        fresh = record is None and not doubtful
        checked = self._checked_posts(batch) if fresh and ledger.sent_before else batch
        skip = fresh and self.skip_existing and self.reconcile
        try:
            return str(
                send_once(
                    ledger,
                    key,
                    lambda: self._send_logged(checked, workspace),
                    recover=lambda record, lost: self._recover(batch, workspace, ledger, record, lost, skip),
                    reusable=lambda job_id: self._still_good(job_id, workspace),
                    snapshot=(lambda: self._lookalikes(checked, workspace)) if fresh else None,
                    doubtful=doubtful or skip,
                    record_result=lambda k, ref: self._record_sent(ledger, k, ref),
                )
            )
        except PublerOutcomeUnknownError as err:
            raise AirflowException(
                f"{err} A retry of this task checks Publer before sending again."
            ) from None
        except PublerError as err:
            raise airflow_error(err) from None

    def _still_good(self, job_id: str, workspace: str) -> bool:
        """Reconnect to the job an earlier try submitted, if it is running or succeeded."""
        if job_id.startswith(RECONCILED_PREFIX):
            return True
        try:
            result = self._call(lambda: self.hook.get_job_status(job_id, workspace))
        except AirflowFailException as err:
            self.log.warning("Job %s of an earlier try cannot be read (%s); reconciling instead", job_id, err)
            return False
        if result.is_running or result.is_success:
            self.log.info(
                "Reconnecting to job %s submitted by an earlier try (status %s)", job_id, result.status
            )
            return True
        self.log.warning(
            "Job %s of an earlier try ended %s; reconciling before resubmitting", job_id, result.status
        )
        return False

    def _recover(
        self,
        batch: list[dict[str, Any]],
        workspace: str,
        ledger: SubmissionLedger,
        record: BatchRecord | None,
        lost: bool,
        skip: bool = False,
    ) -> Recovery:
        """What Publer holds of a request whose outcome is unknown (or that may exist already)."""
        from airflow_provider_publer.exactly_once import Recovery

        if lost:
            assert record is not None
            self.log.warning("Publer's answer to the submission was lost: looking for its posts on Publer")
            if not self.reconcile:
                raise AirflowException(
                    "Publer's answer to the submission was lost (its outcome is unknown). Reconciliation is "
                    "off; check Publer before retrying."
                )
            return Recovery(result=self._reconciled(self._await_posts(batch, workspace, record)))
        if not self.reconcile:
            self.log.warning(
                "An earlier try may have sent these posts; reconcile=False, so all are sent again"
            )
            checked = self._checked_posts(batch)
            return Recovery(request=lambda: self._send_logged(checked, workspace))
        if record is None and skip:
            self.log.info("Checking which of these posts Publer already holds (skip_existing=True)")
            found = self._reconcile(batch, _now(), workspace, [], only_scheduled=True)
        else:
            since = record.since_time if record is not None else ledger.earliest_since() or _now()
            preexisting = record.preexisting if record is not None else None
            self.log.info("An earlier try of this task may have sent these posts: checking Publer's posts")
            found = self._reconcile(batch, since, workspace, preexisting)
        if found.complete:
            return Recovery(result=self._reconciled(found))
        to_send = self._checked_posts(found.remaining_posts)
        return Recovery(request=lambda: self._send_logged(to_send, workspace))

    def _record_sent(self, ledger: SubmissionLedger, key: str, job_id: str) -> None:
        ledger.mark_sent(key, job_id)

    def _send_logged(self, posts: list[dict[str, Any]], workspace: str) -> str:
        """:meth:`_send`, saying so in the log when the answer is lost."""
        try:
            return self._send(posts, workspace)
        except PublerOutcomeUnknownError as err:
            self.log.warning("%s", err)
            raise

    def _send(self, posts: list[dict[str, Any]], workspace: str) -> str:
        self.log.info(
            "Submitting %d post(s) for %d account(s) to Publer (state=%s%s)",
            len(posts),
            _count(posts),
            self.state,
            ", publish now" if self.publish_now else "",
        )
        if self.publish_now:
            return self.hook.publish_posts(posts, workspace_id=workspace, state=self.state)
        return self.hook.schedule_posts(posts, state=self.state, workspace_id=workspace)

    def _lookalikes(self, posts: list[dict[str, Any]], workspace: str) -> list[str]:
        """Posts that look like undated ones before the first send: never taken for ours later."""
        if not self.reconcile or self.publish_now:
            return []
        from airflow_provider_publer.reconcile import lookalikes

        return list(
            self._call(
                lambda: lookalikes(self.hook, posts, state=self.state, since=_now(), workspace_id=workspace)
            )
        )

    def _reconcile(
        self,
        posts: list[dict[str, Any]],
        since: datetime,
        workspace: str,
        preexisting: list[str] | None,
        *,
        only_scheduled: bool = False,
    ) -> Reconciliation:
        from airflow_provider_publer.reconcile import reconcile

        found = self._call(
            lambda: reconcile(
                self.hook,
                posts,
                since=since,
                state=self.state,
                publish_now=self.publish_now,
                preexisting=preexisting,
                workspace_id=workspace,
                only_scheduled=only_scheduled,
            )
        )
        self.log.info("Publer already holds %d of %d intended post(s)", len(found.found), _count(posts))
        if found.ambiguous:
            lines = "\n".join(a.describe() for a in found.ambiguous)
            raise AirflowFailException(
                "An earlier try of this task may have sent these posts, and Publer lists look-alikes that "
                f"cannot be told apart from them:\n{lines}\nNothing was sent. Check these posts in Publer: "
                "delete the ones this task made and clear the task, or set reconcile=False to send all again."
            )
        return found

    def _await_posts(
        self, posts: list[dict[str, Any]], workspace: str, record: BatchRecord
    ) -> Reconciliation:
        """After a lost answer, wait for Publer's job to surface the posts instead of resending.

        Looks every ``reconcile_poll_interval`` seconds for ``reconcile_timeout`` seconds (tenacity);
        a look that fails for a passing reason is followed by the next one.
        """
        import tenacity

        def transient(error: BaseException) -> bool:
            return isinstance(error, AirflowException) and not isinstance(error, AirflowFailException)

        def gave_up(state: tenacity.RetryCallState) -> Reconciliation:
            raise AirflowException(
                "Publer's answer to the submission was lost and its posts did not all appear within "
                f"{self.reconcile_timeout:.0f}s. A retry of this task checks Publer again and submits "
                "only the posts that are still missing."
            )

        def log_look(state: tenacity.RetryCallState) -> None:
            error = state.outcome.exception() if state.outcome else None
            if error is not None:
                self.log.warning("Reconciliation attempt failed: %s", error)

        looking = tenacity.Retrying(
            stop=tenacity.stop_after_delay(self.reconcile_timeout),
            wait=tenacity.wait_fixed(self.reconcile_poll_interval),
            retry=tenacity.retry_if_exception(transient) | tenacity.retry_if_result(lambda f: not f.complete),
            before_sleep=log_look,
            retry_error_callback=gave_up,
            sleep=time.sleep,
        )
        found: Reconciliation = looking(
            self._reconcile, posts, record.since_time, workspace, record.preexisting
        )
        return found

    def _reconciled(self, found: Reconciliation) -> str:
        ids = found.found_post_ids
        self.log.info(
            "Every intended post already exists on Publer (%s); nothing is resubmitted", ", ".join(ids)
        )
        return RECONCILED_PREFIX + ",".join(ids)

    # -- waiting (optional) ----------------------------------------------------------------------

    def _wait(
        self, context: Context, refs: list[str], workspace: str, posts: list[dict[str, Any]], since: datetime
    ) -> Any:
        from airflow_provider_publer.job_outcomes import (
            check_job,
            combined_outcome,
            failure_message,
            is_reconciled,
            reconciled_result,
        )
        from airflow_provider_publer.responses import PublerJobResult

        done: dict[str, PublerJobResult] = {ref: reconciled_result(ref) for ref in refs if is_reconciled(ref)}
        deadline = time.monotonic() + self.wait_timeout
        while True:
            if not self.deferrable and len(done) < len(refs):
                time.sleep(self.poll_interval)  # Publer's jobs take seconds: no check right after the POST
            for ref in [r for r in refs if r not in done]:
                result = check_job(self.hook, ref, workspace, self.log)
                if result is not None and result.is_finished:
                    done[ref] = result
            if len(done) == len(refs):
                outcome = combined_outcome([done[r] for r in refs])
                if not outcome["succeeded"]:
                    raise AirflowFailException(failure_message(PublerJobResult.from_dict(outcome)))
                return self._finish(context, outcome, posts, workspace, since)
            if self.deferrable:
                self._defer([r for r in refs if r not in done], workspace, done, since)
            if time.monotonic() >= deadline:
                pending = ", ".join(r for r in refs if r not in done)
                raise AirflowException(
                    f"Publer job(s) {pending} did not finish within {self.wait_timeout:.0f}s."
                )

    def _defer(
        self, pending: list[str], workspace: str, done: dict[str, PublerJobResult], since: datetime
    ) -> None:
        from airflow_provider_publer.triggers.publer import PublerJobTrigger

        self.defer(
            trigger=PublerJobTrigger(
                job_ids=pending,
                publer_conn_id=self.publer_conn_id,
                workspace_id=workspace,
                poll_interval=self.poll_interval,
                end_time=time.time() + self.wait_timeout,
                first_check_delay=self.poll_interval,
            ),
            method_name="execute_complete",
            kwargs={
                "finished": [r.to_dict() for r in done.values()],
                "since": to_publer_timestamp(since, field="since"),
            },
            timeout=timedelta(seconds=self.wait_timeout + 60),
        )

    def execute_complete(
        self,
        context: Context,
        event: dict[str, Any] | None = None,
        finished: list[dict[str, Any]] | None = None,
        since: str | None = None,
    ) -> Any:
        """Resume after the trigger; only an explicit success event succeeds."""
        from airflow_provider_publer.job_outcomes import combined_outcome, judge_event
        from airflow_provider_publer.responses import PublerJobResult

        result = judge_event(event)
        jobs = [*(finished or []), *(result.get("jobs") or [result])]
        outcome = combined_outcome([PublerJobResult.from_dict(j) for j in jobs])
        start = parse_timestamp(since, field="since") if since else _now() - timedelta(hours=1)
        return self._finish(context, outcome, self._checked_posts_or_empty(), self._workspace(), start)

    def _checked_posts_or_empty(self) -> list[dict[str, Any]]:
        try:
            return self._checked_posts(now=_EPOCH)
        except AirflowFailException:
            return []

    def _finish(
        self,
        context: Context,
        outcome: dict[str, Any],
        posts: list[dict[str, Any]],
        workspace: str,
        since: datetime,
    ) -> dict[str, Any]:
        """Publer confirmed the jobs: note the posts they name, and link a published post.

        A job Publer reports ``complete`` with no failure is trusted, as the sensor trusts it; the
        posts are listed only with ``verify_posts=True`` (and, for publish-now, one page of the
        first account's posts to find the published post's link when the job names none).
        """
        from airflow_provider_publer.responses import PublerJobResult, created_posts

        jobs = outcome.get("jobs") or [outcome]
        named = [p for job in jobs for p in created_posts(PublerJobResult.from_dict(job))]
        if named:
            outcome["post_ids"] = [str(p["id"]) for p in named if p.get("id")]
        links = [str(p["post_link"]) for p in named if p.get("post_link")]
        if posts and (self.verify_posts or (self.publish_now and not links)):
            found = self._verified(outcome, posts, workspace, since, full=self.verify_posts)
            outcome["post_ids"] = found.found_post_ids
            links = [str(p["post_link"]) for p in found.found.values() if p.get("post_link")]
        if links:
            context["ti"].xcom_push(key=XCOM_POST_LINK, value=links[0])
        return outcome

    def _verified(
        self,
        outcome: dict[str, Any],
        posts: list[dict[str, Any]],
        workspace: str,
        since: datetime,
        *,
        full: bool,
    ) -> Reconciliation:
        """List the posts on Publer (all of them, or the first pair's account only)."""
        checked = posts if full else [{**posts[0], "accounts": posts[0]["accounts"][:1]}]
        found = self._reconcile(checked, since, workspace, None if self.publish_now else [])
        if full and found.missing:
            raise AirflowFailException(
                f"Publer reported job(s) {outcome['job_id']} complete, but {len(found.missing)} post(s) are "
                "not listed on Publer."
            )
        return found


def _count(posts: list[dict[str, Any]]) -> int:
    return sum(len(p.get("accounts") or []) for p in posts)
