"""Typed models of one post of Publer's bulk body (``bulk.posts[]`` of ``POST /posts/schedule``).

Why this module exists: DAG authors get typed, documented building blocks (``Post``,
``AccountSchedule``, ``NetworkContent``, ``MediaItem`` and the scheduling options) instead of
nested dicts, and :func:`airflow_provider_publer.validation.validate_posts` checks every post,
dict or model, through the same models. The shapes follow Publer's docs (Create Posts, Media
Handling, Publishing Methods, Content Types; each model names its page) and Publer's own field
names; fields whose Publer name is camelCase have a snake_case attribute and Publer's name as
alias, which is what is read and written.

Every model accepts fields it does not know and passes them through untouched: Publer adds
fields faster than a client can follow. ``None`` means "not given": ``to_publer()``
(``model_dump(mode="json", exclude_none=True)``) leaves it out, and writes ``scheduled_at`` in
Publer's ``YYYY-MM-DDTHH:MM:SS+HH:MM`` form.

The rules here hold for a post wherever it is sent. Rules that depend on the request (the
bulk state, publish-now, the clock, the gap between posts) live in validation. Errors raised
in validators are :class:`PublerValidationError` whose ``field`` is relative to the model
(pydantic wraps them in its ``ValidationError``; validation turns them back into one
``PublerValidationError`` naming the whole path).

Run ``python -m airflow_provider_publer.models [PATH]`` to write the JSON schema of a post
(docs/post-schema.json).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

import pendulum
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.ids import ID_KINDS, id_problem
from airflow_provider_publer.messages import did_you_mean, kind, listing
from airflow_provider_publer.networks import NETWORK_ALIASES, NETWORK_KEYS, TEXT_LIMITS
from airflow_provider_publer.text_length import count_characters, text_limit_problem
from airflow_provider_publer.timestamps import parse_timestamp, to_publer_timestamp

__all__ = [
    "TEXT_LIMITS",
    "UPDATE_FIELDS",
    "AccountSchedule",
    "Comment",
    "Delay",
    "DeleteCallback",
    "Details",
    "Document",
    "LinkPreview",
    "MediaItem",
    "NetworkContent",
    "Post",
    "PostUpdate",
    "PublerModel",
    "Range",
    "Recurring",
    "Recycling",
    "ShareCallback",
    "count_characters",
    "post_json_schema",
]

#: X Premium long posts, ``details.type == "long_post"`` on a ``twitter`` block.
TWITTER_LONG_POST_LIMIT = 25_000

#: Fields ``PUT /posts/{id}`` takes under ``post`` (reference §5.7, the newer "Update Posts" page):
#: the fields of :class:`PostUpdate`.
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

_NETWORKS_EXAMPLE = '{"facebook": {"type": "status", "text": "..."}}'

# Private names other modules used before the per-network table existed.
_kind, _listing, _did_you_mean, _ID_KINDS, _id_problem = kind, listing, did_you_mean, ID_KINDS, id_problem


# -- messages and ids ------------------------------------------------------------------------------


def _invalid(message: str, field: str | None = None) -> PublerValidationError:
    """An error whose ``field`` is relative to the model (or the model itself when ``None``)."""
    return PublerValidationError(message, field=field)


def _id_checker(word: str) -> BeforeValidator:
    def check(value: Any) -> Any:
        problem = _id_problem(value, _ID_KINDS[word])
        if problem:
            raise _invalid(problem)
        return value

    return BeforeValidator(check)


def _optional_media_id(value: Any) -> Any:
    """A media item may carry an empty id next to its ``path``; a given id must be exact."""
    if isinstance(value, str) and value.strip():
        problem = _id_problem(value, _ID_KINDS["media"])
        if problem:
            raise _invalid(problem)
    return value


# -- field types -----------------------------------------------------------------------------------


def _instant(value: Any) -> pendulum.DateTime:
    return parse_timestamp(value, field="")  # the error's place comes from pydantic's location


def _publer_form(value: datetime) -> str:
    return to_publer_timestamp(value, field="")


def _date_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return to_publer_timestamp(value, field="")
    return value.isoformat() if isinstance(value, date) else value


#: An instant: an aware datetime or ISO 8601 text with an offset; held as a pendulum DateTime,
#: written as ``YYYY-MM-DDTHH:MM:SS+HH:MM``.
PublerTimestamp = Annotated[
    datetime,
    PlainValidator(_instant),
    PlainSerializer(_publer_form, return_type=str, when_used="json"),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": "ISO 8601 with an explicit offset, YYYY-MM-DDTHH:MM:SS+HH:MM",
            "examples": ["2030-01-01T12:00:00+00:00"],
        }
    ),
]

#: A date (``2030-06-01``) or date-time as Publer's docs write it, kept as given; Python dates
#: and aware datetimes are written in ISO form.
DateText = Annotated[str, BeforeValidator(_date_text)]

AccountId = Annotated[str, _id_checker("account")]
MediaId = Annotated[str, BeforeValidator(_optional_media_id)]


class PublerModel(BaseModel):
    """Base of every model: unknown fields pass through; Publer's field names are read and written."""

    model_config = ConfigDict(
        extra="allow",
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        defer_build=True,
    )

    def to_publer(self) -> dict[str, Any]:
        """The JSON object Publer receives: fields left as ``None`` are omitted."""
        return self.model_dump(mode="json", exclude_none=True, by_alias=True)


