"""Catalogue of bad ``posts`` inputs that validation must refuse before anything is sent.

Data only (no pytest): the unit tests run every entry through ``validate_posts`` and the
integration tests run it through ``PublerSchedulePostOperator`` against a server, asserting
that nothing reached it.

- ``kwargs`` only ever holds ``state`` / ``publish_now``, which are operator arguments too.
- Every entry fails both with ``now=NOW`` and with the real clock (any time before 2030):
  valid times are after ``NOW``, "too soon" times are in 2020.
- ``field`` is a substring of ``PublerValidationError.field``; ``match`` is a regex searched
  in ``str(error)``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

#: Fixed "now" of the catalogue; pass ``now=NOW`` to ``validate_posts``.
NOW = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)

#: Account id used throughout (the one in Publer's docs examples).
ACCOUNT_ID = "63c675b54e299e9cf2b667ea"
OTHER_ACCOUNT_ID = "63c675b54e299e9cf2b667eb"

#: Media id from Publer's docs example.
MEDIA_ID = "6813892b5ec8b1e65235ae9e"

#: A valid time: one hour after NOW.
LATER = "2030-01-01T13:00:00+00:00"

#: Value for :func:`valid_post` / :func:`account` overrides that removes the key.
DROP: Any = object()


@dataclass(frozen=True)
class BadInput:
    """One input ``validate_posts`` must refuse."""

    id: str
    posts: Any
    kwargs: dict[str, Any]
    field: str
    match: str


def _apply(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for key, value in overrides.items():
        if value is DROP:
            base.pop(key, None)
        else:
            base[key] = value
    return base


def account(**overrides: Any) -> dict[str, Any]:
    """``{"id": ACCOUNT_ID, "scheduled_at": LATER}`` with overrides (``DROP`` removes a key)."""
    return _apply({"id": ACCOUNT_ID, "scheduled_at": LATER}, overrides)


def facebook(**overrides: Any) -> dict[str, Any]:
    """A facebook status block with overrides (``DROP`` removes a key)."""
    return _apply({"type": "status", "text": "Hello from Airflow"}, overrides)


def valid_post(**overrides: Any) -> dict[str, Any]:
    """A valid post: a facebook status on ACCOUNT_ID at LATER. Overrides replace top-level keys."""
    return _apply({"networks": {"facebook": facebook()}, "accounts": [account()]}, overrides)


def _network(key: str, **block: Any) -> dict[str, Any]:
    return valid_post(networks={key: block})


def _bad(id: str, posts: Any, field: str, match: str, **kwargs: Any) -> BadInput:
    return BadInput(id=id, posts=posts, kwargs=kwargs, field=field, match=match)


class _Opaque:
    """An object that is not JSON."""

    def __repr__(self) -> str:
        return "<opaque>"


_PHOTO = {"type": "photo", "text": "Look", "media": [{"id": MEDIA_ID, "type": "photo"}]}
_IN_2020 = "2020-01-01T12:00:00+00:00"

_LIST_AND_STATE = [
    _bad("posts-none", None, "posts", r"must be a list of post dicts, got None"),
    _bad("posts-int", 42, "posts", r"must be a list of post dicts, got int"),
    _bad("posts-single-dict", valid_post(), "posts", r"wrap it: posts=\[\{\.\.\.\}\]"),
    _bad("posts-empty", [], "posts", r"is empty"),
    _bad(
        "posts-501",
        [valid_post(accounts=[account(scheduled_at=DROP)]) for _ in range(501)],
        "posts",
        r"501 posts.*batches of at most 500",
    ),
    _bad("posts-string-not-json", "hello", "posts", r"not JSON.*render_template_as_native_obj=True"),
    _bad(
        "posts-string-python-repr",
        str([valid_post()]),
        "posts",
        r"Python repr.*template rendered to a string.*render_template_as_native_obj=True",
    ),
    _bad(
        "posts-string-json-object",
        json.dumps(valid_post()),
        "posts",
        r"a JSON object, not a JSON list.*wrap a single post",
    ),
    _bad("state-typo", [valid_post()], "state", r'did you mean "scheduled"', state="schedule"),
    _bad("state-not-string", [valid_post()], "state", r"is not a bulk.state", state=None),
    _bad(
        "publish-now-with-draft-state",
        [valid_post(accounts=[account(scheduled_at=DROP)])],
        "state",
        r"publish-now .* needs state 'scheduled'",
        state="draft",
        publish_now=True,
    ),
]

_POSTS_AND_NETWORKS = [
    _bad("post-not-dict", ["Hello"], "posts[0]", r"must be a dict with 'networks' and 'accounts'"),
    _bad("post-nested-list", [[valid_post()]], "posts[0]", r"flatten nested lists"),
    _bad("networks-missing", [valid_post(networks=DROP)], "posts[0].networks", r"is missing"),
    _bad("networks-empty", [valid_post(networks={})], "posts[0].networks", r"is empty"),
    _bad("networks-list", [valid_post(networks=[facebook()])], "posts[0].networks", r"must be a dict"),
    _bad("network-typo", [_network("facebok", **facebook())], "networks.facebok", r'did you mean "facebook"'),
    _bad(
        "network-wordpress", [_network("wordpress", type="article")], "networks.wordpress", r"wordpress_oauth"
    ),
    _bad("network-capitalised", [_network("Twitter", **facebook())], "networks.Twitter", r'mean "twitter"'),
    _bad("network-block-string", [valid_post(networks={"facebook": "Hi"})], "networks.facebook", r"dict"),
    _bad("type-empty", [_network("facebook", type="", text="Hi")], "networks.facebook.type", r"non-empty"),
    _bad("type-not-string", [_network("facebook", type=1, text="Hi")], "networks.facebook.type", r"string"),
    _bad("status-without-text", [_network("facebook", type="status")], "networks.facebook.text", r"needs"),
    _bad(
        "status-blank-text", [_network("facebook", type="status", text="  ")], "facebook.text", r"non-empty"
    ),
    _bad("text-not-string", [_network("facebook", text=123)], "networks.facebook.text", r"must be a string"),
    _bad(
        "photo-without-media", [_network("instagram", type="photo", text="Hi")], "instagram.media", r"needs"
    ),
    _bad("video-empty-media", [_network("youtube", type="video", media=[])], "youtube.media", r"non-empty"),
    _bad(
        "media-not-list",
        [_network("facebook", type="photo", media={"id": MEDIA_ID})],
        "networks.facebook.media",
        r"must be a list",
    ),
    _bad(
        "media-item-string",
        [_network("facebook", type="photo", media=[MEDIA_ID])],
        "networks.facebook.media[0]",
        r'\{"id": "6813892b5ec8b1e65235ae9e"\}',
    ),
    _bad(
        "media-item-without-id-or-path",
        [_network("facebook", type="photo", media=[{"type": "photo"}])],
        "networks.facebook.media[0]",
        r'needs "id".*or "path"',
    ),
    _bad(
        "media-at-post-level",
        [valid_post(media=[{"id": MEDIA_ID}])],
        "posts[0].media",
        r"inside the network block.*silently create nothing",
    ),
    _bad("link-without-url", [_network("linkedin", type="link", text="Read")], "linkedin.url", r'"url"'),
    _bad("poll-one-option", [_network("twitter", type="poll", options=["Yes"])], "options", r"at least 2"),
    _bad(
        "document-without-pdf", [_network("linkedin", type="document", text="PDF")], "linkedin.media", r"PDF"
    ),
]

_ACCOUNTS = [
    _bad("accounts-missing", [valid_post(accounts=DROP)], "posts[0].accounts", r"is missing"),
    _bad("accounts-empty", [valid_post(accounts=[])], "posts[0].accounts", r"is empty"),
    _bad("accounts-dict", [valid_post(accounts=account())], "posts[0].accounts", r"wrap it"),
    _bad(
        "account-bare-string", [valid_post(accounts=[ACCOUNT_ID])], "posts[0].accounts[0]", r'\{"id": "63c6'
    ),
    _bad(
        "account-without-id", [valid_post(accounts=[account(id=DROP)])], "accounts[0].id", r"non-empty string"
    ),
    _bad("account-id-empty", [valid_post(accounts=[account(id="")])], "accounts[0].id", r"non-empty string"),
    _bad("account-id-int", [valid_post(accounts=[account(id=12345)])], "accounts[0].id", r"non-empty string"),
    _bad(
        "account-duplicate",
        [valid_post(accounts=[account(), account(scheduled_at="2030-01-01T14:00:00+00:00")])],
        "posts[0].accounts[1].id",
        r"listed twice",
    ),
    _bad(
        "idea-without-default",
        [valid_post(accounts=DROP)],
        "posts[0].accounts",
        r"networks.default",
        state="draft_public",
    ),
]

_SCHEDULING = [
    _bad(
        "scheduled-naive-datetime",
        [valid_post(accounts=[account(scheduled_at=datetime(2030, 1, 1, 13, 0))])],
        "posts[0].accounts[0].scheduled_at",
        r"timezone-aware.*pendulum\.datetime",
    ),
    _bad(
        "scheduled-string-without-offset",
        [valid_post(accounts=[account(scheduled_at="2030-01-01T13:00:00")])],
        "posts[0].accounts[0].scheduled_at",
        r"no timezone.*'\+00:00' suffix",
    ),
    _bad(
        "scheduled-not-a-timestamp",
        [valid_post(accounts=[account(scheduled_at="tomorrow at noon")])],
        "posts[0].accounts[0].scheduled_at",
        r"not an ISO 8601 timestamp",
    ),
    _bad(
        "scheduled-epoch-int",
        [valid_post(accounts=[account(scheduled_at=1893502800)])],
        "posts[0].accounts[0].scheduled_at",
        r"ISO 8601 timestamp with an offset.*got int",
    ),
    _bad(
        "scheduled-in-the-past",
        [valid_post(accounts=[account(scheduled_at=_IN_2020)])],
        "posts[0].accounts[0].scheduled_at",
        r"in the past: Publer needs scheduled_at at least one minute in the future",
    ),
    _bad(
        "scheduled-with-publish-now",
        [valid_post()],
        "posts[0].accounts[0].scheduled_at",
        r"must be omitted for publish-now",
        publish_now=True,
    ),
    _bad(
        "same-account-30s-apart",
        [valid_post(), valid_post(accounts=[account(scheduled_at="2030-01-01T13:00:30+00:00")])],
        "posts[1].accounts[0].scheduled_at",
        r"A one minute gap is required between posts",
    ),
    _bad(
        "same-account-same-time-other-offset",
        [valid_post(), valid_post(accounts=[account(scheduled_at="2030-01-01T14:00:00+01:00")])],
        "posts[1].accounts[0].scheduled_at",
        r"A one minute gap is required between posts",
    ),
    _bad(
        "recurring-without-object",
        [valid_post(accounts=[account(scheduled_at=DROP)])],
        "posts[0].recurring",
        r'needs a "recurring" object',
        state="recurring",
    ),
    _bad(
        "recurring-without-repeat",
        [valid_post(accounts=[account(scheduled_at=DROP)], recurring={"start_date": LATER})],
        "posts[0].recurring.repeat",
        r'"repeat".*"frequency"',
        state="recurring",
    ),
    _bad(
        "recurring-naive-start",
        [valid_post(recurring={"start_date": datetime(2030, 2, 1, 9), "repeat": "weekly"})],
        "posts[0].recurring.start_date",
        r"timezone-aware",
        state="recurring",
    ),
    _bad(
        "auto-without-range",
        [valid_post(accounts=[account(scheduled_at=DROP)], auto=True)],
        "posts[0].range.start_date",
        r'"range"',
    ),
]

_NOT_JSON = [
    _bad(
        "labels-set",
        [valid_post(accounts=[account(labels={"launch"})])],
        "posts[0].accounts[0].labels",
        r"is a set.*use a list",
    ),
    _bad("object-value", [valid_post(extra=_Opaque())], "posts[0].extra", r"not JSON-serialisable"),
    _bad(
        "nan-value", [valid_post(networks={"facebook": facebook(duration=float("nan"))})], "duration", r"nan"
    ),
    _bad("non-string-key", [valid_post(networks={"facebook": {1: "x"}})], "networks.facebook", r"keys must"),
]

#: Refused by ``validate_posts`` and the hook (one request holds at most 500 posts), but the
#: operator splits such a list into several requests instead (see the calendar tests).
SPLIT_BY_THE_OPERATOR = frozenset({"posts-501"})

#: Every bad input, at least one per rule of :mod:`airflow_provider_publer.validation`.
BAD_INPUTS: list[BadInput] = [*_LIST_AND_STATE, *_POSTS_AND_NETWORKS, *_ACCOUNTS, *_SCHEDULING, *_NOT_JSON]

# -- ids, text limits and the five-year limit ------------------------------------------------------

_LIMIT_EXPLAINED = (
    r"Counted as X counts: twitter-text's weights, where X counts emoji and CJK characters double"
)

_IDS_AND_LIMITS = [
    _bad(
        "account-id-trailing-space",
        [valid_post(accounts=[account(id=ACCOUNT_ID + " ")])],
        "posts[0].accounts[0].id",
        r"contains whitespace; copy the id exactly as GET /accounts lists it",
    ),
    _bad(
        "account-id-zero-width-space",
        [valid_post(accounts=[account(id=ACCOUNT_ID + "\u200b")])],
        "posts[0].accounts[0].id",
        r"invisible or control character; copy the id exactly",
    ),
    _bad(
        "share-account-id-tab",  # not a newline: Airflow's templating drops one trailing newline
        [valid_post(accounts=[account(share={"account_ids": [OTHER_ACCOUNT_ID + "\t"]})])],
        "posts[0].accounts[0].share.account_ids[0]",
        r"contains whitespace; copy the id exactly",
    ),
    _bad(
        "media-id-trailing-space",
        [_network("facebook", type="photo", media=[{"id": MEDIA_ID + " "}])],
        "networks.facebook.media[0].id",
        r"contains whitespace; copy the id exactly",
    ),
    _bad(
        "twitter-400-emoji",
        [_network("twitter", type="status", text="\U0001f600" * 400)],
        "posts[0].networks.twitter.text",
        r"is 800 characters long but X allows at most 280 .*long_post.*" + _LIMIT_EXPLAINED,
    ),
    _bad(
        "twitter-long-post-over-25000",
        [_network("twitter", type="status", text="a" * 25_001, details={"type": "long_post"})],
        "networks.twitter.text",
        r"is 25,001 characters long but X allows at most 25,000;",
    ),
    _bad(
        "telegram-4097",
        [_network("telegram", text="a" * 4097)],
        "telegram.text",
        r"Telegram allows at most 4,096",
    ),
    _bad("threads-501", [_network("threads", text="a" * 501)], "threads.text", r"Threads allows at most 500"),
    _bad("bluesky-301", [_network("bluesky", text="a" * 301)], "bluesky.text", r"Bluesky allows at most 300"),
    _bad(
        "google-1501",
        [_network("google", text="a" * 1501)],
        "google.text",
        r"Google Business Profile .* 1,500",
    ),
    _bad(
        "scheduled-year-9999",
        [valid_post(accounts=[account(scheduled_at="9999-12-31T23:59:59+00:00")])],
        "posts[0].accounts[0].scheduled_at",
        r"too far ahead: Publer schedules at most 5 years ahead \(Business plan; Free 7 days, "
        r"Professional 1 year\), so the latest accepted time is 20\d\d-",
    ),
]

BAD_INPUTS.extend(_IDS_AND_LIMITS)
