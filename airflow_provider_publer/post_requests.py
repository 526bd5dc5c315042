"""The rules of a request that creates or changes posts, checked before anything is sent.

Why this module exists: ``POST /posts/schedule`` is asynchronous. Publer often does not
refuse a malformed body with a 400; it answers with a job id and the job later reports
"complete" with a per-account failure, or with nothing created at all (``media`` at post
level is the known case). Retrying the Airflow task repeats the same failure, and a bulk
that was half accepted is hard to undo. So the operator and the hook check the whole
``bulk.posts`` list first and send nothing if any part is wrong. Every error names the
field path (``posts[2].accounts[0].scheduled_at``, which holds the post index), says what
is wrong and how to fix it.

Each post, a dict or a :mod:`~airflow_provider_publer.models` instance, is first copied into
JSON types (every datetime in Publer's ``YYYY-MM-DDTHH:MM:SS+HH:MM`` form), then read into a
:class:`~airflow_provider_publer.models.Post`, which types it and holds the rules of a post
on its own; an update (``PUT /posts/{id}``) is read into a
:class:`~airflow_provider_publer.models.PostUpdate` the same way. This module adds the rules of
the request: the bulk state, publish-now, the clock (at least one minute and at most five years
ahead) and the one-minute gap between posts on one account. The rules follow Publer's docs
(reference §3, §6, §10.3) and accept every form listed where their revisions disagree (§13).
Unknown content types and extra fields pass through untouched; the input is never changed.

Imports point one way: this module uses the models, the models never use it. The models are
imported on the first validation, not when a DAG file imports an operator (they cost about
30 ms to build); no Airflow and no httpx are imported.
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pendulum
from pydantic import BaseModel, ValidationError

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.messages import did_you_mean as _did_you_mean
from airflow_provider_publer.messages import error as _error
from airflow_provider_publer.messages import json_kind as _json_kind
from airflow_provider_publer.messages import kind as _kind
from airflow_provider_publer.messages import listing as _listing
from airflow_provider_publer.messages import preview as _preview
from airflow_provider_publer.timestamps import now_utc, parse_timestamp, to_publer_timestamp

if TYPE_CHECKING:
    from airflow_provider_publer.models import Post

__all__ = [
    "BULK_STATES",
    "DRAFT_STATES",
    "GAP_RULE",
    "MAX_POSTS_PER_REQUEST",
    "MAX_SCHEDULE_AHEAD_YEARS",
    "MIN_GAP",
    "POST_STATES",
    "PUBLISH_NOW_STATES",
    "ValidatedPosts",
    "validate_post_update",
    "validate_posts",
    "validate_target_state",
]

#: Publer's limit of posts in one bulk request ("up to 500 posts in a single API call").
MAX_POSTS_PER_REQUEST = 500

#: Every ``bulk.state`` some revision of Publer's docs lists (reference §13.8).
BULK_STATES: frozenset[str] = frozenset(
    {"scheduled", "draft", "draft_private", "draft_public", "recurring", "auto", "recycle", "publish"}
)

#: Draft states; a draft without accounts is an "idea" and needs ``networks.default``.
DRAFT_STATES: frozenset[str] = frozenset({"draft", "draft_private", "draft_public"})

#: States that ``POST /posts/schedule/publish`` accepts ("must be scheduled"; the Link page adds publish).
PUBLISH_NOW_STATES: frozenset[str] = frozenset({"scheduled", "publish"})

#: Publer's own words when two posts on one account are less than a minute apart.
GAP_RULE = "There's another post at this time. A one minute gap is required between posts"

#: Smallest gap Publer allows between two posts on one account.
MIN_GAP = timedelta(minutes=1)

#: How far ahead Publer schedules on the Business plan, the one with API access (reference §3:
#: Free 7 days, Professional 1 year, Business 5 years).
MAX_SCHEDULE_AHEAD_YEARS = 5

#: Base post states (``GET /posts``, reference §5.4); sub-states such as ``published_posted`` start with one.
POST_STATES: frozenset[str] = frozenset(
    {"scheduled", "published", "draft", "failed", "recycling", "recurring"}
)

_TEMPLATE_FIX = (
    "the template rendered to a string. Set render_template_as_native_obj=True on the DAG, "
    "or return the list from the upstream task and pass it as posts=upstream_task.output"
)


@dataclass(frozen=True)
class _Rules:
    state: str
    publish_now: bool
    now: pendulum.DateTime
    min_lead: timedelta

    @cached_property
    def earliest(self) -> pendulum.DateTime:
        return self.now + self.min_lead

    @cached_property
    def latest(self) -> pendulum.DateTime:
        """Five years from the later of ``now`` and the clock: a ``now`` in the past never narrows it."""
        return max(self.now, now_utc()).add(years=MAX_SCHEDULE_AHEAD_YEARS)

    @property
    def is_draft(self) -> bool:
        return self.state in DRAFT_STATES


@dataclass(frozen=True)
class _Slot:
    account_id: str
    when: datetime
    field: str

    @property
    def value(self) -> str:
        return to_publer_timestamp(self.when, field=self.field)


class ValidatedPosts(list[dict[str, Any]]):
    """A ``bulk.posts`` list that :func:`validate_posts` checked: JSON-ready post dicts.

    It remembers what it was checked for (``state``, ``publish_now``), so the hook sends it as it
    is when it is sent that way, and checks it again otherwise: a bulk request is validated once.

    :param posts: the checked posts.
    :param state: the ``bulk.state`` they were checked for.
    :param publish_now: whether they were checked for ``POST /posts/schedule/publish``.
    """

    def __init__(self, posts: Iterable[dict[str, Any]], *, state: str, publish_now: bool) -> None:
        super().__init__(posts)
        self.state = state
        self.publish_now = publish_now

    def checked_for(self, state: str, publish_now: bool) -> bool:
        """Whether these posts were checked for this ``state`` and endpoint."""
        return self.state == state and self.publish_now == publish_now

    def batches(self, size: int) -> list[ValidatedPosts]:
        """Requests of at most ``size`` posts, each post whole, in order; each still validated."""
        return [
            ValidatedPosts(self[i : i + size], state=self.state, publish_now=self.publish_now)
            for i in range(0, len(self), size)
        ]


# -- public API ------------------------------------------------------------------------------------


def validate_posts(
    posts: Any,
    *,
    state: str = "scheduled",
    publish_now: bool = False,
    now: datetime | None = None,
    min_lead: timedelta = timedelta(minutes=1),
    max_posts: int | None = MAX_POSTS_PER_REQUEST,
) -> ValidatedPosts:
    """Validate and normalise the bulk.posts list; raise PublerValidationError naming post, field and fix.

    :param posts: the ``bulk.posts`` list of dicts and/or :class:`~airflow_provider_publer.models.Post`
        instances (a tuple, or a string holding a JSON list, also works).
    :param state: the ``bulk.state`` the posts are sent with.
    :param publish_now: the posts go to ``POST /posts/schedule/publish`` (no ``scheduled_at``).
    :param now: the current time (timezone-aware); defaults to the clock. The five-year limit is
        counted from the later of ``now`` and the clock, so a ``now`` in the past never narrows it.
    :param min_lead: how far ahead of ``now`` a ``scheduled_at`` must be. Drafts are not checked
        against the clock nor against each other: they take no publishing slot.
    :param max_posts: how many posts one request may hold (Publer's limit); ``None`` for a caller
        that splits the list into requests itself.
    :return: a JSON-compatible deep copy (a :class:`ValidatedPosts` list); ``scheduled_at`` and
        every datetime in canonical form.
    :raises PublerValidationError: naming the first problem, with the first problem of every other
        bad post in ``more`` (and listed in the message).
    """
    rules = _Rules(_check_state(state, publish_now), publish_now, _aware_now(now), min_lead)
    checked: list[Post] = []
    problems: list[PublerValidationError] = []
    for index, raw in enumerate(_coerce_posts(posts, max_posts)):
        try:
            checked.append(_check_post(raw, f"posts[{index}]", rules))
        except PublerValidationError as err:
            problems.append(err)
    if problems:  # every post's first problem, so that a calendar is fixed in one pass
        first = problems[0]
        raise PublerValidationError(first.problem, field=first.field, more=problems[1:])
    if not rules.is_draft:
        _check_gaps(checked)
    return ValidatedPosts(
        (post.model_dump(mode="json", exclude_unset=True, by_alias=True) for post in checked),
        state=rules.state,
        publish_now=publish_now,
    )


def validate_post_update(post: Any, *, field: str = "post", network: str | None = None) -> dict[str, Any]:
    """Check the body of ``PUT /posts/{id}`` with :class:`~airflow_provider_publer.models.PostUpdate`;
    return the ``post`` object to send.

    :param post: the fields to change: any of ``type, text, url, title, excerpt, question, duration,
        featured_media, media, link, labels`` (reference §5.7), as a dict or a ``PostUpdate``.
        ``{"post": {...}}`` is unwrapped.
    :param field: the name in the errors.
    :param network: the network key of the post (``twitter``...), when known: ``text`` is then
        checked against that network's limit, counted as it counts.
    :raises PublerValidationError: not a dict, empty, an unknown field (with the closest known
        one), a blank or too long ``text``, or a ``media``/``labels`` that is not a list, a ``link``
        or ``featured_media`` that is not a dict, a media item without ``id`` or ``path``.
    """
    from airflow_provider_publer.models import PostUpdate  # the models load on first use, not at DAG parse

    if isinstance(post, Mapping) and set(post) == {"post"} and isinstance(post["post"], Mapping):
        post = post["post"]
    copied = _jsonable(post, field) if isinstance(post, (Mapping, BaseModel)) else post
    try:
        update = PostUpdate.model_validate(copied, strict=True, context={"network": network})
    except ValidationError as err:
        raise _located(err, field) from None
    return update.model_dump(mode="json", exclude_unset=True, by_alias=True)


def validate_target_state(state: Any, *, field: str = "target_state") -> str:
    """A base post state: ``published``, ``scheduled``, ``draft``, ``failed``, ``recycling`` or ``recurring``.

    :raises PublerValidationError: another value (the closest state is suggested).
    """
    if not isinstance(state, str) or state not in POST_STATES:
        raise _error(
            field,
            f"{state!r} is not a post state{_did_you_mean(state, POST_STATES)}; "
            f"use one of {_listing(POST_STATES)}",
        )
    return state


def _aware_now(now: datetime | None) -> pendulum.DateTime:
    return now_utc() if now is None else parse_timestamp(now, field="now")


# -- the list and the state ------------------------------------------------------------------------


def _check_state(state: Any, publish_now: bool) -> str:
    if not isinstance(state, str) or state not in BULK_STATES:
        raise _error(
            "state",
            f"{state!r} is not a bulk.state Publer accepts{_did_you_mean(state, BULK_STATES)}; "
            f"use one of {_listing(BULK_STATES)}",
        )
    if publish_now and state not in PUBLISH_NOW_STATES:
        raise _error(
            "state",
            f"publish-now (POST /posts/schedule/publish) needs state 'scheduled', got {state!r}; "
            "set state='scheduled', or publish_now=False to create drafts or recurring posts",
        )
    return state


def _coerce_posts(posts: Any, max_posts: int | None) -> list[Any]:
    if isinstance(posts, str):
        posts = _parse_json_posts(posts)
    if isinstance(posts, (Mapping, BaseModel)):
        raise _error("posts", "is a single post (a dict) but must be a list of posts; wrap it: posts=[{...}]")
    if not isinstance(posts, (list, tuple)):
        raise _error(
            "posts",
            f"must be a list of post dicts, got {_kind(posts)}; pass "
            'posts=[{"networks": {...}, "accounts": [{"id": "<account id>"}]}]',
        )
    if not posts:
        raise _error("posts", "is empty; give at least one post")
    if max_posts is not None and len(posts) > max_posts:
        raise _error(
            "posts",
            f"has {len(posts)} posts but Publer accepts at most {max_posts} per request; "
            f"split them into batches of at most {max_posts} (e.g. one mapped task per batch)",
        )
    return list(posts)


def _parse_json_posts(text: str) -> Any:
    try:
        value = json.loads(text)
    except ValueError:
        looks = " (it looks like a Python repr, not JSON)" if _looks_like_repr(text) else ""
        raise _error(
            "posts", f"is a string that is not JSON{looks} ({_preview(text)}); {_TEMPLATE_FIX}"
        ) from None
    if not isinstance(value, list):
        raise _error(
            "posts",
            f"is a string holding {_json_kind(value)}, not a JSON list of posts; {_TEMPLATE_FIX} "
            "(and wrap a single post in a list)",
        )
    return value


# -- one post --------------------------------------------------------------------------------------


def _check_post(raw: Any, path: str, rules: _Rules) -> Post:
    from airflow_provider_publer.models import Post  # the models load on first use, not at DAG parse

    if not isinstance(raw, (Mapping, BaseModel)):
        hint = "; flatten nested lists" if isinstance(raw, (list, tuple)) else ""
        raise _error(path, f"must be a dict with 'networks' and 'accounts', got {_kind(raw)}{hint}")
    try:
        post = Post.model_validate(_jsonable(raw, path), strict=True)
    except ValidationError as err:
        raise _located(err, path) from None
    _check_accounts(post, path, rules)
    _check_recurring(post, path, rules)
    return post


def _located(error: ValidationError, path: str) -> PublerValidationError:
    """The first error pydantic found, with its whole path and the rule's own message."""
    first = error.errors(include_url=False)[0]
    where = path + "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"])
    cause = first.get("ctx", {}).get("error")
    if not isinstance(cause, PublerValidationError):
        value = first["input"]
        shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:60] + "..."
        got = "None" if value is None else f"{_kind(value)} {shown}"
        return _error(where, f"{first['msg']}, got {got}; fix it or omit it")
    suffix = cause.field or ""
    message = str(cause).removeprefix(f"{suffix}: ") if suffix else str(cause)
    return _error(f"{where}{'' if suffix.startswith('[') or not suffix else '.'}{suffix}", message)


