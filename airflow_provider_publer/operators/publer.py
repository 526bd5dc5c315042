"""Operators that submit posts to Publer.

:class:`PublerSchedulePostOperator` validates the bulk request before anything is sent,
splits it into requests of at most 500 posts (Publer's limit), sends each request once, and
makes sure that no Airflow retry, manual clear or lost answer posts twice: before each
``POST`` it writes intent to the task instance's submission ledger
(:mod:`airflow_provider_publer.ledger`); a later try reconnects to the jobs the ledger names,
reconciles against Publer's posts where the outcome is unknown, and sends only what is
missing. HTTP lives in the hook; importing this module stays cheap (the hook, requests, httpx
and the trigger load only when a task runs).

The rest of a post's life has an operator each, with the same standards (input checked before
anything is sent, nothing created twice): :class:`PublerUploadMediaOperator` (files and URLs to
Publer's media), :class:`PublerUpdatePostOperator`, :class:`PublerDeletePostsOperator` and
:class:`PublerPostInsightsOperator` (per-post analytics, to XCom or a JSON Lines file).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_publer.compat import AirflowException, AirflowFailException
from airflow_provider_publer.constants import (
    DEFAULT_CONN_ID,
    RECONCILED_PREFIX,
    XCOM_DELETED_IDS,
    XCOM_JOB_ID,
    XCOM_JOB_WORKSPACES,
    XCOM_MEDIA,
    default_deferrable,
)
from airflow_provider_publer.exceptions import (
    PublerError,
    PublerOutcomeUnknownError,
    PublerValidationError,
)
from airflow_provider_publer.links.publer import (
    XCOM_POST_LINK,
    XCOM_POSTS_URL,
    PublerJobPostsLink,
    PublerPostLink,
)
from airflow_provider_publer.operators.base import PublerTaskMixin, airflow_error
from airflow_provider_publer.post_files import POST_FILE_SUFFIXES, is_post_file, read_post_file
from airflow_provider_publer.timestamps import parse_timestamp, to_publer_timestamp
from airflow_provider_publer.validation import MAX_POSTS_PER_REQUEST, ValidatedPosts, validate_posts

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_publer.ledger import BatchRecord, SubmissionLedger
    from airflow_provider_publer.reconcile import Reconciliation
    from airflow_provider_publer.responses import PublerJobResult


class PublerSchedulePostOperator(PublerTaskMixin, BaseOperator):
    """Submit a bulk post to Publer (``POST /posts/schedule``) and return the job id.

    The job id is also pushed to XCom under ``publer_job_id`` as soon as Publer returns it,
    together with the workspace it was submitted in, so ``PublerJobSensor(job_id=schedule.output)``
    waits for it in the right workspace. More than ``max_posts_per_request`` posts are sent as
    several requests, each exactly once; the task then returns the list of job ids.

    :param posts: the ``bulk.posts`` list exactly as Publer documents it, as dicts or
        :class:`airflow_provider_publer.models.Post` instances (templated, shown as JSON in the UI:
        a literal ``{{`` in a text must be written ``{{ '{{' }}``), or the name of a calendar file
        next to the DAG (``.json``, ``.yaml``, or a ``.csv`` with the columns of
        :data:`airflow_provider_publer.post_files.CSV_COLUMNS`; rendered with Jinja too).
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
    template_ext: Sequence[str] = POST_FILE_SUFFIXES
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
        self.posts = posts
        #: The calendar file ``posts`` names (``.json``, ``.yaml``, ``.csv``); Airflow renders its content.
        self.posts_file: str | None = posts.strip() if is_post_file(posts) else None
        self.state = state
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id
        self.publish_now = publish_now
        self.reconcile = reconcile
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
        from airflow_provider_publer.ledger import SubmissionLedger, fingerprint

        ledger = SubmissionLedger.for_task(context)
        # An earlier try may have sent these posts before their scheduled_at passed: the time
        # check then waits until reconciliation knows what is still to be sent (see _send_missing).
        posts = self._checked_posts(now=_EPOCH if ledger.sent_before else None)
        workspace = self._workspace()
        same_request = ledger.same_task(fingerprint(posts, self.state, workspace, self.publish_now))
        refs: list[str] = []
        for batch in posts.batches(self.max_posts_per_request):
            refs.append(self._submit_batch(batch, workspace, ledger, same_request))
            self._push_refs(context, refs, workspace)
        result: Any = refs[0] if len(refs) == 1 else refs
        if not self.wait_for_completion:
            return result
        return self._wait(context, refs, workspace, posts, ledger.earliest_since() or _now())

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
            )
        )
        for line in report.lines():
            self.log.info("%s", line)
        return report.to_dict()

    def _push_refs(self, context: Context, refs: list[str], workspace: str) -> None:
        """XCom what the sensor and the links need, as soon as each job id is known."""
        ti = context["ti"]
        ti.xcom_push(key=XCOM_JOB_ID, value=refs[0] if len(refs) == 1 else list(refs))
        ti.xcom_push(key=XCOM_JOB_WORKSPACES, value={ref: workspace for ref in refs})
        jobs = [ref for ref in refs if not ref.startswith(RECONCILED_PREFIX)]
        ti.xcom_push(key=XCOM_POSTS_URL, value=self.hook.web_app_url(jobs[0] if len(jobs) == 1 else None))

    def _checked_posts(self, posts: Any = None, now: datetime | None = None) -> ValidatedPosts:
        """Validate before anything is sent; bad input fails the task without retries."""
        source = None
        try:
            if posts is None and self.posts_file:
                source = read_post_file(self.posts_file, str(self.posts))
                posts = source.posts
            return validate_posts(
                self.posts if posts is None else posts,
                state=self.state,
                publish_now=self.publish_now,
                now=now,
                max_posts=None,
            )
        except PublerValidationError as err:
            located = source.locate(err) if source is not None else err
            raise AirflowFailException(f"Nothing was sent to Publer. {located}") from None

    # -- one request, exactly once ----------------------------------------------------------------

    def _submit_batch(
        self, batch: list[dict[str, Any]], workspace: str, ledger: SubmissionLedger, same_request: bool
    ) -> str:
        """Send one request unless an earlier try did; return its job id (or ``reconciled:<ids>``)."""
        from airflow_provider_publer.ledger import fingerprint

        key = fingerprint(batch, self.state, workspace, self.publish_now)
        record = ledger.record(key)
        if record is not None and record.job_id and self._still_good(record.job_id, workspace):
            return record.job_id
        if record is not None or (ledger.sent_before and not same_request):
            # The outcome of an earlier send is unknown (or the posts changed since one was made).
            return self._send_missing(batch, workspace, ledger, key, record)
        checked = self._checked_posts(batch) if ledger.sent_before else batch
        return self._send_recorded(checked, workspace, ledger, key, self._lookalikes(checked, workspace))

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

    def _send_missing(
        self,
        batch: list[dict[str, Any]],
        workspace: str,
        ledger: SubmissionLedger,
        key: str,
        record: BatchRecord | None,
    ) -> str:
        """An earlier try may have sent this request: send only what Publer does not hold."""
        if not self.reconcile:
            self.log.warning(
                "An earlier try may have sent these posts; reconcile=False, so all are sent again"
            )
            return self._send_recorded(self._checked_posts(batch), workspace, ledger, key, [])
        since = record.since_time if record is not None else ledger.earliest_since() or _now()
        preexisting = record.preexisting if record is not None else None
        self.log.info("An earlier try of this task may have sent these posts: checking Publer's posts")
        found = self._reconcile(batch, since, workspace, preexisting)
        if found.complete:
            return self._reconciled(found, ledger, key, record)
        to_send = self._checked_posts(found.remaining_posts)
        return self._send_recorded(to_send, workspace, ledger, key, preexisting or [])

    def _send_recorded(
        self,
        posts: list[dict[str, Any]],
        workspace: str,
        ledger: SubmissionLedger,
        key: str,
        preexisting: list[str],
    ) -> str:
        """Write intent, send once, write the job id. A lost answer is reconciled, never resent."""
        created = ledger.record(key) is None
        record = ledger.mark_sending(key, _now(), preexisting)
        try:
            job_id = self._send(posts, workspace)
        except PublerOutcomeUnknownError as err:
            self.log.warning("%s", err)
            if not self.reconcile:
                raise AirflowException(
                    f"{err} Reconciliation is off; check Publer before retrying."
                ) from None
            return self._await_posts(posts, workspace, ledger, key, record)
        except PublerError as err:
            # Publer provably did not act: refused (4xx, 429) or never reached. Anything else
            # (a crash, a task timeout) leaves the intent in the ledger for the next try.
            if created:
                ledger.forget(key)
            raise airflow_error(err) from None
        self._record_sent(ledger, key, job_id)
        return job_id

    def _record_sent(self, ledger: SubmissionLedger, key: str, job_id: str) -> None:
        ledger.mark_sent(key, job_id)

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
        self, posts: list[dict[str, Any]], since: datetime, workspace: str, preexisting: list[str] | None
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
        self,
        posts: list[dict[str, Any]],
        workspace: str,
        ledger: SubmissionLedger,
        key: str,
        record: BatchRecord,
    ) -> str:
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
        found = looking(self._reconcile, posts, record.since_time, workspace, record.preexisting)
        return self._reconciled(found, ledger, key, record)

    def _reconciled(
        self, found: Reconciliation, ledger: SubmissionLedger, key: str, record: BatchRecord | None
    ) -> str:
        ids = found.found_post_ids
        self.log.info(
            "Every intended post already exists on Publer (%s); nothing is resubmitted", ", ".join(ids)
        )
        ref = RECONCILED_PREFIX + ",".join(ids)
        if record is None:
            ledger.mark_sending(key, _now())
        self._record_sent(ledger, key, ref)
        return ref

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