# -- media, links and callbacks --------------------------------------------------------------------


class MediaItem(PublerModel):
    """One item of ``networks.<key>.media``: a file uploaded to Publer, or a URL.

    Publer docs: Create Posts > Media Handling (``/docs/posting/create-posts/media-handling``).

    Give ``id`` (from ``POST /media``, ``POST /media/from-url`` or ``GET /media``) or ``path``
    (the file's URL); Publer's docs also use ``"external-0"`` style ids next to a ``path``.
    """

    id: MediaId | None = Field(None, description="Media id from Publer's media library.")
    path: str | None = Field(None, description="URL of the file.")
    type: str | None = Field(
        None, description="`photo`, `video`, `gif` or `document` (docs examples; the OpenAPI says `image`)."
    )
    alt_text: str | None = Field(None, description="Alternative text of an image.")
    caption: str | None = Field(None, description="Caption of this item (carousels).")
    thumbnail: str | None = Field(None, description="URL of a video's cover image.")

    @model_validator(mode="before")
    @classmethod
    def _is_a_dict(cls, data: Any) -> Any:
        if isinstance(data, str):
            raise _invalid(f"is a bare string; media items are dicts: {json.dumps({'id': data})}")
        if not isinstance(data, dict) and not isinstance(data, MediaItem):
            raise _invalid(f'must be a dict like {{"id": "<media id>"}}, got {_kind(data)}')
        return data

    @model_validator(mode="after")
    def _has_id_or_path(self) -> MediaItem:
        if not any(value and value.strip() for value in (self.id, self.path)):
            raise _invalid(
                'needs "id" (from POST /media or GET /media) or "path" (the media URL); it has neither'
            )
        return self


class Document(PublerModel):
    """LinkedIn ``document``: a PDF shown as a carousel. Publer docs: Create Posts (content types)."""

    id: MediaId | None = Field(None, description="Media id of the uploaded PDF.")
    title: str | None = Field(None, description="Title shown on LinkedIn.")


class LinkPreview(PublerModel):
    """``link`` of a link post: the preview card. Publer docs: Content Types > Link Posts."""

    url: str | None = Field(None, description="The linked page.")
    title: str | None = Field(None, description="Card title.")
    description: str | None = Field(None, description="Card description.")


class Details(PublerModel):
    """``details`` of a network block: the network-specific kind and options.

    Publer docs: Content Types > Platform-Specific Formats > Reels, Shorts & Stories.
    """

    type: str | None = Field(
        None, description="`reel`, `story`, `short`, `long_post` (X Premium), `document` (LinkedIn PDF)..."
    )


class Delay(PublerModel):
    """A duration: ``{"duration": 5, "unit": "Minute"}``. Publer docs: Content Types > Post Callbacks."""

    duration: int | None = Field(None, description="How many units.")
    unit: str | None = Field(None, description="`Minute`, `Hour`, `Day` or `Week`.")


