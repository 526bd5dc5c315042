"""A bulk request is validated once: posts the operator checked are sent by the hook as they are."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests_mock as rm

from airflow_provider_publer import validation
from airflow_provider_publer.hooks import publer as hook_module
from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.validation import ValidatedPosts, validate_posts

pytestmark = pytest.mark.usefixtures("publer_conn")


def _posts(count: int = 3) -> list[dict[str, Any]]:
    when = datetime.now(timezone.utc) + timedelta(hours=1)
    return [
        {
            "networks": {"facebook": {"type": "status", "text": f"Post {i}"}},
            "accounts": [{"id": "acct-1", "scheduled_at": when + timedelta(minutes=2 * i)}],
        }
        for i in range(count)
    ]


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every validate_posts call the hook makes."""
    seen: list[str] = []

    def counting(posts: Any, **kwargs: Any) -> ValidatedPosts:
        seen.append(kwargs.get("state", "scheduled"))
        return validate_posts(posts, **kwargs)

    monkeypatch.setattr(hook_module, "validate_posts", counting)
    return seen


def test_validated_posts_are_sent_without_a_second_check(
    hook: PublerHook, api: rm.Mocker, calls: list[str]
) -> None:
    api.post(rm.ANY, json={"job_id": "job-1"})
    checked = validate_posts(_posts(), state="scheduled")
    assert hook.schedule_posts(checked, state="scheduled") == "job-1"
    assert calls == []
    assert api.last_request.json()["bulk"]["posts"] == list(checked)


def test_posts_checked_for_another_request_are_checked_again(
    hook: PublerHook, api: rm.Mocker, calls: list[str]
) -> None:
    api.post(rm.ANY, json={"job_id": "job-1"})
    drafts = validate_posts(_posts(), state="draft")
    hook.schedule_posts(drafts, state="scheduled")
    hook.schedule_posts(_posts(), state="scheduled")  # a plain list is always checked
    assert calls == ["scheduled", "scheduled"]


def test_batches_keep_what_they_were_checked_for() -> None:
    checked = validation.validate_posts(_posts(5), state="scheduled", max_posts=None)
    batches = checked.batches(2)
    assert [len(b) for b in batches] == [2, 2, 1]
    assert all(isinstance(b, ValidatedPosts) and b.checked_for("scheduled", False) for b in batches)
    assert [p for b in batches for p in b] == list(checked)