def _now() -> datetime:
    return datetime.now(timezone.utc)


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# -- media, updates, deletes and insights -------------------------------------------------------------


class _PublerTask(PublerTaskMixin, BaseOperator):
    """What the operators below share: the hook, the workspace, and input checked before sending."""


class PublerUploadMediaOperator(_PublerTask):
    """Upload media to Publer and return items ready for ``networks.<network>.media`` of a post.

    Files (local paths or Airflow ``ObjectStoragePath``, so files in S3, GCS... work) are sent to
    ``POST /media`` one by one; URLs are imported with one ``POST /media/from-url`` whose job the
    operator waits for (``poll_interval``, ``wait_timeout``). Every file and URL is checked before
    anything is sent: a missing file, a format Publer does not list (jpg, jpeg, png, gif, mp4,
    mov, avi, pdf, doc, docx, ppt, pptx) or a file over 200 MB (import it from a URL instead)
    fails the task with nothing uploaded.

    Nothing is uploaded twice: each upload and import is recorded in the task instance's
    submission ledger (:mod:`airflow_provider_publer.ledger`) before it is sent and after Publer
    answers, so an Airflow retry or a clear reuses what an earlier try uploaded. When an answer
    was lost, the upload is looked for in ``GET /media`` by its file name (created since the
    send) before anything is sent again; a file Publer would list under another name may then
    be uploaded a second time (a spare copy in the media library, never a second post).

    Returns ``[{id, type, path, thumbnail}, ...]`` (files first, in order, then URLs), e.g.
    ``{"networks": {"facebook": {"type": "photo", "text": ..., "media": upload.output}}}``.
    Publer's full media objects (``width``, ``height``, ``validity``, ...) are in the XCom
    ``publer_media``.

    :param files: paths or ``ObjectStoragePath`` objects (templated); one path alone works too.
    :param urls: http(s) URLs Publer downloads itself, or Publer's items ``{"url", "name",
        "caption"}`` (templated); for files over 200 MB.
    :param in_library: keep the media in the workspace's media library.
    :param direct_upload: store on Publer's S3 at once (slower; the ``path`` is then final).
    :param workspace_id: workspace to upload to (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    :param poll_interval: seconds between two checks of the import job.
    :param wait_timeout: seconds to wait for the import job before failing (a retry reconnects to it).
    """

    template_fields: Sequence[str] = ("files", "urls", "workspace_id", "publer_conn_id")
    template_fields_renderers = {"urls": "json"}
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        files: Any = (),
        urls: Any = (),
        in_library: bool = False,
        direct_upload: bool = False,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        poll_interval: float = 5.0,
        wait_timeout: float = 600.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.files = _file_list(files)
        self.urls = urls
        self.in_library = in_library
        self.direct_upload = direct_upload
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id
        self.poll_interval = poll_interval
        self.wait_timeout = wait_timeout

    def execute(self, context: Context) -> list[dict[str, Any]]:
        from airflow_provider_publer.ledger import SubmissionLedger
        from airflow_provider_publer.responses import media_item

        files, urls = self._checked_inputs()
        workspace = self._workspace()
        ledger = SubmissionLedger.for_task(context)
        uploaded = [self._upload(media, workspace, ledger) for media in files]
        if urls:
            uploaded.extend(self._import(urls, workspace, ledger))
        context["ti"].xcom_push(key=XCOM_MEDIA, value=uploaded)
        items = [media_item(media) for media in uploaded]
        self.log.info(
            "Publer holds %d media item(s): %s", len(items), ", ".join(str(i.get("id")) for i in items)
        )
        return items

    def _checked_inputs(self) -> tuple[list[Any], list[dict[str, Any]]]:
        from airflow_provider_publer.validation import validate_media_file, validate_media_urls

        files = _file_list(self.files)
        checked = [
            self._checked(lambda f=file, i=index: validate_media_file(f, field=f"files[{i}]"))
            for index, file in enumerate(files)
        ]
        urls: list[dict[str, Any]] = []
        if self.urls not in (None, "", (), []):
            urls = self._checked(lambda: validate_media_urls(self.urls))
        if not checked and not urls:
            raise AirflowFailException(
                "Nothing was sent to Publer. files, urls: give at least one file (files=[...]) or URL "
                "(urls=[...])"
            )
        return checked, urls

    # -- one file, once --------------------------------------------------------------------------

    def _upload(self, media: Any, workspace: str, ledger: SubmissionLedger) -> dict[str, Any]:
        from airflow_provider_publer.ledger import fingerprint

        key = fingerprint(
            [{"file": str(media.source), "name": media.name, "size": media.size, **self._flags()}],
            "media_upload",
            workspace,
            False,
        )
        record = ledger.record(key)
        if record is not None and record.job_id:
            earlier = _decode_media(record.job_id)
            if earlier:
                self.log.info(
                    "Reusing media %s: an earlier try uploaded %s", earlier[0].get("id"), media.name
                )
                return earlier[0]
        if record is not None:
            found = self._find_uploaded([media.name], record.since_time, workspace)
            if found:
                ledger.mark_sent(key, _encode_media(found))
                return found[0]
            self.log.warning(
                "An earlier try sent %s, but Publer does not list it: it did not land; uploading it again",
                media.name,
            )
        created = record is None
        record = ledger.mark_sending(key, _now())
        try:
            uploaded = self.hook.upload_media(
                media.source,
                name=media.name,
                in_library=self.in_library,
                direct_upload=self.direct_upload,
                workspace_id=workspace,
            )
        except PublerOutcomeUnknownError as err:
            self.log.warning("%s", err)
            found = self._find_uploaded([media.name], record.since_time, workspace)
            if found:
                ledger.mark_sent(key, _encode_media(found))
                return found[0]
            raise AirflowException(
                f"The upload of {media.name} was sent but its answer was lost, and Publer does not list the "
                "file yet. A retry of this task looks for it again before uploading anything."
            ) from None
        except PublerError as err:
            if created:
                ledger.forget(key)  # Publer refused it or was never reached: nothing was stored
            raise airflow_error(err) from None
        ledger.mark_sent(key, _encode_media([uploaded]))
        return uploaded

    def _flags(self) -> dict[str, bool]:
        return {"in_library": bool(self.in_library), "direct_upload": bool(self.direct_upload)}

    def _find_uploaded(
        self, names: list[str], since: datetime, workspace: str
    ) -> list[dict[str, Any]] | None:
        """The media named ``names`` created since ``since`` (newest first), or ``None`` if one is missing."""
        from airflow_provider_publer.timestamps import parse_optional_timestamp

        found = []
        for name in names:
            listed = self._call(
                lambda n=name: self.hook.list_media(search=n, workspace_id=workspace),
                "Could not look for an earlier upload in Publer's media: ",
            )
            matches = []
            for item in listed:
                created = parse_optional_timestamp(item.get("created_at"))
                if item.get("name") == name and (created is None or created >= since - _CLOCK_SLACK):
                    matches.append(item)
            if not matches:
                return None
            found.append(matches[-1])  # Publer lists the library oldest first: the latest upload
        self.log.info("Found earlier upload(s) on Publer: %s", ", ".join(str(m.get("id")) for m in found))
        return found

    # -- URLs: one import job, once --------------------------------------------------------------

    def _import(
        self, urls: list[dict[str, Any]], workspace: str, ledger: SubmissionLedger
    ) -> list[dict[str, Any]]:
        from airflow_provider_publer.ledger import fingerprint

        key = fingerprint([{"urls": urls, **self._flags()}], "media_import", workspace, False)
        record = ledger.record(key)
        if record is not None and record.job_id:
            earlier = _decode_media(record.job_id)
            if earlier is not None:
                return earlier
            media = self._wait_for_import(record.job_id, workspace, reconnecting=True)
            if media is not None:
                ledger.mark_sent(key, _encode_media(media))
                return media
        elif record is not None:
            found = self._find_uploaded([u["name"] for u in urls], record.since_time, workspace)
            if found:
                ledger.mark_sent(key, _encode_media(found))
                return found
        created = record is None
        ledger.mark_sending(key, _now())
        try:
            job_id = self.hook.import_media(
                urls, in_library=self.in_library, direct_upload=self.direct_upload, workspace_id=workspace
            )
        except PublerOutcomeUnknownError as err:
            raise AirflowException(
                f"{err} A retry of this task looks for the imported files before importing anything again."
            ) from None
        except PublerError as err:
            if created:
                ledger.forget(key)
            raise airflow_error(err) from None
        ledger.mark_sent(key, job_id)
        media = self._wait_for_import(job_id, workspace)
        assert media is not None
        ledger.mark_sent(key, _encode_media(media))
        return media

    def _wait_for_import(
        self, job_id: str, workspace: str, *, reconnecting: bool = False
    ) -> list[dict[str, Any]] | None:
        """Wait for the import job; its media, or ``None`` when reconnecting to a job that failed."""
        from airflow_provider_publer.job_outcomes import check_job
        from airflow_provider_publer.responses import media_job_errors, media_job_media

        deadline = time.monotonic() + self.wait_timeout
        while True:
            result = check_job(self.hook, job_id, workspace, self.log)
            if result is not None and result.is_finished:
                break
            if time.monotonic() >= deadline:
                raise AirflowException(
                    f"Publer's import job {job_id} did not finish within {self.wait_timeout:.0f}s; a retry "
                    "of this task waits for the same job."
                )
            time.sleep(self.poll_interval)
        media = media_job_media(result)
        if result.is_success and media:
            return media
        if reconnecting and not result.is_success:
            self.log.warning("The import job %s of an earlier try failed; importing again", job_id)
            return None
        reasons = "; ".join(media_job_errors(result)) or "no reason given"
        if result.is_success:
            reasons = "the job completed without listing any media"
        raise AirflowFailException(
            f"Publer could not import the media (job {job_id}, {result.status}): {reasons}"
        )


