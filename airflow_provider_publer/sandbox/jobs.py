"""Checking a bulk post body, and turning a finished job into posts and per-account failures.

``parse_bulk`` decides the synchronous 400 answer of ``POST /posts/schedule[/publish]``.
``settle_posts`` runs when the job's latency has passed: every (post, account) pair
becomes a post or a failure with Publer's wording, in request order, each pair
checked against the posts placed before it (including earlier ones of the same batch).
``settle_media`` does the same for a ``POST /media/from-url`` job.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from airflow_provider_publer.sandbox import publishing, rules
from airflow_provider_publer.sandbox.index import PostIndex, Timeline
from airflow_provider_publer.sandbox.media import is_fetchable, media_type, name_from_url
from airflow_provider_publer.sandbox.models import DRAFT_STATES, Job, Media, Post, new_id
from airflow_provider_publer.sandbox.updates import label_object

MAX_POSTS = 500
MEDIA_IMPORT_TYPES = ("single", "bulk", "thumbnail")
BULK_STATES = frozenset({"scheduled", "recurring", "auto", "recycle", "publish"} | DRAFT_STATES)


class BadRequest(Exception):
    """A request body Publer answers with HTTP 400 ``{"errors": [...]}``."""

    def __init__(self, *messages: str) -> None:
        super().__init__("; ".join(messages))
        self.messages = list(messages)


# -- the synchronous check ----------------------------------------------------------------------


def parse_bulk(body: Any) -> dict[str, Any]:
    """The ``bulk`` object of a post request, or :class:`BadRequest` when it is malformed."""
    bulk = body.get("bulk") if isinstance(body, Mapping) else None
    if not isinstance(bulk, Mapping):
        raise BadRequest("Invalid post data: the body needs a 'bulk' object")
    state = bulk.get("state", "scheduled")
    if not isinstance(state, str) or state not in BULK_STATES:
        raise BadRequest(f"Invalid scheduling parameters: unknown bulk.state {state!r}")
    posts = bulk.get("posts")
    if not isinstance(posts, list) or not posts:
        raise BadRequest("Invalid post data: bulk.posts must be a non-empty list")
    if len(posts) > MAX_POSTS:
        raise BadRequest(f"Invalid post data: at most {MAX_POSTS} posts per request, got {len(posts)}")
    problems = [p for i, post in enumerate(posts) for p in _post_problems(i, post, state)]
    if problems:
        raise BadRequest(*problems)
    return {**bulk, "state": state}


def _post_problems(index: int, post: Any, state: str) -> list[str]:
    if not isinstance(post, Mapping):
        return [f"Invalid post data: posts[{index}] must be an object"]
    if not isinstance(post.get("networks"), Mapping) or not post["networks"]:
        return [f"Invalid post data: posts[{index}].networks must be a non-empty object"]
    accounts = post.get("accounts", [])
    if not isinstance(accounts, list) or (not accounts and state not in DRAFT_STATES):
        return [f"Invalid post data: posts[{index}].accounts must be a non-empty list"]
    return [
        f"Invalid post data: posts[{index}].accounts[{j}].id is required"
        for j, account in enumerate(accounts)
        if not isinstance(account, Mapping) or not account.get("id")
    ]


def parse_media_import(body: Any) -> dict[str, Any]:
    """The body of ``POST /media/from-url``, or :class:`BadRequest`."""
    media = body.get("media") if isinstance(body, Mapping) else None
    if not isinstance(media, list) or not media:
        raise BadRequest("Invalid request parameters: 'media' must be a non-empty list")
    for index, item in enumerate(media):
        if not isinstance(item, Mapping) or not isinstance(item.get("url"), str):
            raise BadRequest(f"Invalid request parameters: media[{index}].url is required")
    kind = body.get("type", "single")
    if kind not in MEDIA_IMPORT_TYPES:
        raise BadRequest(f"Invalid request parameters: type must be one of {', '.join(MEDIA_IMPORT_TYPES)}")
    data = dict(body)
    for camel, snake in (("directUpload", "direct_upload"), ("inLibrary", "in_library")):
        if camel in data and snake not in data:
            data[snake] = data.pop(camel)
    return data


# -- settling a post job ------------------------------------------------------------------------


@dataclass
class PostContext:
    """What settling a post job reads and updates.

    :param accounts: the workspace's accounts by id.
    :param index: the store's post index; every post placed is added to it at once, so later
        pairs of the same request see it.
    :param plan: the plan whose daily limits apply.
    :param fail_accounts: account id -> reason a post of it fails when it goes live.
    :param time_scale: ``publish_time_scale`` (how much faster scheduled posts go live).
    """

    accounts: dict[str, dict[str, Any]]
    index: PostIndex
    plan: str
    fail_accounts: Mapping[str, str] = field(default_factory=dict)
    time_scale: float = 1.0


@dataclass
class Outcome:
    posts: list[Post] = field(default_factory=list)
    failures: list[dict[str, Any]] = field(default_factory=list)
    hidden: list[dict[str, Any]] = field(default_factory=list)


def settle_posts(job: Job, ctx: PostContext) -> Outcome:
    """Place every (post, account) pair of the job's bulk request, in order."""
    bulk = job.request["bulk"]
    outcome = Outcome()
    for index, post in enumerate(bulk["posts"]):
        if "media" in post:
            outcome.hidden.append(_hidden_media_error(job, index))
            continue
        if not post.get("accounts"):
            _keep(outcome, ctx, _idea(job, post))
            continue
        for account_ref in post["accounts"]:
            _place(job, post, account_ref, bulk["state"], ctx, outcome)
    return outcome