def _check_accounts(post: Post, path: str, rules: _Rules) -> None:
    accounts = post.accounts
    if not accounts:
        if rules.is_draft and "default" in post.networks:
            return  # an idea: a draft for no account
        raise _error(
            f"{path}.accounts", f"is {'missing' if accounts is None else 'empty'}; {_accounts_fix(rules)}"
        )
    for index, account in enumerate(accounts):
        if account.scheduled_at is None:
            continue
        field = f"{path}.accounts[{index}].scheduled_at"
        if rules.publish_now:
            raise _error(
                field,
                "must be omitted for publish-now (POST /posts/schedule/publish publishes immediately); "
                "remove scheduled_at, or set publish_now=False to schedule",
            )
        if not rules.is_draft:
            _check_window(account.scheduled_at, field, rules)


def _accounts_fix(rules: _Rules) -> str:
    listing = 'list the accounts to post to, e.g. [{"id": "<account id from GET /accounts>"}]'
    if rules.is_draft:
        return (
            f"a draft without accounts (an idea) needs networks.default: add a 'default' block or {listing}"
        )
    return listing


def _check_window(when: datetime, field: str, rules: _Rules) -> None:
    """Publer takes ``scheduled_at`` (to the second, as sent) from ``now + min_lead`` to five years ahead."""
    sent = when.replace(microsecond=0)
    if sent < rules.earliest:
        problem = "in the past" if sent < rules.now else "too soon"
        raise _error(
            field,
            f"{to_publer_timestamp(sent, field=field)} is {problem}: Publer needs scheduled_at at least one "
            f"minute in the future; now is {to_publer_timestamp(rules.now, field='now')}, so the earliest "
            f"accepted time is {to_publer_timestamp(rules.earliest, field='now')}. Pick a later time, or "
            "omit scheduled_at and set publish_now=True to publish immediately",
        )
    if sent > rules.latest:
        raise _error(
            field,
            f"{to_publer_timestamp(sent, field=field)} is too far ahead: Publer schedules at most "
            f"{MAX_SCHEDULE_AHEAD_YEARS} years ahead (Business plan; Free 7 days, Professional 1 year), so "
            f"the latest accepted time is {to_publer_timestamp(rules.latest, field='now')}. "
            "Pick an earlier time",
        )


