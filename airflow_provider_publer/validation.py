"""Check a Publer bulk post body before anything is sent, and return a JSON-ready copy.

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
on its own. This module adds the rules of the request: the bulk state, publish-now, the
clock (at least one minute and at most five years ahead) and the one-minute gap between
posts on one account. The rules follow Publer's docs (reference §3, §6, §10.3) and accept
every form listed where their revisions disagree (§13). Unknown content types and extra
fields pass through untouched; the input is never changed.

No Airflow and no httpx are imported: this runs at DAG parse time and in plain unit tests.
pydantic and pendulum are imported by Airflow anyway; the models are built on the first
validation, not when a DAG file imports the operator.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pendulum
from pydantic import BaseModel, ValidationError

from airflow_provider_publer.exceptions import PublerValidationError
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
    "NETWORK_KEYS",
    "PUBLISH_NOW_STATES",
    "to_publer_timestamp",
    "validate_id",
    "validate_posts",
    "validate_workspace_id",
]

#: Keys accepted under ``posts[].networks`` (OpenAPI list plus ``default``), reference §6.5.
NETWORK_KEYS: frozenset[str] = frozenset(
    {
        "facebook",
        "instagram",
        "twitter",
        "linkedin",
        "pinterest",
        "google",
        "youtube",
        "tiktok",
        "wordpress_oauth",
        "wordpress_basic",
        "telegram",
        "mastodon",
        "threads",
        "bluesky",
        "default",
    }
)

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

#: What each kind of id is and where Publer lists it, found by a word in the field name.
_ID_KINDS: dict[str, tuple[str, str]] = {
    "workspace": ("an id from GET /workspaces", "GET /workspaces lists it"),
    "account": ("an account id from GET /accounts", "GET /accounts lists it"),
    "media": ("a media id from POST /media or GET /media", "Publer's media library lists it"),
    "job": ("the job_id POST /posts/schedule returned", "Publer returned it"),
    "post": ("a post id from GET /posts", "GET /posts lists it"),
}
_ANY_ID = ("an id Publer gave", "Publer lists it")

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


# -- public API ------------------------------------------------------------------------------------


def validate_posts(
    posts: Any,
    *,
    state: str = "scheduled",
    publish_now: bool = False,
    now: datetime | None = None,
    min_lead: timedelta = timedelta(minutes=1),
    max_posts: int | None = MAX_POSTS_PER_REQUEST,
) -> list[dict[str, Any]]:
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
    :return: a JSON-compatible deep copy; ``scheduled_at`` and every datetime in canonical form.
    """
    rules = _Rules(_check_state(state, publish_now), publish_now, _aware_now(now), min_lead)
    checked = [
        _check_post(raw, f"posts[{index}]", rules)
        for index, raw in enumerate(_coerce_posts(posts, max_posts))
    ]
    if not rules.is_draft:
        _check_gaps(checked)
    return [post.model_dump(mode="json", exclude_unset=True, by_alias=True) for post in checked]


def validate_workspace_id(workspace_id: Any) -> str | None:
    """``None`` or ``""`` -> ``None``; otherwise an id as :func:`validate_id` accepts it."""
    if workspace_id is None or workspace_id == "":
        return None
    return validate_id(workspace_id, field="workspace_id")


def validate_id(value: Any, *, field: str) -> str:
    """An id exactly as Publer lists it: a non-empty string without whitespace or control characters.

    Used for every id the provider sends: account, workspace, post, job and media ids. A
    trailing space or newline (a copy-paste slip) is refused here rather than answered by
    Publer with "Account not found".

    :param value: the id.
    :param field: the dotted path named in the error; its words (``workspace``, ``account``,
        ``media``, ``job``, ``post``) choose which of Publer's lists the message points to.
    :return: the id, unchanged.
    """
    lowered = field.lower()
    kind = next((_ID_KINDS[word] for word in _ID_KINDS if word in lowered), _ANY_ID)
    problem = _id_problem(value, kind)
    if problem:
        raise _error(field, problem)
    return str(value)


def _id_problem(value: Any, kind: tuple[str, str]) -> str | None:
    what, where = kind
    if not isinstance(value, str) or not value.strip():
        got = "None" if value is None else f"{_kind(value)} {value!r}"
        return f"must be a non-empty string ({what}), got {got}"
    if any(char.isspace() for char in value):
        return f"{value!r} contains whitespace; copy the id exactly as {where}"
    if any(unicodedata.category(char).startswith("C") for char in value):
        return f"{value!r} contains an invisible or control character; copy the id exactly as {where}"
    return None


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


# -- messages --------------------------------------------------------------------------------------


def _kind(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _listing(choices: Iterable[str]) -> str:
    return ", ".join(sorted(choices))


def _did_you_mean(value: Any, choices: Iterable[str]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def _error(field: str, message: str) -> PublerValidationError:
    return PublerValidationError(message, field=field)


def _looks_like_repr(text: str) -> bool:
    return text.lstrip().startswith(("[", "{")) and "'" in text[:200]


def _json_kind(value: Any) -> str:
    return "a JSON object" if isinstance(value, dict) else f"JSON {json.dumps(value)[:40]}"


def _preview(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")