def _hidden_media_error(job: Job, index: int) -> dict[str, Any]:
    return {
        "job_id": job.id,
        "post_index": index,
        "message": rules.HIDDEN_POST_MEDIA,
        "reason": "'media' given at post level instead of inside networks.<network>; post not created",
    }


def _keep(outcome: Outcome, ctx: PostContext, post: Post) -> None:
    outcome.posts.append(post)
    ctx.index.add(post)


def _place(
    job: Job, post: Mapping[str, Any], ref: Mapping[str, Any], bulk_state: str, ctx: PostContext, out: Outcome
) -> None:
    account_id = str(ref.get("id"))
    account = ctx.accounts.get(account_id)
    try:
        if account is None:
            raise rules.Refused(rules.MSG_NO_ACCOUNT)
        key, block = rules.content_block(post["networks"], str(account["provider"]))
        state = _target_state(job.endpoint, bulk_state, bool(ref.get("scheduled_at")))
        timeline = ctx.index.timeline(account_id)
        when, auto = _target_time(job, ref, state, timeline)
        if state not in DRAFT_STATES:
            rules.check_daily_limit(timeline, account, when or job.complete_at, ctx.plan)
    except rules.Refused as refused:
        out.failures.append(_failure(account_id, account, refused.message))
        return
    new = _new_post(job, post, account, key, block, state, when, auto)
    if isinstance(ref.get("labels"), list):  # accounts[].labels: names or ids
        new.labels = [label_object(label) for label in ref["labels"]]
    if new.state == "published":  # publish now: live at once, published or failed
        publishing.go_live(new, _failure_reason(new, ctx), new.post_link or "")
    elif new.state == "scheduled" and new.scheduled_at is not None:
        new.live_at = publishing.live_time(new.created_at, new.scheduled_at, ctx.time_scale)
    _keep(out, ctx, new)


def _failure_reason(post: Post, ctx: PostContext) -> str | None:
    return publishing.failure_reason(post.text, post.account_id, ctx.fail_accounts)


def _target_state(endpoint: str, bulk_state: str, has_time: bool) -> str:
    if endpoint == "publish" or bulk_state == "publish":
        return "scheduled" if has_time else "published"
    if bulk_state in DRAFT_STATES:
        return bulk_state
    return {"recurring": "recurring", "recycle": "recycling"}.get(bulk_state, "scheduled")