def _check_gaps(posts: list[Post]) -> None:
    slots = sorted(_slots(posts), key=lambda slot: (slot.account_id, slot.when))
    for first, second in itertools.pairwise(slots):
        if first.account_id == second.account_id and second.when - first.when < MIN_GAP:
            raise _error(
                second.field,
                f"account {second.account_id} is scheduled at {second.value}, less than a minute from its "
                f'post at {first.value} ({first.field}); Publer refuses this: "{GAP_RULE}". '
                "Space posts on one account at least one minute apart",
            )


def _slots(posts: list[Post]) -> Iterator[_Slot]:
    for post_index, post in enumerate(posts):
        for account_index, account in enumerate(post.accounts or []):
            if account.scheduled_at is not None:
                field = f"posts[{post_index}].accounts[{account_index}].scheduled_at"
                yield _Slot(account.id, account.scheduled_at.replace(microsecond=0), field)


def _check_recurring(post: Post, path: str, rules: _Rules) -> None:
    if rules.state != "recurring":
        return
    where = f"{path}.recurring"
    recurring = post.recurring
    example = '{"start_date": "2030-01-01T12:00:00+00:00", "repeat": "weekly", "repeat_rate": 1}'
    if recurring is None:
        raise _error(where, f'state "recurring" needs a "recurring" object like {example}, got None')
    if not recurring.start_date:
        raise _error(f"{where}.start_date", f'is missing; state "recurring" needs it, e.g. {example}')
    if not (recurring.repeat or recurring.frequency):
        raise _error(
            f"{where}.repeat",
            'is missing; give "repeat" (daily, weekly, monthly or yearly) or the older "frequency"',
        )