class ShareCallback(PublerModel):
    """``accounts[].share``: share the post from other accounts once published.

    Publer docs: Content Types > Post Callbacks (``/docs/posting/create-posts/content-types/post-callbacks``).
    """

    text: str | None = Field(None, description="Text of the shares.")
    account_ids: list[AccountId] | None = Field(
        None, description="Accounts that share it (ids from GET /accounts)."
    )
    after: Delay | None = Field(None, description="Wait this long after publishing.")
    delay: Delay | None = Field(None, description="Wait this long between two shares.")


class Comment(PublerModel):
    """An item of ``accounts[].comments``: a follow-up or first comment. Publer docs: Post Callbacks."""

    text: str | None = Field(None, description="Comment text.")
    language: str | None = Field(None, description="Language code, e.g. `en`.")
    delay: Delay | None = Field(None, description="Wait this long after publishing.")
    media: MediaItem | None = Field(
        None, description="One image, video or gif attached to the comment (by `path`)."
    )


class DeleteCallback(PublerModel):
    """``accounts[].delete``: delete or hide the post after a while. Publer docs: Post Callbacks."""

    hide: bool | None = Field(None, description="Hide instead of deleting.")
    delay: Delay | None = Field(None, description="How long after publishing.")


# -- network content -------------------------------------------------------------------------------


def _require_text(block: NetworkContent, kind: str) -> None:
    if not (block.text or "").strip():
        raise _invalid(f'a "{kind}" post needs non-empty text; add "text": "..." or change "type"', "text")


def _require_media(block: NetworkContent, kind: str) -> None:
    if not block.media:
        raise _invalid(
            f'a "{kind}" post needs a non-empty media list, e.g. "media": [{{"id": "<media id>"}}]; '
            "upload the file with POST /media (or /media/from-url) first",
            "media",
        )


def _require_url(block: NetworkContent, kind: str) -> None:
    candidates = [block.url, block.link.url if block.link else None]
    if not any(url and url.strip() for url in candidates):
        raise _invalid(f'a "{kind}" post needs "url": "https://..." (or "link": {{"url": ...}})', "url")


def _require_options(block: NetworkContent, kind: str) -> None:
    if len(block.options or []) < 2:
        raise _invalid(
            f'a "{kind}" post needs "options" with at least 2 choices, e.g. "options": ["Yes", "No"]',
            "options",
        )


def _require_document(block: NetworkContent, kind: str) -> None:
    if not block.media and not (block.document and block.document.to_publer()):
        raise _invalid(
            f'a "{kind}" post needs the PDF as "media": [{{"id": "<media id>"}}] or as '
            '"document": {"id": "<media id>", "title": "..."}',
            "media",
        )


_REQUIRED_BY_TYPE: dict[str, Callable[[NetworkContent, str], None]] = {
    "status": _require_text,
    "photo": _require_media,
    "video": _require_media,
    "carousel": _require_media,
    "link": _require_url,
    "poll": _require_options,
    "document": _require_document,
    "pdf": _require_document,
}


