"""When a sandbox post goes live, and whether it is then ``published`` or ``failed``.

On Publer a scheduled post is published by Publer itself when its time comes, and may
fail then (an expired token, a network refusing the content). The sandbox does the same,
deterministically and lazily like its jobs: a ``scheduled`` post goes live at its
``live_at`` (see :func:`live_time`), the next time anything reads the sandbox after that
instant, so the outcome never depends on when anybody polls.

Whether it fails is decided by the post alone (:func:`failure_reason`): a marker in its
text, else the account's entry in ``SandboxConfig.fail_accounts``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime

from airflow_provider_publer.sandbox.models import Post, from_timestamp, timestamp

#: ``[sandbox:fail]`` or ``[sandbox:fail:<reason>]`` anywhere in a post's text makes it fail.
FAIL_MARKER = re.compile(r"\[sandbox:fail(?::([^\]]*))?\]", re.IGNORECASE)
#: ``[sandbox:approval]`` in a post's text marks it as published with approval (PUT answers 403).
APPROVAL_MARKER = "[sandbox:approval]"
DEFAULT_FAILURE = "The social network refused the post"


def failure_reason(text: str, account_id: str | None, fail_accounts: Mapping[str, str]) -> str | None:
    """Why a post going live fails, or None when it is published.

    :param text: the post's text; a ``[sandbox:fail:<reason>]`` marker wins (``[sandbox:fail]``
        gives :data:`DEFAULT_FAILURE`).
    :param account_id: the post's account; an entry of ``fail_accounts`` fails every post of it
        with that reason (an empty reason gives :data:`DEFAULT_FAILURE`).
    :param fail_accounts: ``SandboxConfig.fail_accounts``.
    """
    marker = FAIL_MARKER.search(text)
    if marker:
        return (marker.group(1) or "").strip() or DEFAULT_FAILURE
    if account_id is not None and account_id in fail_accounts:
        return fail_accounts[account_id].strip() or DEFAULT_FAILURE
    return None


def live_time(created_at: datetime, scheduled_at: datetime, scale: float) -> datetime:
    """When a post created at ``created_at`` for ``scheduled_at`` goes live, on the sandbox clock.

    The wait ``scheduled_at - created_at`` is divided by ``scale`` (``publish_time_scale``):
    with scale 60, a post scheduled 5 minutes after its creation goes live 5 seconds after it.
    A time already past goes live at once.
    """
    start, end = timestamp(created_at), timestamp(scheduled_at)
    if end <= start:
        return created_at
    return from_timestamp(start + (end - start) / scale)


def go_live(post: Post, reason: str | None, post_link: str) -> None:
    """Turn a post ``published`` (with ``post_link``) or ``failed`` (with ``error``)."""
    if reason is None:
        post.state, post.post_link, post.error = "published", post_link, None
    else:
        post.state, post.post_link, post.error = "failed", None, reason


def needs_approval(post: Post, approval_accounts: tuple[str, ...]) -> bool:
    """Whether a published post counts as "published with approval" (PUT /posts/{id} answers 403)."""
    return post.state == "published" and (
        APPROVAL_MARKER in post.text.lower() or (post.account_id or "") in approval_accounts
    )
