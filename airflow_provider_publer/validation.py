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
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pendulum
from pydantic import BaseModel, ValidationError

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.timestamps import now_utc, parse_timestamp, to_publer_timestamp

if TYPE_CHECKING:
    from airflow_provider_publer.models import Post

__all__ = [
    "ANALYTICS_ACCOUNT_TYPES",
    "BULK_STATES",
    "DRAFT_STATES",
    "GAP_RULE",
    "HASHTAG_INSIGHTS_SORTS",
    "MAX_DIRECT_UPLOAD_BYTES",
    "MAX_POSTS_PER_REQUEST",
    "MAX_SCHEDULE_AHEAD_YEARS",
    "MEDIA_EXTENSIONS",
    "MEDIA_LIST_TYPES",
    "MIN_GAP",
    "NETWORK_KEYS",
    "POST_INSIGHTS_SORTS",
    "POST_STATES",
    "PUBLISH_NOW_STATES",
    "SORT_TYPES",
    "UPDATE_FIELDS",
    "MediaFile",
    "ValidatedPosts",
    "interval_days",
    "to_publer_timestamp",
    "validate_account_ids",
    "validate_choice",
    "validate_date_range",
    "validate_id",
    "validate_media_file",
    "validate_media_urls",
    "validate_post_id",
    "validate_post_ids",
    "validate_post_update",
    "validate_posts",
    "validate_target_state",
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


# -- media, updates, deletes and insights ------------------------------------------------------------
#
# What the media, update, delete and analytics calls send is checked here too, before any request:
# a file that is missing or in a format Publer does not list, an upload over Publer's 200 MB limit,
# an update body with a field Publer's update endpoint does not take, a list of post ids with a
# blank one, an insights date range that ends before it starts.

#: File extensions ``POST /media`` takes (reference §10.1), with the kind of media each one is.
MEDIA_EXTENSIONS: Mapping[str, str] = {
    "jpg": "photo",
    "jpeg": "photo",
    "png": "photo",
    "gif": "gif",
    "mp4": "video",
    "mov": "video",
    "avi": "video",
    "pdf": "document",
    "doc": "document",
    "docx": "document",
    "ppt": "document",
    "pptx": "document",
}

#: Publer's limit for one file sent to ``POST /media`` (200 MB); larger files are imported from a URL.
MAX_DIRECT_UPLOAD_BYTES = 200 * 1024 * 1024

#: Fields ``PUT /posts/{id}`` takes under ``post`` (reference §5.7, the newer "Update Posts" page).
UPDATE_FIELDS: frozenset[str] = frozenset(
    {
        "type",
        "text",
        "url",
        "title",
        "excerpt",
        "question",
        "duration",
        "featured_media",
        "media",
        "link",
        "labels",
    }
)

#: Base post states (``GET /posts``, reference §5.4); sub-states such as ``published_posted`` start with one.
POST_STATES: frozenset[str] = frozenset(
    {"scheduled", "published", "draft", "failed", "recycling", "recurring"}
)

#: ``sort_by`` values of ``GET /analytics/{account_id}/post_insights`` (reference §11).
POST_INSIGHTS_SORTS: frozenset[str] = frozenset(
    {
        "scheduled_at",
        "reach",
        "engagement",
        "engagement_rate",
        "click_through_rate",
        "reach_rate",
        "postType",
        "likes",
        "video_views",
        "comments",
        "shares",
        "saves",
        "link_clicks",
        "post_clicks",
    }
)

_URL_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class MediaFile:
    """A file checked for ``POST /media``: it exists, Publer takes its format, it is within 200 MB.

    :param source: where to read it: a :class:`pathlib.Path`, or the ``ObjectStoragePath`` given.
    :param name: the file name Publer receives (``name`` argument, else the file's own name).
    :param size: its size in bytes.
    :param kind: ``photo``, ``gif``, ``video`` or ``document``, from the extension.
    """

    source: Any
    name: str
    size: int
    kind: str

    @property
    def content_type(self) -> str:
        """The MIME type sent with the file (from its name; ``application/octet-stream`` if unknown)."""
        import mimetypes

        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    def read(self) -> bytes:
        """The file's bytes, read anew at each call (an upload may be sent again after a failed connect)."""
        with self.source.open("rb") as handle:
            data: bytes = handle.read()
        return data


def validate_media_file(
    file: Any,
    *,
    name: str | None = None,
    field: str = "file",
    max_bytes: int = MAX_DIRECT_UPLOAD_BYTES,
) -> MediaFile:
    """Check one file for ``POST /media`` (direct upload) before anything is sent.

    :param file: a local path (``str`` or :class:`os.PathLike`) or an Airflow ``ObjectStoragePath``
        (any object with ``open``, ``exists``, ``is_file``, ``stat`` and ``name``, so files in object
        storage work).
    :param name: the file name Publer should record; its extension decides the format when given.
    :param field: the name in the error, e.g. ``files[2]``.
    :param max_bytes: the upload limit (Publer: 200 MB).
    :raises PublerValidationError: the file is missing or not a file, its format is not one Publer
        lists (jpg, jpeg, png, gif, mp4, mov, avi, pdf, doc, docx, ppt, pptx), or it is over the
        limit (the message suggests importing it from a URL).
    """
    source = _media_source(file, field)
    label = str(file)
    try:
        exists = bool(source.exists()) and bool(source.is_file())
    except OSError as err:
        raise _error(
            field, f"{label} cannot be read ({type(err).__name__}: {err}); check the path and access"
        ) from None
    if not exists:
        relative = isinstance(source, Path) and not source.is_absolute()
        where = " (a relative path starts in the worker's working directory)" if relative else ""
        raise _error(field, f"{label} does not exist or is not a file; check the path{where}")
    upload_name = name if name is not None else str(source.name)
    if not isinstance(upload_name, str) or not upload_name.strip():
        raise _error(
            f"{field}.name" if name is not None else field,
            f"needs a file name with an extension, got {upload_name!r}",
        )
    extension = upload_name.rsplit(".", 1)[-1].lower() if "." in upload_name else ""
    kind = MEDIA_EXTENSIONS.get(extension)
    if kind is None:
        shown = f"'.{extension}'" if extension else "no extension"
        raise _error(
            field,
            f"{label} has {shown}, a format Publer does not take; Publer takes "
            f"{', '.join(MEDIA_EXTENSIONS)} (convert the file, or give name='<name>.<extension>' if the "
            "extension is only missing from the path)",
        )
    size = int(source.stat().st_size)
    if size > max_bytes:
        raise _error(
            field,
            f"{label} is {_megabytes(size)}, over Publer's {_megabytes(max_bytes)} limit for direct uploads "
            "(POST /media answers 413). Put the file where Publer can download it (a public or pre-signed "
            "URL) and import it from the URL instead: urls=['https://...'] / PublerHook.import_media()",
        )
    return MediaFile(source=source, name=upload_name, size=size, kind=kind)


def validate_media_urls(urls: Any, *, field: str = "urls") -> list[dict[str, Any]]:
    """Check the URLs of ``POST /media/from-url`` and build its ``media`` items.

    :param urls: URLs (``str``), or dicts ``{"url", "name", "caption", "source"}`` (Publer's item);
        a single string is one URL.
    :return: ``[{"url", "name", ...}]``: every item has a ``name`` (Publer requires one), by default
        the last part of the URL's path.
    :raises PublerValidationError: not a list, empty, or an item that is not an http(s) URL.
    """
    items = [urls] if isinstance(urls, (str, Mapping)) else urls
    if not isinstance(items, (list, tuple)) or not items:
        raise _error(field, f"must be a non-empty list of http(s) URLs, got {_kind(urls)} {_shown(urls)}")
    out = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        entry = dict(item) if isinstance(item, Mapping) else {"url": item}
        url = entry.get("url")
        if (
            not isinstance(url, str)
            or not url.strip().lower().startswith(_URL_SCHEMES)
            or any(c.isspace() for c in url.strip())
        ):
            raise _error(
                f"{where}.url" if isinstance(item, Mapping) else where,
                f"must be an http(s) URL Publer can download, got {_kind(url)} {_shown(url)}; "
                "local files go in files= (direct upload)",
            )
        entry["url"] = url.strip()
        name = entry.get("name") or _name_from_url(entry["url"])
        if not isinstance(name, str):
            raise _error(f"{where}.name", f"must be a string, got {_kind(name)}")
        entry["name"] = name
        out.append(entry)
    return out


def validate_post_update(post: Any, *, field: str = "post") -> dict[str, Any]:
    """Check the body of ``PUT /posts/{id}``; return the ``post`` object to send.

    :param post: the fields to change: any of ``type, text, url, title, excerpt, question, duration,
        featured_media, media, link, labels`` (reference §5.7). ``{"post": {...}}`` is unwrapped.
    :raises PublerValidationError: not a dict, empty, an unknown field (with the closest known
        one), a blank ``text``, or a ``media``/``labels`` that is not a list, a ``link`` or
        ``featured_media`` that is not a dict.
    """
    if isinstance(post, Mapping) and set(post) == {"post"} and isinstance(post["post"], Mapping):
        post = post["post"]
    if isinstance(post, BaseModel):
        post = post.model_dump(exclude_none=True, by_alias=True)
    if not isinstance(post, Mapping):
        raise _error(
            field, f'must be a dict of the fields to change, e.g. {{"text": "New text"}}, got {_kind(post)}'
        )
    if not post:
        raise _error(field, f"is empty; give at least one field to change ({_listing(UPDATE_FIELDS)})")
    for key in post:
        if key not in UPDATE_FIELDS:
            raise _error(
                f"{field}.{key}",
                f"is not a field PUT /posts/{{id}} takes{_did_you_mean(key, UPDATE_FIELDS)}; "
                f"use {_listing(UPDATE_FIELDS)}",
            )
    text = post.get("text")
    if "text" in post and (not isinstance(text, str) or not text.strip()):
        raise _error(
            f"{field}.text",
            f'must be non-empty text (Publer answers 422 "Text can\'t be blank"), got {_kind(text)} {text!r}',
        )
    for key, kind, example in (
        ("media", (list, tuple), '[{"id": "<media id>"}]'),
        ("labels", (list, tuple), '["launch"]'),
        ("link", (Mapping,), '{"url": "https://..."}'),
        ("featured_media", (Mapping,), '{"path": "https://..."}'),
    ):
        if key in post and not isinstance(post[key], kind):
            raise _error(f"{field}.{key}", f"must be like {example}, got {_kind(post[key])}")
    for index, item in enumerate(post.get("media") or ()):
        if not isinstance(item, Mapping) or not (item.get("id") or item.get("path")):
            raise _error(f"{field}.media[{index}]", 'needs "id" (from POST /media or GET /media) or "path"')
    copied = _jsonable(dict(post), field)
    return dict(copied)


def validate_post_ids(post_ids: Any, *, field: str = "post_ids") -> list[str]:
    """One post id or a list of them, each exactly as ``GET /posts`` lists it; duplicates dropped.

    :raises PublerValidationError: nothing given, or an id that is blank, not a string, or holds
        whitespace (the message names its index).
    """
    items = [post_ids] if isinstance(post_ids, str) else post_ids
    if not isinstance(items, (list, tuple)) or not items:
        raise _error(
            field,
            f"must be a post id or a non-empty list of post ids (from GET /posts), got {_kind(post_ids)} "
            f"{_shown(post_ids)}; if it comes from XCom, check that the upstream task pushed it",
        )
    ids = [validate_post_id(item, field=f"{field}[{index}]") for index, item in enumerate(items)]
    return list(dict.fromkeys(ids))


def validate_post_id(post_id: Any, *, field: str = "post_id") -> str:
    """One post id as ``GET /posts`` lists it; ``"None"`` (an XCom that was never pushed, rendered
    by a template) is refused with that hint.

    :raises PublerValidationError: not a single id, ``None``/``"None"``, blank, or holding whitespace.
    """
    if post_id is None or post_id == "None":
        raise _error(
            field,
            f"must be a post id (from GET /posts), got {post_id!r}; if it comes from XCom, check that the "
            "upstream task pushed it",
        )
    if isinstance(post_id, (list, tuple)):
        raise _error(
            field, f"must be one post id, got a {_kind(post_id)} of {len(post_id)}: {_shown(post_id)}"
        )
    return validate_id(post_id, field=field)


def validate_account_ids(account_ids: Any, *, field: str = "account_ids") -> list[str]:
    """One account id or a non-empty list of them (``GET /accounts``); duplicates dropped."""
    items = [account_ids] if isinstance(account_ids, str) else account_ids
    if isinstance(items, (list, tuple)) and items and all(isinstance(a, Mapping) for a in items):
        items = [a.get("id") for a in items]  # the accounts themselves, as list_accounts() returns them
    if not isinstance(items, (list, tuple)) or not items:
        raise _error(
            field,
            "must be an account id or a non-empty list of account ids (GET /accounts), got "
            f"{_kind(account_ids)} {_shown(account_ids)}",
        )
    return list(
        dict.fromkeys(validate_id(item, field=f"{field}[{index}]") for index, item in enumerate(items))
    )


def validate_date_range(from_: Any, to: Any, *, field: str = "from_") -> tuple[str, str]:
    """The ``from``/``to`` of an analytics request as Publer wants them: ``YYYY-MM-DD``, both given.

    Publer answers ``post_insights`` without them with HTTP 500 and ``best_times`` with ``[]``
    (reference §13.15), so both are required.

    :param from_: the first day: a ``date``, a ``datetime`` (its own calendar day) or ISO text.
    :param to: the last day, included.
    :raises PublerValidationError: a missing or unreadable bound, or ``from_`` after ``to``.
    """
    first = _day(from_, field)
    last = _day(to, "to" if field == "from_" else f"{field}.to")
    if first > last:
        raise _error(field, f"{first.isoformat()} is after to={last.isoformat()}; swap them")
    return first.isoformat(), last.isoformat()


def interval_days(start: Any, end: Any) -> tuple[str, str]:
    """The days a DAG run's data interval covers, as ``(from, to)`` for Publer (``to`` included).

    An interval ``[start, end)`` whose end falls exactly on midnight ends on the day before
    (a weekly run's interval ``[Mon 00:00, Mon 00:00)`` is Monday to Sunday). A zero-length
    interval (a manual run, or a trigger timetable) is the one day of ``start``.
    """
    first = parse_timestamp(start, field="data_interval_start")
    last = parse_timestamp(end, field="data_interval_end")
    if last > first and last.time() == datetime.min.time():
        last = last.subtract(microseconds=1)
    return validate_date_range(first, last, field="from_")


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


def validate_choice(value: Any, choices: Iterable[str], *, field: str) -> str | None:
    """``None``, or one of ``choices`` (e.g. ``sort_by``), with the closest one suggested."""
    if value is None:
        return None
    options = sorted(choices)
    if not isinstance(value, str) or value not in options:
        raise _error(
            field,
            f"{value!r} is not accepted{_did_you_mean(value, options)}; use one of {', '.join(options)}",
        )
    return value


def _media_source(file: Any, field: str) -> Any:
    """A readable path object for ``file``; str and os.PathLike become pathlib Paths."""
    import os

    if isinstance(file, str):
        text = file.strip()
        if not text:
            raise _error(field, "is an empty path; give the file's path or an ObjectStoragePath")
        if text.lower().startswith(_URL_SCHEMES):
            raise _error(field, f"{text!r} is a URL; files= takes files, import URLs with urls=[...] instead")
        if "://" in text:
            raise _error(
                field,
                f"{text!r} is an object-storage URL; wrap it so Airflow can read it: "
                f"ObjectStoragePath({text!r}, conn_id='<connection>')",
            )
        return Path(text)
    if hasattr(file, "protocol") and all(hasattr(file, a) for a in ("open", "exists", "is_file", "stat")):
        return file  # an ObjectStoragePath (a universal_pathlib path): read through its filesystem
    if isinstance(file, os.PathLike):
        return Path(os.fspath(file))
    raise _error(field, f"must be a file path or an ObjectStoragePath, got {_kind(file)} {_shown(file)}")


def _name_from_url(url: str) -> str:
    from pathlib import PurePosixPath
    from urllib.parse import unquote, urlsplit

    return PurePosixPath(unquote(urlsplit(url).path)).name or "media"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size % (1024 * 1024) else f"{size // (1024 * 1024)} MB"


def _day(value: Any, field: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and value.strip():
        text = value.strip()
        try:
            parsed = pendulum.parse(text, exact=True)
        except (ValueError, TypeError, OverflowError):
            parsed = None
        if isinstance(parsed, datetime):
            return parsed.date()
        if isinstance(parsed, date):
            return parsed
        raise _error(field, f"{text!r} is not a date; write YYYY-MM-DD (e.g. '2030-01-31') or give a date")
    raise _error(
        field,
        f"is required: a date (YYYY-MM-DD, a date or a datetime), got {_kind(value)}; Publer answers "
        "analytics without from/to with an error or nothing",
    )


#: ``account_type`` values of ``GET /analytics/charts`` (reference §11).
ANALYTICS_ACCOUNT_TYPES: frozenset[str] = frozenset(
    {
        "ig_business",
        "fb_page",
        "twitter",
        "linkedin",
        "youtube",
        "tiktok",
        "google",
        "pin_business",
        "pin_personal",
        "threads",
        "wordpress_oauth",
        "in_profile",
        "in_page",
        "mastodon",
        "bluesky",
    }
)

#: ``types[]`` of ``GET /media`` (reference §10.4).
MEDIA_LIST_TYPES: frozenset[str] = frozenset({"photo", "video", "gif"})

#: ``sort_by`` values of ``GET /analytics/{account_id}/hashtag_insights`` (reference §11).
HASHTAG_INSIGHTS_SORTS: frozenset[str] = frozenset(
    {"posts", "reach", "likes", "comments", "shares", "video_views"}
)

#: ``sort_type`` of the analytics lists.
SORT_TYPES: frozenset[str] = frozenset({"ASC", "DESC"})


def _shown(value: Any, limit: int = 60) -> str:
    """A value as the error shows it: its repr, cut at ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."