class NetworkContent(PublerModel):
    """One ``networks.<key>`` block: what is posted on that network.

    ``type`` says what kind of post it is and which fields it needs: ``status`` needs ``text``;
    ``photo``, ``video`` and ``carousel`` need ``media``; ``link`` needs ``url`` (or
    ``link.url``); ``poll`` needs two ``options`` or more; ``document``/``pdf`` (LinkedIn) need
    the PDF in ``media`` or ``document``. Reels, shorts and stories are ``video``/``photo``
    with ``details.type``. Other types (``article``, ``story``, ``reel``...) and fields are
    passed through as given. Text limits: see :data:`TEXT_LIMITS`.

    Publer docs: Create Posts (``/docs/posting/create-posts``), Content Types > Text Posts.
    """

    type: str | None = Field(
        None,
        description="Content type: `status`, `photo`, `video`, `link`, `carousel`, `poll`, `document`...",
    )
    text: str | None = Field(
        None, description="Post text. X 280 characters (25,000 for `long_post`), Threads 500, Bluesky 300..."
    )
    media: list[MediaItem] | None = Field(
        None, description="Images, videos or documents; media never goes at post level."
    )
    url: str | None = Field(None, description="Link of a link post (Pinterest: the pin's external link).")
    link: LinkPreview | None = Field(None, description="Preview card of a link post.")
    title: str | None = Field(
        None, description="Title (Facebook video, Pinterest, YouTube, Google, WordPress)."
    )
    details: Details | None = Field(
        None, description='Network-specific kind and options, e.g. `{"type": "reel"}`.'
    )
    question: str | None = Field(None, description="Poll question (Facebook, LinkedIn).")
    options: list[str] | None = Field(
        None, description="Poll choices (X: 2 to 4, at most 25 characters each)."
    )
    duration: int | None = Field(
        None, description="Poll duration in days (X at most 7, LinkedIn at most 14)."
    )
    document: Document | None = Field(None, description="LinkedIn PDF document.")
    first_comment: str | None = Field(None, alias="firstComment", description="Instagram first comment.")
    parse_mode: str | None = Field(None, alias="parseMode", description="Telegram `Markdown` or `HTML`.")

    @model_validator(mode="before")
    @classmethod
    def _is_a_dict(cls, data: Any) -> Any:
        if not isinstance(data, (dict, NetworkContent)):
            raise _invalid(
                f'must be a dict content block like {{"type": "status", "text": "..."}}, got {_kind(data)}'
            )
        return data

    @field_validator("type", mode="before")
    @classmethod
    def _type_is_text(cls, kind: Any) -> Any:
        if not isinstance(kind, str) or not kind.strip():
            raise _invalid(
                f"must be a non-empty string such as 'status', 'photo', 'video' or 'link', got {kind!r}; "
                "or omit it"
            )
        return kind

    @field_validator("text", mode="before")
    @classmethod
    def _text_is_text(cls, text: Any) -> Any:
        if not isinstance(text, str):
            raise _invalid(f"must be a string, got {_kind(text)}; omit it or give text")
        return text

    @field_validator("media", mode="before")
    @classmethod
    def _media_is_a_list(cls, media: Any) -> Any:
        if isinstance(media, dict):
            raise _invalid("must be a list of media items, not a single dict; wrap it: [{...}]")
        if not isinstance(media, list):
            raise _invalid(f'must be a list of media items like [{{"id": "<media id>"}}], got {_kind(media)}')
        return media

    @model_validator(mode="after")
    def _has_what_its_type_needs(self) -> NetworkContent:
        required = _REQUIRED_BY_TYPE.get(self.type or "")
        if required is not None:
            required(self, self.type or "")
        return self


def _check_text_limit(key: str, block: NetworkContent) -> None:
    problem = text_limit_problem(
        key,
        block.text,
        details_type=block.details.type if block.details is not None else None,
        parse_mode=block.parse_mode,
    )
    if problem:
        raise _invalid(problem, f"{key}.text")


# -- accounts and scheduling options ---------------------------------------------------------------


