"""Check a Publer bulk post body before anything is sent, and return a JSON-ready copy.

Why this module exists: ``POST /posts/schedule`` is asynchronous. Publer often does not
refuse a malformed body with a 400; it answers with a job id and the job later reports
"complete" with a per-account failure, or with nothing created at all (``media`` at post
level is the known case). Retrying the Airflow task repeats the same failure, and a bulk
that was half accepted is hard to undo. So the operator and the hook check the whole
``bulk.posts`` list first and send nothing if any part is wrong. Every error names the
field path (``posts[2].accounts[0].scheduled_at``, which holds the post index), says what
is wrong and how to fix it.

The rules follow Publer's docs (reference §3, §6, §10.3) and accept every form listed
where their revisions disagree (§13). Unknown content types and extra fields pass through
untouched: Publer adds them faster than a client can follow.

The result is a deep copy holding only JSON types, with every datetime turned into
Publer's ``YYYY-MM-DDTHH:MM:SS+HH:MM`` form; the input is never changed.

Only the standard library is imported (no Airflow, no httpx): this runs at DAG parse time
and in plain unit tests. pendulum DateTimes work because they subclass ``datetime``.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from airflow_provider_publer.exceptions import PublerValidationError

#: Publer's limit of posts in one bulk request ("up to 500 posts in a single API call").
MAX_POSTS_PER_REQUEST = 500

#: Keys accepted under ``posts[].networks`` (OpenAPI list plus ``default``).
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

_NETWORK_ALIASES = {
    "wordpress": 'use "wordpress_oauth" (WordPress.com) or "wordpress_basic" (self-hosted WordPress)',
    "x": 'use "twitter" for X',
    "google_business": 'use "google"',
    "gmb": 'use "google"',
}

_NAIVE_FIX = (
    'use a timezone-aware value, e.g. pendulum.datetime(2030, 1, 1, 12, tz="UTC") '
    "or a string with a '+00:00' suffix"
)

_TEMPLATE_FIX = (
    "the template rendered to a string. Set render_template_as_native_obj=True on the DAG, "
    "or return the list from the upstream task and pass it as posts=upstream_task.output"
)


@dataclass(frozen=True)
class _Rules:
    state: str
    publish_now: bool
    now: datetime
    min_lead: timedelta

    @property
    def is_draft(self) -> bool:
        return self.state in DRAFT_STATES


@dataclass(frozen=True)
class _Slot:
    account_id: str
    when: datetime
    value: str
    field: str


# -- public API ------------------------------------------------------------------------------------


def validate_posts(
    posts: Any,
    *,
    state: str = "scheduled",
    publish_now: bool = False,
    now: datetime | None = None,
    min_lead: timedelta = timedelta(minutes=1),
) -> list[dict[str, Any]]:
    """Validate and normalise the bulk.posts list; raise PublerValidationError naming post, field and fix.

    :param posts: the ``bulk.posts`` list (a tuple, or a string holding a JSON list, also works).
    :param state: the ``bulk.state`` the posts are sent with.
    :param publish_now: the posts go to ``POST /posts/schedule/publish`` (no ``scheduled_at``).
    :param now: the current time (timezone-aware); defaults to the clock.
    :param min_lead: how far ahead of ``now`` a ``scheduled_at`` must be. Drafts are not checked
        against ``now`` nor against each other: they take no publishing slot.
    :return: a JSON-compatible deep copy; ``scheduled_at`` and every datetime in canonical form.
    """
    rules = _Rules(_check_state(state, publish_now), publish_now, _aware_now(now), min_lead)
    checked = [_check_post(raw, index, rules) for index, raw in enumerate(_coerce_posts(posts))]
    if not rules.is_draft:
        _check_gaps(checked)
    return checked


def validate_workspace_id(workspace_id: Any) -> str | None:
    """``None`` or ``""`` -> ``None``; otherwise a non-empty string without whitespace."""
    if workspace_id is None or workspace_id == "":
        return None
    if not isinstance(workspace_id, str) or not workspace_id.strip():
        raise _error(
            "workspace_id",
            f"must be a non-empty string (an id from GET /workspaces), got {_kind(workspace_id)} "
            f"{workspace_id!r}",
        )
    if any(char.isspace() for char in workspace_id):
        raise _error(
            "workspace_id",
            f"{workspace_id!r} contains whitespace; copy the id exactly as GET /workspaces returns it",
        )
    return workspace_id


def to_publer_timestamp(value: Any, *, field: str) -> str:
    """A timezone-aware datetime or ISO 8601 string with offset -> ``YYYY-MM-DDTHH:MM:SS+HH:MM``.

    A trailing ``Z`` means UTC. Fractions of a second are dropped. Naive datetimes and
    strings without an offset are refused: Publer would read them in an unknown zone.
    """
    if isinstance(value, datetime):
        return _format_aware(value, field, shown=value.isoformat())
    if isinstance(value, str):
        return _format_aware(_parse_iso(value, field), field, shown=value)
    raise _error(
        field,
        f"must be an ISO 8601 timestamp with an offset (e.g. '2030-01-01T12:00:00+00:00') or a "
        f"timezone-aware datetime, got {_kind(value)} {value!r}",
    )


# -- timestamps ------------------------------------------------------------------------------------


def _parse_iso(text: str, field: str) -> datetime:
    raw = text.strip()
    candidate = raw[:-1] + "+00:00" if raw[-1:] in ("Z", "z") else raw
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        raise _error(
            field,
            f"{text!r} is not an ISO 8601 timestamp; use 'YYYY-MM-DDTHH:MM:SS+HH:MM', "
            "e.g. '2030-01-01T12:00:00+00:00'",
        ) from None


def _format_aware(value: datetime, field: str, *, shown: str) -> str:
    offset = value.utcoffset()
    if offset is None:
        raise _error(field, f"{shown!r} has no timezone and Publer needs an explicit offset; {_NAIVE_FIX}")
    if offset % timedelta(minutes=1):  # historic offsets with seconds: say it in UTC instead
        value, offset = value.astimezone(timezone.utc), timedelta(0)
    plain = datetime(
        value.year, value.month, value.day, value.hour, value.minute, value.second, tzinfo=timezone(offset)
    )
    return plain.isoformat()


def _aware_now(now: datetime | None) -> datetime:
    if now is None:
        return datetime.now(timezone.utc)
    if now.utcoffset() is None:
        raise _error("now", f"must be timezone-aware, got {now.isoformat()!r}; {_NAIVE_FIX}")
    return now


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


def _coerce_posts(posts: Any) -> list[Any]:
    if isinstance(posts, str):
        posts = _parse_json_posts(posts)
    if isinstance(posts, Mapping):
        raise _error("posts", "is a single post (a dict) but must be a list of posts; wrap it: posts=[{...}]")
    if not isinstance(posts, (list, tuple)):
        raise _error(
            "posts",
            f"must be a list of post dicts, got {_kind(posts)}; pass "
            'posts=[{"networks": {...}, "accounts": [{"id": "<account id>"}]}]',
        )
    if not posts:
        raise _error("posts", "is empty; give at least one post")
    if len(posts) > MAX_POSTS_PER_REQUEST:
        raise _error(
            "posts",
            f"has {len(posts)} posts but Publer accepts at most {MAX_POSTS_PER_REQUEST} per request; "
            f"split them into batches of at most {MAX_POSTS_PER_REQUEST} (e.g. one mapped task per batch)",
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


def _check_post(raw: Any, index: int, rules: _Rules) -> dict[str, Any]:
    path = f"posts[{index}]"
    if not isinstance(raw, Mapping):
        hint = "; flatten nested lists" if isinstance(raw, (list, tuple)) else ""
        raise _error(path, f"must be a dict with 'networks' and 'accounts', got {_kind(raw)}{hint}")
    post: dict[str, Any] = _jsonable(raw, path)
    if "media" in post:
        raise _error(
            f"{path}.media",
            "media belongs inside the network block (networks.<key>.media), not at post level; "
            "Publer would report the job complete and silently create nothing. Move it, e.g. "
            'networks.facebook.media = [{"id": "<media id>"}]',
        )
    networks = _check_networks(post, path)
    _check_accounts(post, path, networks, rules)
    _check_recurring(post, path, rules)
    _check_auto(post, path)
    return post


def _check_networks(post: dict[str, Any], path: str) -> dict[str, Any]:
    where = f"{path}.networks"
    networks = post.get("networks")
    example = '{"facebook": {"type": "status", "text": "..."}}'
    if networks is None:
        raise _error(where, f"is missing; give one content block per network, e.g. {example}")
    if not isinstance(networks, dict):
        raise _error(
            where, f"must be a dict of network key -> content block like {example}, got {_kind(networks)}"
        )
    if not networks:
        raise _error(where, f"is empty; give at least one network block, e.g. {example}")
    for key, block in networks.items():
        _check_network_key(key, f"{where}.{key}")
        _check_block(block, f"{where}.{key}")
    return networks


def _check_network_key(key: str, field: str) -> None:
    if key in NETWORK_KEYS:
        return
    alias = _NETWORK_ALIASES.get(key.lower().strip())
    hint = f" ({alias})" if alias else _did_you_mean(key.lower().strip(), NETWORK_KEYS)
    raise _error(field, f"{key!r} is not a Publer network key{hint}; valid keys: {_listing(NETWORK_KEYS)}")


# -- network content blocks ------------------------------------------------------------------------


def _check_block(block: Any, path: str) -> None:
    if not isinstance(block, dict):
        raise _error(
            path, f'must be a dict content block like {{"type": "status", "text": "..."}}, got {_kind(block)}'
        )
    kind = _check_type(block, path)
    if "text" in block and not isinstance(block["text"], str):
        raise _error(f"{path}.text", f"must be a string, got {_kind(block['text'])}; omit it or give text")
    if "media" in block:
        _check_media_list(block["media"], f"{path}.media")
    required = _REQUIRED_BY_TYPE.get(kind or "")
    if required is not None:
        required(block, path, kind or "")


def _check_type(block: dict[str, Any], path: str) -> str | None:
    if "type" not in block:
        return None
    kind = block["type"]
    if not isinstance(kind, str) or not kind.strip():
        raise _error(
            f"{path}.type",
            f"must be a non-empty string such as 'status', 'photo', 'video' or 'link', got {kind!r}; "
            "or omit it",
        )
    return kind


def _require_text(block: dict[str, Any], path: str, kind: str) -> None:
    if not block.get("text", "").strip():
        raise _error(
            f"{path}.text", f'a "{kind}" post needs non-empty text; add "text": "..." or change "type"'
        )


def _require_media(block: dict[str, Any], path: str, kind: str) -> None:
    if not block.get("media"):
        raise _error(
            f"{path}.media",
            f'a "{kind}" post needs a non-empty media list, e.g. "media": [{{"id": "<media id>"}}]; '
            "upload the file with POST /media (or /media/from-url) first",
        )


def _require_url(block: dict[str, Any], path: str, kind: str) -> None:
    link = block.get("link")
    candidates = [block.get("url"), link.get("url") if isinstance(link, dict) else None]
    if not any(isinstance(url, str) and url.strip() for url in candidates):
        raise _error(f"{path}.url", f'a "{kind}" post needs "url": "https://..." (or "link": {{"url": ...}})')


def _require_options(block: dict[str, Any], path: str, kind: str) -> None:
    options = block.get("options")
    if not isinstance(options, list) or len(options) < 2:
        raise _error(
            f"{path}.options",
            f'a "{kind}" post needs "options" with at least 2 choices, e.g. "options": ["Yes", "No"]',
        )


def _require_document(block: dict[str, Any], path: str, kind: str) -> None:
    document = block.get("document")
    if not block.get("media") and not (isinstance(document, dict) and document):
        raise _error(
            f"{path}.media",
            f'a "{kind}" post needs the PDF as "media": [{{"id": "<media id>"}}] or as '
            '"document": {"id": "<media id>", "title": "..."}',
        )


_REQUIRED_BY_TYPE: dict[str, Callable[[dict[str, Any], str, str], None]] = {
    "status": _require_text,
    "photo": _require_media,
    "video": _require_media,
    "carousel": _require_media,
    "link": _require_url,
    "poll": _require_options,
    "document": _require_document,
    "pdf": _require_document,
}


def _check_media_list(media: Any, path: str) -> None:
    if isinstance(media, dict):
        raise _error(path, "must be a list of media items, not a single dict; wrap it: [{...}]")
    if not isinstance(media, list):
        raise _error(path, f'must be a list of media items like [{{"id": "<media id>"}}], got {_kind(media)}')
    for index, item in enumerate(media):
        _check_media_item(item, f"{path}[{index}]")


def _check_media_item(item: Any, path: str) -> None:
    if isinstance(item, str):
        raise _error(path, f"is a bare string; media items are dicts: {json.dumps({'id': item})}")
    if not isinstance(item, dict):
        raise _error(path, f'must be a dict like {{"id": "<media id>"}}, got {_kind(item)}')
    if not any(isinstance(item.get(key), str) and item[key].strip() for key in ("id", "path")):
        raise _error(
            path,
            'needs "id" (from POST /media or GET /media) or "path" (the media URL); it has neither',
        )


# -- accounts and scheduling -----------------------------------------------------------------------


def _check_accounts(post: dict[str, Any], path: str, networks: dict[str, Any], rules: _Rules) -> None:
    where = f"{path}.accounts"
    accounts = post.get("accounts")
    if rules.is_draft and "default" in networks and (accounts is None or accounts == []):
        if accounts is None:
            post.pop("accounts", None)
        return  # an idea: a draft for no account
    if isinstance(accounts, dict):
        raise _error(where, "is a single account (a dict) but must be a list; wrap it: [{...}]")
    if accounts is not None and not isinstance(accounts, list):
        raise _error(where, f'must be a list like [{{"id": "<account id>"}}], got {_kind(accounts)}')
    if not accounts:
        raise _error(where, f"is {'missing' if accounts is None else 'empty'}; {_accounts_fix(rules)}")
    seen: dict[str, int] = {}
    for index, account in enumerate(accounts):
        _check_account(account, f"{where}[{index}]", index, seen, rules)


def _accounts_fix(rules: _Rules) -> str:
    listing = 'list the accounts to post to, e.g. [{"id": "<account id from GET /accounts>"}]'
    if rules.is_draft:
        return (
            f"a draft without accounts (an idea) needs networks.default: add a 'default' block or {listing}"
        )
    return listing


def _check_account(account: Any, field: str, index: int, seen: dict[str, int], rules: _Rules) -> None:
    if isinstance(account, str):
        raise _error(field, f"is a bare string; accounts are dicts: {json.dumps({'id': account})}")
    if not isinstance(account, dict):
        raise _error(field, f'must be a dict like {{"id": "<account id>"}}, got {_kind(account)}')
    account_id = account.get("id")
    if not isinstance(account_id, str) or not account_id.strip():
        raise _error(
            f"{field}.id",
            f"must be a non-empty string (an account id from GET /accounts), got {account_id!r}",
        )
    if account_id in seen:
        raise _error(
            f"{field}.id",
            f"account {account_id} is listed twice in this post (also accounts[{seen[account_id]}]); "
            "list each account once per post",
        )
    seen[account_id] = index
    _check_scheduled_at(account, f"{field}.scheduled_at", rules)


def _check_scheduled_at(account: dict[str, Any], field: str, rules: _Rules) -> None:
    if account.get("scheduled_at") is None:
        account.pop("scheduled_at", None)
        return
    if rules.publish_now:
        raise _error(
            field,
            "must be omitted for publish-now (POST /posts/schedule/publish publishes immediately); "
            "remove scheduled_at, or set publish_now=False to schedule",
        )
    value = to_publer_timestamp(account["scheduled_at"], field=field)
    account["scheduled_at"] = value
    if not rules.is_draft:
        _check_lead(value, field, rules)


def _check_lead(value: str, field: str, rules: _Rules) -> None:
    earliest = rules.now + rules.min_lead
    when = datetime.fromisoformat(value)
    if when >= earliest:
        return
    problem = "in the past" if when < rules.now else "too soon"
    raise _error(
        field,
        f"{value} is {problem}: Publer needs scheduled_at at least one minute in the future; now is "
        f"{to_publer_timestamp(rules.now, field='now')}, so the earliest accepted time is "
        f"{to_publer_timestamp(earliest, field='now')}. Pick a later time, or omit scheduled_at "
        "and set publish_now=True to publish immediately",
    )


def _check_gaps(posts: list[dict[str, Any]]) -> None:
    slots = sorted(_slots(posts), key=lambda slot: (slot.account_id, slot.when))
    for first, second in itertools.pairwise(slots):
        if first.account_id == second.account_id and second.when - first.when < MIN_GAP:
            raise _error(
                second.field,
                f"account {second.account_id} is scheduled at {second.value}, less than a minute from its "
                f'post at {first.value} ({first.field}); Publer refuses this: "{GAP_RULE}". '
                "Space posts on one account at least one minute apart",
            )


def _slots(posts: list[dict[str, Any]]) -> Iterator[_Slot]:
    for post_index, post in enumerate(posts):
        for account_index, account in enumerate(post.get("accounts") or []):
            value = account.get("scheduled_at")
            if value is not None:
                field = f"posts[{post_index}].accounts[{account_index}].scheduled_at"
                yield _Slot(account["id"], datetime.fromisoformat(value), value, field)


def _check_recurring(post: dict[str, Any], path: str, rules: _Rules) -> None:
    if rules.state != "recurring":
        return
    where = f"{path}.recurring"
    recurring = post.get("recurring")
    example = '{"start_date": "2030-01-01T12:00:00+00:00", "repeat": "weekly", "repeat_rate": 1}'
    if not isinstance(recurring, dict):
        raise _error(
            where, f'state "recurring" needs a "recurring" object like {example}, got {_kind(recurring)}'
        )
    if not recurring.get("start_date"):
        raise _error(f"{where}.start_date", f'is missing; state "recurring" needs it, e.g. {example}')
    if not (recurring.get("repeat") or recurring.get("frequency")):
        raise _error(
            f"{where}.repeat",
            'is missing; give "repeat" (daily, weekly, monthly or yearly) or the older "frequency"',
        )


def _check_auto(post: dict[str, Any], path: str) -> None:
    if not post.get("auto"):
        return
    window = post.get("range")
    if not (isinstance(window, dict) and window.get("start_date")):
        raise _error(
            f"{path}.range.start_date",
            'auto-scheduling ("auto": true) needs "range": {"start_date": "..."} (end_date is optional)',
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


def _error(field: str, message: str) -> PublerValidationError:
    return PublerValidationError(message, field=field)


def _kind(value: Any) -> str:
    return "None" if value is None else type(value).__name__


def _looks_like_repr(text: str) -> bool:
    return text.lstrip().startswith(("[", "{")) and "'" in text[:200]


def _json_kind(value: Any) -> str:
    return "a JSON object" if isinstance(value, dict) else f"JSON {json.dumps(value)[:40]}"


def _preview(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def _listing(choices: Iterable[str]) -> str:
    return ", ".join(sorted(choices))


def _did_you_mean(value: Any, choices: Iterable[str]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""