class PublerUpdatePostOperator(_PublerTask):
    """Change a post on Publer (``PUT /posts/{id}``) and return Publer's ``PostDetail``.

    The change is checked before it is sent (fields Publer's update takes: ``type, text, url,
    title, excerpt, question, duration, featured_media, media, link, labels``; a blank text is
    refused). Publer's refusals fail the task without retries, with Publer's reason and what it
    means: 403 for a post published with approval (no one may change it), 422 for a change the
    network does not allow after publishing (LinkedIn: text only; X, Instagram, Pinterest,
    Threads, Bluesky: labels only), 404 for an unknown post. A PUT sets the same fields each time,
    so Airflow retries after network trouble are harmless. The "Published post" link opens the
    post when Publer has published it.

    :param post_id: the post's id (templated), e.g. from ``GET /posts``.
    :param post: the fields to change (templated, shown as JSON), e.g. ``{"text": "New text"}``;
        ``{"post": {...}}`` works too.
    :param workspace_id: the post's workspace (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    """

    template_fields: Sequence[str] = ("post_id", "post", "workspace_id", "publer_conn_id")
    template_fields_renderers = {"post": "json"}
    operator_extra_links = (PublerPostLink(),)
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        post_id: str,
        post: Any,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.post_id = post_id
        self.post = post
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id

    def execute(self, context: Context) -> dict[str, Any]:
        from airflow_provider_publer.validation import validate_post_id, validate_post_update

        post_id = self._checked(lambda: validate_post_id(self.post_id))
        body = self._checked(lambda: validate_post_update(self.post))
        workspace = self._workspace()
        detail: dict[str, Any] = self._call(
            lambda: self.hook.update_post(post_id, body, workspace_id=workspace),
            f"Post {post_id} was not updated. ",
        )
        if detail.get("post_link"):
            context["ti"].xcom_push(key=XCOM_POST_LINK, value=str(detail["post_link"]))
        return detail