class AccountSchedule(PublerModel):
    """One entry of ``posts[].accounts``: an account to post to, and when.

    Without ``scheduled_at`` the post uses the account's posting schedule (or is published at
    once with publish-now). Publer docs: Create Posts, and Publishing Methods > Scheduled Posts
    (at least 1 minute ahead; at most 7 days on Free, 1 year on Professional, 5 years on Business).
    """

    id: AccountId = Field(description="Account id from GET /accounts, exactly as listed.")
    scheduled_at: PublerTimestamp | None = Field(
        None,
        description=(
            "When to publish: an aware datetime or ISO 8601 text with an offset, at least one minute "
            "and at most 5 years (Publer Business) ahead. Omit it to use the account's posting schedule."
        ),
    )
    labels: list[str] | None = Field(None, description="Label names or ids.")
    previewed_media: bool | None = Field(None, description="The media preview was checked.")
    signature: str | None = Field(None, description="Signature id (GET /workspaces/{id}/signatures).")
    album_id: str | None = Field(None, description="Pinterest board id, or Facebook album id.")
    share: ShareCallback | None = Field(None, description="Auto-share once published.")
    comments: list[Comment] | None = Field(None, description="Follow-up comments.")
    delete: DeleteCallback | None = Field(None, description="Auto-delete or auto-hide.")

    @model_validator(mode="before")
    @classmethod
    def _is_a_dict(cls, data: Any) -> Any:
        if isinstance(data, str):
            raise _invalid(f"is a bare string; accounts are dicts: {json.dumps({'id': data})}")
        if not isinstance(data, dict):
            if isinstance(data, AccountSchedule):
                return data
            raise _invalid(f'must be a dict like {{"id": "<account id>"}}, got {_kind(data)}')
        if "id" not in data:
            raise _invalid(_id_problem(None, _ID_KINDS["account"]) or "", "id")
        return {key: value for key, value in data.items() if not (key == "scheduled_at" and value is None)}


class Recurring(PublerModel):
    """``posts[].recurring``, with ``bulk.state = "recurring"``: repeat the post.

    Current form: ``start_date``, ``end_date``, ``repeat``, ``repeat_rate``, ``days_of_week``.
    The older form (``frequency``, ``repeat_every``, ``weekdays``, ``occurrences``) is accepted
    too; Publer still returns it. Publer docs: Publishing Methods > Recurring Posts.
    """

    start_date: DateText | None = Field(None, description="First occurrence, e.g. `2030-06-05T13:29+02:00`.")
    end_date: DateText | None = Field(None, description="Last occurrence.")
    repeat: str | None = Field(None, description="`daily`, `weekly`, `monthly` or `yearly`.")
    repeat_rate: int | None = Field(None, description="Every how many `repeat` units.")
    days_of_week: list[int] | None = Field(None, description="Weekdays 0-6 (0 = Monday per the OpenAPI).")
    frequency: str | None = Field(None, description="Older form of `repeat`: `Day`, `Week`, `Month`...")
    repeat_every: int | None = Field(None, description="Older form of `repeat_rate`.")
    weekdays: list[str] | None = Field(None, description='Older form of `days_of_week`: `["Monday"]`.')
    occurrences: int | None = Field(None, description="Older form: stop after this many posts.")


class Recycling(PublerModel):
    """``posts[].recycling``: repost evergreen content (not on YouTube, TikTok, WordPress).

    Publer docs: Publishing Methods > Recycling Posts.
    """

    solo: bool | None = Field(None, description="Recycle this post on its own.")
    gap: int | None = Field(None, description="Every how many `gap_freq` units.")
    gap_freq: str | None = Field(None, description="`Day`, `Week` or `Month`.")
    start_date: DateText | None = Field(None, description="First repost, e.g. `2030-06-01`.")
    expire_count: int | None = Field(None, description="Stop after this many reposts.")
    expire_date: DateText | None = Field(None, description="Stop on this date.")


class Range(PublerModel):
    """``posts[].range`` with ``"auto": true``: the window auto-scheduling picks slots in.

    Publer docs: Publishing Methods > Auto-Scheduling.
    """

    start_date: DateText | None = Field(None, description="Start of the window (required with `auto`).")
    end_date: DateText | None = Field(None, description="End of the window (optional).")