def _target_time(
    job: Job, ref: Mapping[str, Any], state: str, timeline: Timeline
) -> tuple[datetime | None, bool]:
    """(scheduled_at, auto-scheduled?) of one pair; raises Refused on a bad or taken time."""
    raw = ref.get("scheduled_at")
    if state == "published":
        return job.complete_at, False
    if not raw:
        return (None, False) if state in DRAFT_STATES else (rules.auto_slot(timeline, job.created_at), True)
    when = rules.scheduled_time(raw)
    if state not in DRAFT_STATES:
        rules.check_lead_time(when, job.created_at)
        rules.check_gap(timeline, when)
    return when, False


def _failure(account_id: str, account: Mapping[str, Any] | None, message: str) -> dict[str, Any]:
    return {
        "account_id": account_id,
        "account_name": account.get("name") if account else None,
        "provider": account.get("provider") if account else None,
        "message": message,
    }


def _new_post(
    job: Job,
    request_post: Mapping[str, Any],
    account: Mapping[str, Any] | None,
    key: str | None,
    block: Mapping[str, Any],
    state: str,
    when: datetime | None,
    auto: bool,
) -> Post:
    post_id = new_id(job.complete_at)
    raw_link = block.get("link")
    link: Mapping[str, Any] = raw_link if isinstance(raw_link, Mapping) else {}
    media = [m for m in block.get("media") or [] if isinstance(m, Mapping)]
    return Post(
        id=post_id,
        workspace_id=job.workspace_id,
        account_id=str(account["id"]) if account else None,
        account_name=str(account["name"]) if account else None,
        network=str(account["provider"]) if account else key,
        network_key=key,
        type=str(block.get("type") or "status"),
        text=str(block.get("text") or ""),
        state=state,
        scheduled_at=when,
        created_at=job.complete_at,
        job_id=job.id,
        title=block.get("title"),
        url=block.get("url") or link.get("url"),
        post_link=f"{job.base_url}/sandbox/posts/{post_id}" if state == "published" else None,
        has_media=bool(media),
        auto=auto,
        media=[dict(m) for m in media],
        link=dict(link) or None,
        recurring=_object(request_post.get("recurring")),
        recycling=_object(request_post.get("recycling")),
    )


def _object(value: Any) -> dict[str, Any] | None:
    return dict(value) if isinstance(value, Mapping) else None


def _idea(job: Job, post: Mapping[str, Any]) -> Post:
    """A draft without accounts (Publer's "idea"), from ``networks.default`` or the first network."""
    networks = post["networks"]
    key = "default" if "default" in networks else next(iter(networks))
    block = networks[key] if isinstance(networks[key], Mapping) else {}
    scheduled = job.request["bulk"]["state"]
    return _new_post(job, post, None, key, block, scheduled, None, False)


# -- settling a media import job ----------------------------------------------------------------


def settle_media(job: Job) -> tuple[list[Media], str | None]:
    """The media a from-url job imports, or an error when any URL cannot be fetched."""
    items = job.request["media"]
    bad = [str(i["url"]) for i in items if not is_fetchable(str(i["url"]))]
    if bad:
        return [], f"Could not download media from {', '.join(bad)}"
    direct = bool(job.request.get("direct_upload", False))
    return [_imported(job, item, direct) for item in items], None


def _imported(job: Job, item: Mapping[str, Any], direct_upload: bool) -> Media:
    url = str(item["url"])
    name = str(item.get("name") or name_from_url(url))
    return Media(
        id=new_id(job.complete_at),
        workspace_id=job.workspace_id,
        type=media_type(name) or media_type(name_from_url(url)) or "photo",
        name=name,
        path=url,
        created_at=job.complete_at,
        caption=item.get("caption"),
        source=item.get("source"),
        in_library=bool(job.request.get("in_library", False)),
        direct_upload=direct_upload,
    )