class PublerDeletePostsOperator(_PublerTask):
    """Delete posts on Publer (``DELETE /posts?post_ids[]=``) and return the ids deleted.

    Publer answers with the ids it deleted and silently keeps the others: queued
    (auto-scheduled) posts, private drafts of another member, published posts needing approval
    for restricted roles, unknown ids. The task then fails without retries, naming every post
    that was not deleted with its state as Publer lists it (the deleted ids are in the XCom
    ``publer_deleted_ids``). An Airflow retry or clear does not count posts that an earlier try
    deleted as failures (the task instance's ledger remembers them).

    :param post_ids: one id or a list (templated), e.g. from ``GET /posts``.
    :param workspace_id: the posts' workspace (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    """

    template_fields: Sequence[str] = ("post_ids", "workspace_id", "publer_conn_id")
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        post_ids: Any,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.post_ids = post_ids
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id

    def execute(self, context: Context) -> list[str]:
        from airflow_provider_publer.ledger import SubmissionLedger, fingerprint
        from airflow_provider_publer.validation import validate_post_ids

        ids = self._checked(lambda: validate_post_ids(self.post_ids))
        workspace = self._workspace()
        ledger = SubmissionLedger.for_task(context)
        key = fingerprint([{"delete": ids}], "delete", workspace, False)
        record = ledger.record(key)
        earlier = set(_decode_ids(record.job_id)) if record is not None and record.job_id else set()
        to_delete = [post_id for post_id in ids if post_id not in earlier]
        deleted: set[str] = set()
        if to_delete:
            ledger.mark_sending(key, _now())
            deleted = set(self._call(lambda: self.hook.delete_posts(to_delete, workspace_id=workspace)))
            ledger.mark_sent(key, _encode_ids(earlier | deleted))
        kept = [post_id for post_id in to_delete if post_id not in deleted]
        still = self._call(lambda: self.hook.find_posts(kept, workspace_id=workspace)) if kept else {}
        if record is not None:
            # An earlier try sent a delete: a post that is no longer listed is one it deleted.
            deleted |= {post_id for post_id in kept if post_id not in still}
            kept = [post_id for post_id in kept if post_id in still]
        result = [post_id for post_id in ids if post_id in earlier or post_id in deleted]
        context["ti"].xcom_push(key=XCOM_DELETED_IDS, value=result)
        if kept:
            raise AirflowFailException(_not_deleted_message(kept, still, result, workspace))
        self.log.info("Publer deleted %d post(s): %s", len(result), ", ".join(result))
        return result


