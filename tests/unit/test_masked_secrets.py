"""No post carries a secret Airflow masks, whatever its origin: the hook refuses it before sending."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
import requests_mock as rm
from airflow.sdk.log import mask_secret

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.masked_secrets import masked_fields, refuse_masked_secrets

pytestmark = pytest.mark.usefixtures("publer_conn")


@pytest.fixture
def secret() -> str:
    """A value Airflow masks, as it masks every connection password and sensitive Variable it reads."""
    value = f"conn-password-{secrets.token_hex(8)}"
    mask_secret(value)
    return value


def _post(text: str) -> dict[str, Any]:
    when = datetime.now(timezone.utc) + timedelta(hours=1)
    return {
        "networks": {"facebook": {"type": "status", "text": text}},
        "accounts": [{"id": "acct-1", "scheduled_at": when}],
    }


def test_the_fields_holding_a_secret_are_named(secret: str) -> None:
    body = [_post("fine"), {"networks": {"x": {"text": f"key: {secret}", "title": secret}}}]
    assert masked_fields(body, "posts") == ["posts[1].networks.x.text", "posts[1].networks.x.title"]
    assert masked_fields([_post("nothing secret here")], "posts") == []


def test_the_error_names_the_field_never_the_secret(secret: str) -> None:
    with pytest.raises(PublerValidationError) as info:
        refuse_masked_secrets({"text": f"Our API key is {secret}"}, "post")
    assert info.value.field == "post.text"
    assert secret not in str(info.value)
    assert "nothing was sent" in str(info.value)


@pytest.mark.parametrize("publish_now", [False, True])
def test_the_hook_sends_no_post_that_holds_a_secret(
    hook: PublerHook, api: rm.Mocker, secret: str, publish_now: bool
) -> None:
    api.post(rm.ANY, json={"job_id": "job-1"})
    post = _post(f"Our API key is {secret}")
    if publish_now:
        del post["accounts"][0]["scheduled_at"]
    send = hook.publish_posts if publish_now else hook.schedule_posts
    with pytest.raises(PublerValidationError, match=r"posts\[0\]\.networks\.facebook\.text"):
        send([post])
    assert api.call_count == 0


def test_the_hook_sends_no_update_that_holds_a_secret(hook: PublerHook, api: rm.Mocker, secret: str) -> None:
    api.put(rm.ANY, json={"id": "p1"})
    with pytest.raises(PublerValidationError, match=r"post\.text"):
        hook.update_post("p1", {"text": f"leaked {secret}"})
    assert api.call_count == 0


def test_the_hooks_own_key_is_never_posted(hook: PublerHook, api: rm.Mocker) -> None:
    """The key the hook reads is masked as it is read: a text holding it is refused."""
    api.post(rm.ANY, json={"job_id": "job-1"})
    key = hook.settings.api_key
    with pytest.raises(PublerValidationError):
        hook.schedule_posts([_post(f"key {key}")])
    assert api.call_count == 0


def test_a_secret_as_a_key_or_a_number_is_found(secret: str) -> None:
    mask_secret("987654321987")
    assert masked_fields({"networks": {secret: {"text": "x"}}}, "posts") == ["posts.networks (a key)"]
    assert masked_fields({"text": 987654321987}, "post") == ["post.text"]