class Post(PublerModel):
    """One item of ``bulk.posts``: content per network, the accounts, and scheduling options.

    ``networks`` maps a network key (``facebook``, ``twitter``... or ``default`` for every
    account) to its :class:`NetworkContent`. ``accounts`` lists where and when to post; only
    an idea (a draft with ``networks.default``) goes without. Media belongs inside a network
    block, never at post level (Publer would report the job complete and create nothing).

    Publer docs: Create Posts (``/docs/posting/create-posts``), Publishing Methods.
    """

    networks: dict[str, NetworkContent] = Field(description="Content block per network key.")
    accounts: list[AccountSchedule] | None = Field(
        None, description="Accounts to post to; omit only for an idea (draft with `networks.default`)."
    )
    recurring: Recurring | None = Field(None, description='Repeat schedule, with `bulk.state = "recurring"`.')
    recycling: Recycling | None = Field(
        None, description='Recycling options, with `bulk.state = "scheduled"`.'
    )
    auto: bool | None = Field(
        None, description="Auto-schedule into the account's posting schedule within `range`."
    )
    range: Range | None = Field(None, description="Window for `auto`.")
    share_next: bool | None = Field(None, description="Auto-scheduling: take the next free slot.")
    labels: list[str] | None = Field(None, description="Label names or ids for the whole post.")

    @model_validator(mode="before")
    @classmethod
    def _networks_and_no_post_media(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        if "media" in data:
            raise _invalid(
                "media belongs inside the network block (networks.<key>.media), not at post level; "
                "Publer would report the job complete and silently create nothing. Move it, e.g. "
                'networks.facebook.media = [{"id": "<media id>"}]',
                "media",
            )
        if data.get("networks") is None:
            raise _invalid(
                f"is missing; give one content block per network, e.g. {_NETWORKS_EXAMPLE}", "networks"
            )
        return {key: value for key, value in data.items() if not (key == "accounts" and value is None)}

    @field_validator("networks", mode="before")
    @classmethod
    def _network_keys(cls, networks: Any) -> Any:
        if not isinstance(networks, dict):
            raise _invalid(
                f"must be a dict of network key -> content block like {_NETWORKS_EXAMPLE}, "
                f"got {_kind(networks)}"
            )
        if not networks:
            raise _invalid(f"is empty; give at least one network block, e.g. {_NETWORKS_EXAMPLE}")
        for key in networks:
            if key not in NETWORK_KEYS:
                alias = NETWORK_ALIASES.get(key.lower().strip())
                hint = f" ({alias})" if alias else _did_you_mean(key.lower().strip(), NETWORK_KEYS)
                raise _invalid(
                    f"{key!r} is not a Publer network key{hint}; valid keys: {_listing(NETWORK_KEYS)}", key
                )
        return networks

    @field_validator("networks", mode="after")
    @classmethod
    def _text_limits(cls, networks: dict[str, NetworkContent]) -> dict[str, NetworkContent]:
        for key, block in networks.items():
            _check_text_limit(key, block)
        return networks

    @field_validator("accounts", mode="before")
    @classmethod
    def _accounts_is_a_list(cls, accounts: Any) -> Any:
        if isinstance(accounts, dict):
            raise _invalid("is a single account (a dict) but must be a list; wrap it: [{...}]")
        if not isinstance(accounts, list):
            raise _invalid(f'must be a list like [{{"id": "<account id>"}}], got {_kind(accounts)}')
        return accounts

    @field_validator("accounts", mode="after")
    @classmethod
    def _each_account_once(cls, accounts: list[AccountSchedule]) -> list[AccountSchedule]:
        seen: dict[str, int] = {}
        for index, account in enumerate(accounts):
            if account.id in seen:
                raise _invalid(
                    f"account {account.id} is listed twice in this post (also accounts[{seen[account.id]}]); "
                    "list each account once per post",
                    f"[{index}].id",
                )
            seen[account.id] = index
        return accounts

    @model_validator(mode="after")
    def _auto_needs_a_range(self) -> Post:
        if self.auto and not (self.range and self.range.start_date):
            raise _invalid(
                'auto-scheduling ("auto": true) needs "range": {"start_date": "..."} (end_date is optional)',
                "range.start_date",
            )
        return self


# -- an update ------------------------------------------------------------------------------------


def _list_like(example: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            raise _invalid(f"must be like {example}, got {_kind(value)}")
        return list(value)

    return check


def _dict_like(example: str) -> Callable[[Any], Any]:
    def check(value: Any) -> Any:
        if not isinstance(value, dict):
            raise _invalid(f"must be like {example}, got {_kind(value)}")
        return value

    return check


_FeaturedMedia = Annotated[dict[str, Any], BeforeValidator(_dict_like('{"path": "https://..."}'))]


class PostUpdate(PublerModel):
    """The ``post`` object of ``PUT /posts/{id}``: the fields of a post to change.

    Only the fields Publer's update takes are accepted (an unknown one is refused with the closest
    known one). When the network of the post is known (``model_validate(..., context={"network":
    "twitter"})``), ``text`` is checked against that network's limit, counted as it counts.
    After publishing, most networks let only some fields change:
    :func:`airflow_provider_publer.networks.editable_after_publishing`.

    Publer docs: Update Posts (reference §5.7).
    """

    model_config = ConfigDict(extra="forbid")

    type: str | None = Field(None, description="Content type, e.g. `status`.")
    text: str | None = Field(None, description="New text; never blank.")
    url: str | None = Field(None, description="Link of a link post.")
    title: str | None = Field(None, description="Title (YouTube, WordPress, Facebook video...).")
    excerpt: str | None = Field(None, description="WordPress excerpt.")
    question: str | None = Field(None, description="Poll question.")
    duration: int | None = Field(None, description="Poll duration in days.")
    featured_media: (
        Annotated[dict[str, Any], BeforeValidator(_dict_like('{"path": "https://..."}'))] | None
    ) = Field(None, description='WordPress featured image: `{"path": "https://..."}`.')
    media: Annotated[list[MediaItem], BeforeValidator(_list_like('[{"id": "<media id>"}]'))] | None = Field(
        None, description="The post's media, replacing it."
    )
    link: Annotated[LinkPreview, BeforeValidator(_dict_like('{"url": "https://..."}'))] | None = Field(
        None, description="Preview card of a link post."
    )
    labels: Annotated[list[str], BeforeValidator(_list_like('["launch"]'))] | None = Field(
        None, description="Label names or ids."
    )

    @model_validator(mode="before")
    @classmethod
    def _fields_publer_takes(cls, data: Any) -> Any:
        if isinstance(data, PostUpdate):
            return data
        if not isinstance(data, dict):
            raise _invalid(
                f'must be a dict of the fields to change, e.g. {{"text": "New text"}}, got {_kind(data)}'
            )
        if not data:
            raise _invalid(f"is empty; give at least one field to change ({_listing(UPDATE_FIELDS)})")
        for key in data:
            if key not in UPDATE_FIELDS:
                raise _invalid(
                    f"is not a field PUT /posts/{{id}} takes{_did_you_mean(key, UPDATE_FIELDS)}; "
                    f"use {_listing(UPDATE_FIELDS)}",
                    str(key),
                )
        return data

    @field_validator("text", mode="before")
    @classmethod
    def _text_is_not_blank(cls, text: Any, info: ValidationInfo) -> Any:
        if not isinstance(text, str) or not text.strip():
            raise _invalid(
                f'must be non-empty text (Publer answers 422 "Text can\'t be blank"), '
                f"got {_kind(text)} {text!r}"
            )
        network = (info.context or {}).get("network")
        problem = text_limit_problem(network, text) if isinstance(network, str) else None
        if problem:
            raise _invalid(problem)
        return text


# -- JSON schema -----------------------------------------------------------------------------------


class _OmittedNotNull(GenerateJsonSchema):
    """Optional fields are left out of the body, never sent as null: describe them without null."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        if schema.get("default") is None:
            return self.generate_inner(schema["schema"])
        return super().default_schema(schema)


def post_json_schema() -> dict[str, Any]:
    """JSON schema of one item of ``bulk.posts`` as Publer receives it (docs/post-schema.json)."""
    schema = Post.model_json_schema(mode="serialization", schema_generator=_OmittedNotNull)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


def post_json_schema_text() -> str:
    """:func:`post_json_schema` as the text stored in docs/post-schema.json."""
    return json.dumps(post_json_schema(), indent=2, ensure_ascii=False).replace("``", "`") + "\n"


def main(argv: list[str] | None = None) -> None:
    """``python -m airflow_provider_publer.models [PATH]``: write the schema to PATH or stdout."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        with open(args[0], "w", encoding="utf-8") as out:
            out.write(post_json_schema_text())
    else:
        sys.stdout.write(post_json_schema_text())


if __name__ == "__main__":
    main()