class PublerPostInsightsOperator(_PublerTask):
    """Per-post analytics of accounts over a period (``GET /analytics/{account_id}/post_insights``).

    For each account, every page (10 posts each) of its published posts scheduled from ``from_``
    to ``to`` is read; each row is Publer's post ``{id, text, type, account_id, network, url,
    scheduled_at, post_link, analytics}`` with ``analytics`` as plain numbers (``reach``,
    ``engagement``, ``engagement_rate``, ``likes``, ``comments``, ``shares``, ``saves``,
    ``video_views``, ``link_clicks``, ``post_clicks``, ``click_through_rate``, ``reach_rate``;
    rates in percent; ``None`` where Publer gives no figure). With ``output_path`` the rows are
    written as JSON Lines (one row per line, UTF-8) and the task returns the path, ready to load
    into a warehouse; otherwise it returns the rows. Reading twice is harmless, so retries are too.

    :param account_ids: account ids, or the accounts themselves as ``list_accounts()`` returns them
        (templated).
    :param from_: first day (templated): ``YYYY-MM-DD``, a date or a datetime. Default: the start of
        the run's data interval (for a run triggered without a logical date, the interval the DAG's
        timetable gives a manual run then: last week for a weekly ``CronDataIntervalTimetable``).
    :param to: last day, included (templated). Default: the end of the data interval (an end at
        midnight is the day before, so a weekly interval is Monday to Sunday).
    :param output_path: where to write JSON Lines (templated): a local path or an Airflow
        ``ObjectStoragePath`` (S3, GCS...). ``{from_}`` and ``{to}`` in it (in the file name of an
        ``ObjectStoragePath``) become the first and last day read, e.g.
        ``"/data/insights-{from_}.jsonl"``. Parent directories of a local path are created, and a
        local file is replaced whole, never left half-written.
    :param query: text search in the posts.
    :param sort_by: Publer's order: ``scheduled_at``, ``reach``, ``engagement``, ``likes``, ...
    :param workspace_id: the accounts' workspace (templated); defaults to the connection's.
    :param publer_conn_id: Airflow connection of type ``publer`` (templated).
    """

    template_fields: Sequence[str] = (
        "account_ids",
        "from_",
        "to",
        "output_path",
        "query",
        "workspace_id",
        "publer_conn_id",
    )
    ui_color = "#e7f0ff"

    def __init__(
        self,
        *,
        account_ids: Any,
        from_: Any = None,
        to: Any = None,
        output_path: Any = None,
        query: str | None = None,
        sort_by: str | None = None,
        workspace_id: str | None = None,
        publer_conn_id: str = DEFAULT_CONN_ID,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.account_ids = account_ids
        self.from_ = from_
        self.to = to
        self.output_path = _local_path_text(output_path)
        self.query = query
        self.sort_by = sort_by
        self.workspace_id = workspace_id
        self.publer_conn_id = publer_conn_id

    def execute(self, context: Context) -> Any:
        from airflow_provider_publer.validation import (
            POST_INSIGHTS_SORTS,
            validate_account_ids,
            validate_choice,
        )

        accounts = self._checked(lambda: validate_account_ids(self.account_ids))
        first, last = self._checked(lambda: self._dates(context))
        sort_by = self._checked(lambda: validate_choice(self.sort_by, POST_INSIGHTS_SORTS, field="sort_by"))
        workspace = self._workspace()
        rows: list[dict[str, Any]] = []
        for account in accounts:
            posts = self._call(
                lambda a=account: self.hook.get_post_insights(
                    a, first, last, query=self.query or None, sort_by=sort_by, workspace_id=workspace
                ),
                f"Insights of account {account} ({first}..{last}): ",
            )
            rows.extend({**post, "account_id": post.get("account_id") or account} for post in posts)
            self.log.info("Account %s: %d published post(s) from %s to %s", account, len(posts), first, last)
        if self.output_path in (None, ""):
            return rows
        written = _write_json_lines(_with_days(self.output_path, first, last), rows)
        self.log.info("Wrote %d row(s) to %s", len(rows), written)
        return written

    def _dates(self, context: Context) -> tuple[str, str]:
        from airflow_provider_publer.validation import interval_days, validate_date_range

        if self.from_ not in (None, "") or self.to not in (None, ""):
            return validate_date_range(self.from_, self.to)
        start, end = context.get("data_interval_start"), context.get("data_interval_end")
        if start is None or end is None:
            start, end = _manual_interval(context)
        return interval_days(start, end)


def _manual_interval(context: Context) -> tuple[Any, Any]:
    """A run triggered without a logical date has no data interval: take the one the DAG's
    timetable gives a manual run at the run's ``run_after`` (the last complete week for a weekly
    ``CronDataIntervalTimetable``, the day itself for a trigger timetable)."""
    import pendulum

    run_after = getattr(context.get("dag_run"), "run_after", None)
    infer = getattr(getattr(context.get("dag"), "timetable", None), "infer_manual_data_interval", None)
    if run_after is None or infer is None:
        raise PublerValidationError(
            "are not given, and this run has no data interval (it was triggered without a logical date) "
            "that the DAG's timetable can infer; pass from_ and to, e.g. "
            "from_='{{ macros.ds_add(ds, -7) }}', to='{{ ds }}'",
            field="from_, to",
        )
    interval = infer(run_after=pendulum.instance(run_after))
    return interval.start, interval.end


def _file_list(files: Any) -> Any:
    """A list of files: one path alone becomes a list; plain paths become text (Airflow 3.1 would
    try to render a pathlib.Path); an XComArg or a template is left for Airflow to resolve."""
    if files is None:
        return []
    if isinstance(files, (list, tuple)):
        return [_local_path_text(f) for f in files]
    if isinstance(files, str) or hasattr(files, "protocol") or _is_plain_path(files):
        return [_local_path_text(files)]
    return files


def _local_path_text(value: Any) -> Any:
    """A pathlib path as text; an ``ObjectStoragePath`` and anything else unchanged."""
    import os

    return os.fspath(value) if _is_plain_path(value) else value


def _is_plain_path(value: Any) -> bool:
    import os

    return isinstance(value, os.PathLike) and not hasattr(value, "protocol")


def _with_days(path: Any, first: str, last: str) -> Any:
    """``path`` with ``{from_}`` and ``{to}`` (in the file name of an ``ObjectStoragePath``)
    replaced by the first and last day read: the period is known even where a template cannot
    know it (a run without a data interval)."""

    def fill(text: str) -> str:
        return text.replace("{from_}", first).replace("{to}", last)

    if hasattr(path, "protocol"):
        name = fill(path.name)
        return path.with_name(name) if name != path.name else path
    return fill(str(path))


def _write_json_lines(path: Any, rows: list[dict[str, Any]]) -> str:
    """Write ``rows`` as JSON Lines to a local path (atomically) or an ``ObjectStoragePath``."""
    import contextlib
    import json
    import os
    import tempfile
    from pathlib import Path

    lines = "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows)
    if hasattr(path, "protocol"):
        # A local (file://) path needs its directory; object stores have none to make.
        with contextlib.suppress(OSError, NotImplementedError):
            path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            handle.write(lines)
        return str(path)
    target = Path(os.fspath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(lines)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(path)


def _not_deleted_message(
    kept: list[str], still: dict[str, dict[str, Any]], deleted: list[str], workspace: str
) -> str:
    lines = []
    for post_id in kept:
        post = still.get(post_id)
        if post is None:
            lines.append(
                f"post {post_id}: not found in workspace {workspace} (an unknown id, or another workspace's)"
            )
        else:
            lines.append(
                f"post {post_id} ({post.get('state') or 'state unknown'}, account "
                f"{post.get('account_id') or '?'}, {post.get('network') or 'unknown network'}): still listed"
            )
    done = f"Deleted: {', '.join(deleted)}. " if deleted else "Nothing was deleted. "
    return (
        f"Publer did not delete {len(kept)} post(s):\n"
        + "\n".join(lines)
        + f"\n{done}Publer deletes no queued "
        "(auto-scheduled) post, a private draft only for its creator, and a published post needing approval "
        "not for restricted roles."
    )


_MEDIA_PREFIX = "media:"
_DELETED_PREFIX = "deleted:"
_CLOCK_SLACK = timedelta(minutes=2)


def _encode_media(media: list[dict[str, Any]]) -> str:
    """What the ledger keeps of uploaded media: the objects themselves (ids and URLs, no secret)."""
    import json

    return _MEDIA_PREFIX + json.dumps(media, sort_keys=True, default=str)


def _decode_media(value: str) -> list[dict[str, Any]] | None:
    import json

    if not value.startswith(_MEDIA_PREFIX):
        return None
    media = json.loads(value[len(_MEDIA_PREFIX) :])
    return [dict(m) for m in media] if isinstance(media, list) else None


def _encode_ids(ids: set[str]) -> str:
    return _DELETED_PREFIX + ",".join(sorted(ids))


def _decode_ids(value: str) -> list[str]:
    return (
        [i for i in value[len(_DELETED_PREFIX) :].split(",") if i]
        if value.startswith(_DELETED_PREFIX)
        else []
    )