# -- JSON copy -------------------------------------------------------------------------------------


def _jsonable(value: Any, path: str) -> Any:
    """Deep copy holding JSON types only; datetimes become Publer timestamps, dates ISO dates."""
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _error(path, f"is {value!r}, which JSON cannot carry; give a finite number")
        return value
    if isinstance(value, datetime):
        return to_publer_timestamp(value, field=path)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, BaseModel):
        value = value.model_dump(exclude_none=True, by_alias=True)
    if isinstance(value, Mapping):
        return {_json_key(key, path): _jsonable(item, f"{path}.{key}") for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item, f"{path}[{index}]") for index, item in enumerate(value)]
    raise _error(path, _not_json(value))


def _json_key(key: Any, path: str) -> str:
    if not isinstance(key, str):
        raise _error(path, f"has the key {key!r} ({_kind(key)}); JSON object keys must be strings")
    return key


def _not_json(value: Any) -> str:
    if isinstance(value, (set, frozenset)):
        return "is a set, which JSON cannot carry; use a list"
    if isinstance(value, (bytes, bytearray)):
        return "is bytes, which JSON cannot carry; decode it to a str"
    return (
        f"is a {_kind(value)} object, which is not JSON-serialisable; Publer takes JSON only, so give a "
        "string, number, bool, None, list or dict"
    )


def _looks_like_repr(text: str) -> bool:
    return text.lstrip().startswith(("[", "{")) and "'" in text[:200]
