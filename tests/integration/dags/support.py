"""Helpers the integration test DAGs share: outcome recording, and operators that fail at a chosen moment.

The DAG files run inside ``airflow dags test`` (a subprocess of the test); they import this module
through ``PYTHONPATH`` (the repository root). Nothing here talks HTTP or replaces the provider's
code paths: the subclasses only *add* a failure at a precise moment of try 1 (a crash right after
Publer accepted the POST, or right after the job id was stored), or run try 1 on a clock that is
``CLOCK_SKEW`` behind, so that try 2 meets the situation a real retry would.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from unittest import mock

from airflow_provider_publer.operators.publer import PublerSchedulePostOperator
from airflow_provider_publer.sandbox.config import SANDBOX_ACCOUNT_IDS

#: Environment variable naming the directory where callbacks append ``events.jsonl``.
OUT_ENV = "PUBLER_TEST_OUT"
#: How far behind the real clock try 1 of ``EarlierFirstTry`` (and the test's sandbox) run.
CLOCK_SKEW = timedelta(minutes=10)
CRASH_MESSAGE = "simulated worker crash"

FACEBOOK = SANDBOX_ACCOUNT_IDS["facebook"]
LINKEDIN = SANDBOX_ACCOUNT_IDS["linkedin"]
MASTODON = SANDBOX_ACCOUNT_IDS["mastodon"]
#: Far enough ahead to stay valid for years; each test gets a fresh sandbox.
WHEN = datetime(2031, 3, 2, 9, 0, tzinfo=timezone.utc)


def scheduled_posts(tag: str, when: datetime = WHEN) -> list[dict[str, Any]]:
    """Two posts, three (post, account) pairs: one post on two accounts, one on one."""
    return [
        {
            "networks": {"default": {"type": "status", "text": f"{tag}: post 0"}},
            "accounts": [
                {"id": FACEBOOK, "scheduled_at": when.isoformat()},
                {"id": LINKEDIN, "scheduled_at": when.isoformat()},
            ],
        },
        {
            "networks": {"default": {"type": "status", "text": f"{tag}: post 1"}},
            "accounts": [{"id": FACEBOOK, "scheduled_at": (when + timedelta(minutes=5)).isoformat()}],
        },
    ]


#: Networks whose "status" posts need no media; 2 hours apart each stays under every daily limit.
TEXT_NETWORKS = ("facebook", "linkedin", "twitter", "mastodon", "bluesky", "threads", "google", "telegram")
CALENDAR_SPACING = timedelta(hours=2)


def calendar(count: int, first: datetime, tag: str) -> list[dict[str, Any]]:
    """``count`` posts round-robin over the text networks, each account's posts 2 hours apart."""
    posts = []
    for i in range(count):
        network = TEXT_NETWORKS[i % len(TEXT_NETWORKS)]
        when = first + CALENDAR_SPACING * (i // len(TEXT_NETWORKS))
        posts.append(
            {
                "networks": {network: {"type": "status", "text": f"{tag} #{i}"}},
                "accounts": [{"id": SANDBOX_ACCOUNT_IDS[network], "scheduled_at": when.isoformat()}],
            }
        )
    return posts


def publish_now_posts(tag: str) -> list[dict[str, Any]]:
    """Two posts without scheduled_at, three (post, account) pairs."""
    return [
        {
            "networks": {"default": {"type": "status", "text": f"{tag}: post 0"}},
            "accounts": [{"id": FACEBOOK}, {"id": MASTODON}],
        },
        {
            "networks": {"default": {"type": "status", "text": f"{tag}: post 1"}},
            "accounts": [{"id": LINKEDIN}],
        },
    ]


def intended_pairs(posts: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(account id, text) of every post a bulk request is meant to create."""
    return [
        (str(account["id"]), str(post["networks"]["default"]["text"]))
        for post in posts
        for account in post["accounts"]
    ]


def _record(event: str) -> Any:
    def callback(context: Any) -> None:
        out = os.environ.get(OUT_ENV)
        if not out:
            return
        ti = context["ti"]
        value = None
        if event == "success":
            value = ti.xcom_pull(task_ids=ti.task_id)
        error = context.get("exception")
        entry = {
            "dag_id": ti.dag_id,
            "run_id": ti.run_id,
            "task_id": ti.task_id,
            "event": event,
            "try_number": ti.try_number,
            "at": datetime.now(timezone.utc).isoformat(),
            "value": value,
            "error": f"{type(error).__name__}: {error}" if error else None,
        }
        with (Path(out) / "events.jsonl").open("a") as handle:
            handle.write(json.dumps(entry, default=str) + "\n")

    return callback


#: Pass as ``**RECORDED`` to a task: every success, failure, retry and skip lands in events.jsonl.
RECORDED: dict[str, Any] = {
    "on_success_callback": _record("success"),
    "on_failure_callback": _record("failed"),
    "on_retry_callback": _record("retry"),
    "on_skipped_callback": _record("skipped"),
}


def read_events(out: Path) -> list[dict[str, Any]]:
    """The events the callbacks wrote (test side)."""
    path = Path(out) / "events.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


class _OnTryOne(PublerSchedulePostOperator):
    """Knows which try it is in, so a subclass can misbehave on try 1 only."""

    def execute(self, context: Any) -> Any:
        self._try_number = int(context["ti"].try_number)
        return super().execute(context)


class CrashAfterSend(_OnTryOne):
    """Try 1 dies right after Publer accepted the POST, before the job id is kept anywhere."""

    def _send(self, posts: list[dict[str, Any]], workspace: str) -> str:
        job_id = super()._send(posts, workspace)
        if self._try_number == 1:
            raise RuntimeError(f"{CRASH_MESSAGE} after POST (Publer answered job {job_id})")
        return job_id


class CrashAfterRemember(_OnTryOne):
    """Try 1 dies right after the job id reached the submission ledger."""

    def _record_sent(self, ledger: Any, key: str, job_id: str) -> None:
        super()._record_sent(ledger, key, job_id)
        if self._try_number == 1:
            raise RuntimeError(f"{CRASH_MESSAGE} after storing job {job_id}")


class EarlierFirstTry(CrashAfterSend):
    """Try 1 runs ``CLOCK_SKEW`` in the past (its validation clock only), submits, and crashes.

    This stands for "try 1 ran well before scheduled_at, the retry comes after it": the test's
    sandbox runs on the same skewed clock, so it accepts try 1's post. Try 2 runs unpatched.
    """

    def execute(self, context: Any) -> Any:
        if int(context["ti"].try_number) != 1:
            return super().execute(context)
        from airflow_provider_publer import post_requests

        real = post_requests._aware_now

        def earlier(now: datetime | None) -> datetime:
            return real(now) - CLOCK_SKEW if now is None else real(now)

        with mock.patch.object(post_requests, "_aware_now", earlier):
            return super().execute(context)
