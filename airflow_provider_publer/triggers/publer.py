"""The trigger that waits for a Publer job in the triggerer.

It only waits: each check is the hook's async ``aget_job_status`` (httpx, the same retry
policy and response normalisation as the sync path, with the trigger's deadline as the
retries' deadline). Between checks it sleeps ``poll_interval``; a check that could not tell
(network, 5xx, 429 after the hook's own retries) is simply followed by the next one. The
deadline is wall-clock time, because the triggerer that resumes the wait may be another host.
It yields exactly one event, with JSON-compatible content only: the typed events of
:mod:`airflow_provider_publer.trigger_events`, as their payloads.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_publer.constants import DEFAULT_CONN_ID
from airflow_provider_publer.exceptions import PublerError, PublerRateLimitError, is_transient
from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.job_outcomes import combined_outcome
from airflow_provider_publer.responses import PublerJobResult
from airflow_provider_publer.trigger_events import (
    JobsFailed,
    JobsSucceeded,
    PostsFailed,
    PostsGone,
    PostsSucceeded,
    WaitErrored,
    WaitTimedOut,
)

#: Longest random delay before a trigger's first step (see :func:`spread_start`).
START_SPREAD = 1.0


async def spread_start(poll_interval: float) -> None:
    """Wait a random moment (at most ``START_SPREAD`` s, or the poll interval if shorter).

    Triggers that start together (a triggerer restarting with a thousand waits) would otherwise
    all take their first step in one turn of the event loop, stalling it; spread over a second,
    each turn stays short.
    """
    await asyncio.sleep(random.uniform(0, min(START_SPREAD, max(0.0, poll_interval))))


class _PublerWaitTrigger(BaseTrigger):
    """What the provider's triggers share: a hook bounded by the wait's deadline, a spread start,
    and exactly one event from :meth:`_wait`. Subclasses set ``end_time``, ``publer_conn_id``,
    ``workspace_id`` and ``poll_interval``."""

    end_time: float
    publer_conn_id: str
    workspace_id: str | None
    poll_interval: float

    def _hook(self) -> PublerHook:
        return PublerHook(
            publer_conn_id=self.publer_conn_id, workspace_id=self.workspace_id, deadline=self.end_time
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        await spread_start(self.poll_interval)
        hook = self._hook()
        try:
            yield await self._wait(hook)
        finally:
            await hook.aclose()

    async def _wait(self, hook: PublerHook) -> TriggerEvent:
        raise NotImplementedError


class PublerJobTrigger(_PublerWaitTrigger):
    """Poll ``GET /job_status/{id}`` until the jobs finish or ``end_time`` passes.

    Each poll checks the jobs not yet known to be finished, in order, and stops at the first one
    still working (Publer runs a task's jobs in the order they were sent): a job's final status is
    fetched once, and a poll costs one request plus one per job that finished since the last.
    Events (:mod:`~airflow_provider_publer.trigger_events`): :class:`JobsSucceeded`
    (``{"status": "success", "result": {...}}``), :class:`JobsFailed` (``"failed"``; for several
    jobs the result combines them: ``job_ids``, every failure, ``jobs``), :class:`WaitTimedOut`
    or :class:`WaitErrored`.

    :param job_id: Publer job id (or use ``job_ids``).
    :param end_time: UNIX time after which the trigger gives up.
    :param publer_conn_id: Airflow connection of type ``publer``.
    :param workspace_id: workspace the job was submitted in; defaults to the connection's.
    :param poll_interval: seconds between two checks.
    :param first_check_delay: seconds before the first check (the deferring task has just checked).
    :param job_ids: several Publer job ids, waited for together.
    """

    def __init__(
        self,
        job_id: str | None = None,
        end_time: float = 0.0,
        publer_conn_id: str = DEFAULT_CONN_ID,
        workspace_id: str | None = None,
        poll_interval: float = 30.0,
        first_check_delay: float = 0.0,
        job_ids: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.job_ids = [str(j) for j in (job_ids or ([job_id] if job_id else []))]
        if not self.job_ids or not end_time:
            raise ValueError("PublerJobTrigger needs job_id (or job_ids) and end_time")
        self.job_id = ", ".join(self.job_ids)
        self.end_time = end_time
        self.publer_conn_id = publer_conn_id
        self.workspace_id = workspace_id
        self.poll_interval = poll_interval
        self.first_check_delay = first_check_delay

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "job_ids": self.job_ids,
                "end_time": self.end_time,
                "publer_conn_id": self.publer_conn_id,
                "workspace_id": self.workspace_id,
                "poll_interval": self.poll_interval,
                "first_check_delay": self.first_check_delay,
            },
        )

    async def _wait(self, hook: PublerHook) -> TriggerEvent:
        self.log.info(
            "Waiting for Publer job(s) %s in workspace %s, a check every %.0fs",
            self.job_id,
            self.workspace_id or "(the connection's default)",
            self.poll_interval,
        )
        done: dict[str, PublerJobResult] = {}
        delay = min(self.first_check_delay, max(0.0, self.end_time - time.time()))
        while True:
            if delay > 0:
                await asyncio.sleep(delay)
            delay = self.poll_interval
            for job_id in [j for j in self.job_ids if j not in done]:
                try:
                    result = await hook.aget_job_status(job_id, self.workspace_id)
                except PublerError as err:
                    if not is_transient(err):
                        return TriggerEvent(WaitErrored(str(err), job_id=self.job_id).to_payload())
                    if isinstance(err, PublerRateLimitError) and err.retry_after:
                        delay = max(delay, err.retry_after)
                    self.log.warning("Could not check Publer job %s this time (%s)", job_id, err)
                    break  # the next poll comes after ``delay``; the budget is shared
                self.log.info("Publer job %s is %s", job_id, result.status)
                if not result.is_finished:
                    break  # the later jobs were sent after this one: ask about them next time
                done[job_id] = result
            if len(done) == len(self.job_ids):
                outcome = combined_outcome([done[j] for j in self.job_ids])
                kind = JobsSucceeded if outcome["succeeded"] else JobsFailed
                return TriggerEvent(kind(job_id=self.job_id, result=outcome).to_payload())
            remaining = self.end_time - time.time()
            if remaining <= 0:
                pending = ", ".join(j for j in self.job_ids if j not in done)
                message = f"Publer job {pending} did not finish before the sensor's timeout."
                return TriggerEvent(WaitTimedOut(message, job_id=self.job_id).to_payload())
            delay = min(delay, remaining)


class PublerPostTrigger(_PublerWaitTrigger):
    """Poll ``GET /posts`` until every post reaches ``target_state``, one fails, or ``end_time`` passes.

    Publer has no "get one post" endpoint, so each check lists the posts in the target state or
    ``failed`` (narrowed by ``account_ids`` and ``from_``/``to`` when given) with the hook's async
    :meth:`~airflow_provider_publer.hooks.publer.PublerHook.afind_posts`, page by page until
    every id is found. A check that could not tell (network, 5xx, 429 after the hook's own
    retries) is followed by the next one. One event (:mod:`~airflow_provider_publer.trigger_events`),
    JSON only: :class:`PostsSucceeded` (``{"status": "success", "posts": [...]}``),
    :class:`PostsFailed` (every failed post with Publer's reason), :class:`PostsGone` (posts no
    longer on Publer: deleted while the wait went on), :class:`WaitTimedOut` or :class:`WaitErrored`.

    :param post_ids: the posts' ids.
    :param end_time: UNIX time after which the trigger gives up (wall clock: the triggerer that
        resumes the wait may be another host).
    :param target_state: the base state awaited: ``published`` (default), ``scheduled``, ...
    :param publer_conn_id: Airflow connection of type ``publer``.
    :param workspace_id: the posts' workspace; defaults to the connection's.
    :param poll_interval: seconds between two checks.
    :param first_check_delay: seconds before the first check (the deferring task has just checked).
    :param account_ids: list only these accounts' posts (fewer pages).
    :param from_: list only posts scheduled on or after this ISO date/datetime (with ``to``).
    :param to: list only posts scheduled on or before this ISO date/datetime.
    """

    def __init__(
        self,
        post_ids: list[str],
        end_time: float,
        target_state: str = "published",
        publer_conn_id: str = DEFAULT_CONN_ID,
        workspace_id: str | None = None,
        poll_interval: float = 30.0,
        first_check_delay: float = 0.0,
        account_ids: list[str] | None = None,
        from_: str | None = None,
        to: str | None = None,
    ) -> None:
        super().__init__()
        self.post_ids = [str(p) for p in post_ids or []]
        if not self.post_ids or not end_time:
            raise ValueError("PublerPostTrigger needs post_ids and end_time")
        self.end_time = end_time
        self.target_state = target_state
        self.publer_conn_id = publer_conn_id
        self.workspace_id = workspace_id
        self.poll_interval = poll_interval
        self.first_check_delay = first_check_delay
        self.account_ids = [str(a) for a in account_ids] if account_ids else None
        self.from_ = from_
        self.to = to

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "post_ids": self.post_ids,
                "end_time": self.end_time,
                "target_state": self.target_state,
                "publer_conn_id": self.publer_conn_id,
                "workspace_id": self.workspace_id,
                "poll_interval": self.poll_interval,
                "first_check_delay": self.first_check_delay,
                "account_ids": self.account_ids,
                "from_": self.from_,
                "to": self.to,
            },
        )

    async def _wait(self, hook: PublerHook) -> TriggerEvent:
        from airflow_provider_publer.job_outcomes import (
            LISTED_STATES,
            gone_message,
            judge_posts,
            posts_failure_message,
        )

        self.log.info(
            "Waiting until %d Publer post(s) are %s, a check every %.0fs",
            len(self.post_ids),
            self.target_state,
            self.poll_interval,
        )
        delay = min(self.first_check_delay, max(0.0, self.end_time - time.time()))
        pending = list(self.post_ids)
        while True:
            if delay > 0:
                await asyncio.sleep(delay)
            delay = self.poll_interval
            try:
                listed = await hook.afind_posts(
                    self.post_ids,
                    state=LISTED_STATES,
                    account_ids=self.account_ids,
                    from_=self.from_,
                    to=self.to,
                    workspace_id=self.workspace_id,
                )
            except PublerError as err:
                if not is_transient(err):
                    return TriggerEvent(WaitErrored(str(err), post_ids=self.post_ids).to_payload())
                if isinstance(err, PublerRateLimitError) and err.retry_after:
                    delay = max(delay, err.retry_after)
                self.log.warning("Could not list the Publer posts this time (%s)", err)
            else:
                progress = judge_posts(self.post_ids, listed, self.target_state, every_state=True)
                if progress.failed:
                    failed = PostsFailed(
                        posts_failure_message(progress),
                        posts=progress.outcomes(),
                        failed=[dict(post) for post in progress.failed],
                    )
                    return TriggerEvent(failed.to_payload())
                if progress.gone:
                    gone = PostsGone(gone_message(progress, self.workspace_id), post_ids=progress.gone)
                    return TriggerEvent(gone.to_payload())
                if progress.finished:
                    return TriggerEvent(PostsSucceeded(progress.outcomes()).to_payload())
                pending = progress.pending
                self.log.info(
                    "%d of %d Publer post(s) are %s; waiting for %s",
                    len(progress.done),
                    len(self.post_ids),
                    self.target_state,
                    ", ".join(pending),
                )
            remaining = self.end_time - time.time()
            if remaining <= 0:
                message = (
                    f"Publer post(s) {', '.join(pending)} did not become {self.target_state} before "
                    "the sensor's timeout."
                )
                return TriggerEvent(WaitTimedOut(message, pending=pending).to_payload())
            delay = min(delay, remaining)
