"""One place for Publer's response quirks.

Publer's documentation, its OpenAPI description and its live API disagree on the
shape of the same answers (see ``docs/publer-api-variants.md``): a job id comes
flat or inside ``{"success", "data"}``; a job status says ``complete`` or
``completed``, flat or under ``data.result``; ``failures`` is ``{}``, a list, or a
dict of lists; accounts come as a list or as ``{"accounts": [...]}``; errors come
as ``{"errors": [...]}`` except 429's ``{"error": "..."}``.

The synchronous hook methods and the asynchronous ones used by the trigger both
parse every answer through this module, so each quirk is handled exactly once.
Nothing here does I/O or imports Airflow.
"""

from __future__ import annotations

import email.utils
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerAuthenticationError,
    PublerNotFoundError,
    PublerPermissionError,
    PublerRateLimitError,
    PublerServerError,
)

JOB_WORKING = "working"
JOB_COMPLETE = "complete"
JOB_FAILED = "failed"

#: Status spellings that mean "finished successfully" (OpenAPI says ``complete``, prose ``completed``).
SUCCESS_STATUSES = frozenset({"complete", "completed"})
#: Status spellings that mean "finished and failed".
FAILED_STATUSES = frozenset({"failed", "failure", "error"})
#: Status spellings that mean "still running": keep waiting.
RUNNING_STATUSES = frozenset({"working", "pending", "queued", "processing", "in_progress", "running"})

#: Publer's failure message when a post collides with another one on the same account.
ANOTHER_POST_AT_THIS_TIME = "another post at this time"


def unwrap(body: Any) -> Any:
    """Return the payload of a ``{"success": ..., "data": ...}`` envelope, or ``body`` unchanged."""
    if isinstance(body, Mapping) and "data" in body and ("success" in body or len(body) == 1):
        return body["data"]
    return body


def parse_job_id(body: Any) -> str:
    """Read the job id of a submit answer: ``{"job_id"}`` or ``{"success", "data": {"job_id"}}``."""
    for candidate in (body, unwrap(body)):
        if isinstance(candidate, Mapping):
            job_id = candidate.get("job_id") or candidate.get("id")
            if isinstance(job_id, (str, int)) and str(job_id):
                return str(job_id)
    raise PublerAPIError(200, [f"the answer holds no job_id: {_preview(body)}"])


@dataclass(frozen=True)
class PublerJobResult:
    """The normalised state of one Publer job, whatever envelope Publer used.

    :param job_id: the job's id.
    :param status: Publer's status, lower-cased (``working``, ``complete``, ``completed``, ``failed``...).
    :param failures: per-account failures ``{account_id, account_name, provider, message}``.
    :param payload: the job payload without failures (media objects for media jobs).
    :param raw: the answer as Publer sent it.
    """

    job_id: str
    status: str
    failures: list[dict[str, Any]] = field(default_factory=list)
    payload: Any = None
    raw: Any = None

    @property
    def is_running(self) -> bool:
        """Still working (or a status this provider does not know yet: keep waiting, never succeed)."""
        return not self.is_finished

    @property
    def is_finished(self) -> bool:
        return self.status in SUCCESS_STATUSES or self.status in FAILED_STATUSES

    @property
    def is_success(self) -> bool:
        """Finished, explicitly complete, and no account failed."""
        return self.status in SUCCESS_STATUSES and not self.failures

    @property
    def is_known_status(self) -> bool:
        return self.is_finished or self.status in RUNNING_STATUSES

    def failure_summary(self) -> str:
        """One line per failed account: name, network, Publer's reason."""
        return "\n".join(describe_failure(f) for f in self.failures)

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible form, fit for XCom and trigger events."""
        return {
            "job_id": self.job_id,
            "status": self.status,
            "succeeded": self.is_success,
            "failures": [dict(f) for f in self.failures],
            "payload": self.payload,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PublerJobResult:
        return cls(
            job_id=str(data.get("job_id", "")),
            status=str(data.get("status", "")),
            failures=[dict(f) for f in data.get("failures") or []],
            payload=data.get("payload"),
        )


def parse_job_status(job_id: str, body: Any) -> PublerJobResult:
    """Normalise every documented form of ``GET /job_status/{id}``.

    Handles the flat ``{status, payload}`` form, the ``{success, data: {status,
    result: {status, payload, plan}}}`` envelope, ``complete``/``completed``, and
    ``failures`` as ``{}``, a list, or a dict of lists/objects.
    """
    outer = unwrap(body)
    if not isinstance(outer, Mapping):
        raise PublerAPIError(200, [f"unexpected job status answer for job {job_id}: {_preview(body)}"])
    result = outer.get("result")
    inner: Mapping[str, Any] = result if isinstance(result, Mapping) else outer
    status = outer.get("status") or inner.get("status") or ""
    payload = inner.get("payload", outer.get("payload"))
    failures: list[dict[str, Any]] = []
    rest: Any = payload
    if isinstance(payload, Mapping):
        failures = normalise_failures(payload.get("failures"))
        rest = {k: v for k, v in payload.items() if k != "failures"} or None
    return PublerJobResult(
        job_id=str(job_id), status=str(status).strip().lower(), failures=failures, payload=rest, raw=body
    )


def created_posts(result: PublerJobResult) -> list[dict[str, Any]]:
    """Posts a finished job says it created, where Publer's answer names them; often none.

    Publer documents only ``failures`` in a post job's payload; live answers to publish-now jobs
    have been seen to carry ``[{"post": {"id", "post_link", ...}}]``, and some ``{"posts": [...]}``.
    """
    payload = result.payload
    if isinstance(payload, Mapping):
        payload = payload.get("posts")
    if not isinstance(payload, list):
        return []
    posts = []
    for item in payload:
        inner = item.get("post") if isinstance(item, Mapping) else None
        post = inner if isinstance(inner, Mapping) else item
        if isinstance(post, Mapping) and (post.get("id") or post.get("post_link")):
            posts.append(dict(post))
    return posts


def normalise_failures(failures: Any) -> list[dict[str, Any]]:
    """Flatten ``failures`` (``None``, ``{}``, ``[]``, a list, a dict of lists or of objects) to a list."""
    if not failures:
        return []
    if isinstance(failures, Mapping):
        if _looks_like_failure(failures):
            return [_failure(failures)]
        out: list[dict[str, Any]] = []
        for key, value in failures.items():
            items = value if isinstance(value, list) else [value]
            out.extend(_failure(item, account_id=str(key)) for item in items)
        return out
    if isinstance(failures, list):
        return [_failure(item) for item in failures]
    return [_failure(failures)]


def _looks_like_failure(value: Mapping[str, Any]) -> bool:
    return "message" in value and ("account_id" in value or "provider" in value or "account_name" in value)


def _failure(item: Any, account_id: str | None = None) -> dict[str, Any]:
    if isinstance(item, Mapping):
        failure = dict(item)
        if account_id and not failure.get("account_id"):
            failure["account_id"] = account_id
        failure.setdefault("message", "no reason given")
        return failure
    return {"account_id": account_id, "message": str(item)}


def describe_failure(failure: Mapping[str, Any]) -> str:
    """``'Brand Page' (facebook, account 63c6...): There's another post at this time...``."""
    name = failure.get("account_name") or "unnamed account"
    provider = failure.get("provider") or "unknown network"
    account = failure.get("account_id") or "?"
    job = f", job {failure['job_id']}" if failure.get("job_id") else ""
    return f"'{name}' ({provider}, account {account}{job}): {failure.get('message', 'no reason given')}"


def is_collision_failure(failure: Mapping[str, Any]) -> bool:
    """True for Publer's "There's another post at this time" failure."""
    return ANOTHER_POST_AT_THIS_TIME in str(failure.get("message", "")).lower()


def parse_list(body: Any, key: str) -> list[dict[str, Any]]:
    """Read a list that Publer sends bare, as ``{key: [...]}``, or inside the ``data`` envelope."""
    value = unwrap(body)
    if isinstance(value, Mapping):
        value = value.get(key, value.get("data"))
    if not isinstance(value, list):
        raise PublerAPIError(200, [f"expected a list of {key}, got: {_preview(body)}"])
    return [dict(item) for item in value if isinstance(item, Mapping)]


class Pager:
    """Walks a paged Publer endpoint without trusting the page number Publer echoes.

    Publer's pages are requested 0-based (``page=0, 1, ...``), but its own docs example echoes
    ``"page": 1`` for a first page, some answers carry no totals, and a server may answer any
    page past the end with the last page again. So the walk ends on what was *requested*:

    - an empty page ends it;
    - a page holding nothing new (a repeat of what was listed) ends it, and adds nothing;
    - ``total`` (items) reached, or the requested page number reaching ``total_pages``, ends it.

    The echoed ``page`` is never used. Use: ``while not pager.done: pager.feed(get(pager.page))``.

    :param key: the list's key in the answer (``posts``, ``media``, ...).
    :param max_pages: safety stop for a server that never ends.
    """

    def __init__(self, key: str, *, max_pages: int = 10_000) -> None:
        self.key = key
        self.max_pages = max_pages
        self.page = 0
        self.done = False
        self.items: list[dict[str, Any]] = []
        self._seen: set[str] = set()

    def feed(self, body: Any) -> None:
        """Take the answer to the request for page :attr:`page`; move on or finish."""
        value = unwrap(body)
        batch = parse_list(value, self.key)
        meta = value if isinstance(value, Mapping) else {}
        fresh = [item for item in batch if _item_key(item) not in self._seen]
        self._seen.update(_item_key(item) for item in fresh)
        self.items.extend(fresh)
        total = _as_int(meta.get("total"), None)
        total_pages = _as_int(meta.get("total_pages"), None)
        self.page += 1
        self.done = (
            not batch
            or not fresh
            or (total is not None and len(self.items) >= total)
            or (total_pages is not None and self.page >= total_pages)
            or self.page >= self.max_pages
        )


def _item_key(item: Mapping[str, Any]) -> str:
    """An item's identity for spotting repeated pages: its id, else its whole content."""
    if item.get("id") is not None:
        return f"id:{item['id']}"
    return "json:" + repr(sorted(item.items(), key=lambda kv: kv[0]))


def error_messages(body: Any, text: str = "") -> list[str]:
    """Publer's error messages: ``errors`` (list), then ``error``, ``message``/``code``, then raw text."""
    if isinstance(body, Mapping):
        errors = body.get("errors")
        if isinstance(errors, list) and errors:
            return [str(e) for e in errors]
        if isinstance(errors, (str, Mapping)) and errors:
            return [str(errors)]
        for key in ("error", "message", "code"):
            if body.get(key):
                return [str(body[key])]
    snippet = text.strip()[:300]
    return [snippet] if snippet else []


def api_error(
    status_code: int,
    messages: list[str],
    *,
    method: str = "",
    path: str = "",
    retry_after: float | None = None,
) -> PublerAPIError:
    """Build the typed exception for an HTTP error answer from Publer's (already scrubbed) messages."""
    kwargs: dict[str, Any] = {"method": method, "path": path}
    if status_code == 401:
        return PublerAuthenticationError(status_code, messages, **kwargs)
    if status_code == 403:
        return PublerPermissionError(status_code, messages, **kwargs)
    if status_code == 404:
        return PublerNotFoundError(status_code, messages, **kwargs)
    if status_code == 429:
        return PublerRateLimitError(status_code, messages, retry_after=retry_after, **kwargs)
    if status_code >= 500:
        return PublerServerError(status_code, messages, **kwargs)
    return PublerAPIError(status_code, messages, **kwargs)


def rate_limit_wait(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds to wait after a 429, from ``X-RateLimit-Reset`` (UNIX time) or ``Retry-After``.

    ``now`` is the current UNIX time. Returns ``None`` when neither header says anything usable.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    reset = _as_float(lowered.get("x-ratelimit-reset"))
    if reset is not None:
        # A small value is a delay in seconds, a large one an epoch timestamp.
        return max(0.0, reset - now if reset > 1_000_000_000 else reset)
    retry_after = lowered.get("retry-after")
    if retry_after:
        seconds = _as_float(retry_after)
        if seconds is not None:
            return max(0.0, seconds)
        parsed = email.utils.parsedate_to_datetime(retry_after) if _is_http_date(retry_after) else None
        if parsed is not None:
            return max(0.0, parsed.timestamp() - now)
    return None


def rate_limit_headers(headers: Mapping[str, str], now: float) -> tuple[int | None, int, float] | None:
    """``(limit, remaining, reset)`` from ``X-RateLimit-*`` headers, or ``None`` when absent.

    ``reset`` is a UNIX time; a small ``X-RateLimit-Reset`` is read as seconds from ``now``.
    Publer may send the headers only near the limit, so their absence says nothing.
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    remaining = _as_int(lowered.get("x-ratelimit-remaining"), None)
    reset = _as_float(lowered.get("x-ratelimit-reset"))
    if remaining is None or reset is None:
        return None
    absolute = reset if reset > 1_000_000_000 else now + reset
    return _as_int(lowered.get("x-ratelimit-limit"), None), remaining, absolute


def _is_http_date(value: str) -> bool:
    try:
        return email.utils.parsedate_to_datetime(value) is not None
    except (TypeError, ValueError):
        return False


def _as_float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _as_int(value: Any, default: int | None) -> int | None:
    try:
        return int(value) if value is not None else default
    except (TypeError, ValueError):
        return default


def _preview(body: Any, limit: int = 200) -> str:
    text = repr(body)
    return text if len(text) <= limit else text[:limit] + "..."


# -- media, updates, post states and analytics --------------------------------------------------------

#: Metrics of a post's ``analytics`` (reference §11, the ``sort_by`` list): each becomes a number or None.
POST_METRICS: tuple[str, ...] = (
    "reach",
    "engagement",
    "engagement_rate",
    "likes",
    "comments",
    "shares",
    "saves",
    "video_views",
    "link_clicks",
    "post_clicks",
    "click_through_rate",
    "reach_rate",
)

#: Keys under which a failed post may carry its reason. Publer documents none; the sandbox (and
#: some live answers) use ``error``. The first non-empty one is read.
POST_ERROR_KEYS: tuple[str, ...] = ("error", "error_message", "failure_reason", "errors")


def parse_media(body: Any) -> dict[str, Any]:
    """A media object of ``POST /media``: flat ``{id, path, thumbnail, type, name, ...}`` (the docs'
    sample), inside ``{"success", "data": {...}}``, or under ``media`` (``{"media": {...}}``)."""
    value = unwrap(body)
    if isinstance(value, Mapping) and "id" not in value and isinstance(value.get("media"), Mapping):
        value = value["media"]
    if not isinstance(value, Mapping) or not value.get("id"):
        raise PublerAPIError(200, [f"the upload answer holds no media id: {_preview(body)}"])
    return dict(value)


def media_job_media(result: PublerJobResult) -> list[dict[str, Any]]:
    """The media a finished ``POST /media/from-url`` job created, from its payload.

    The payload is a list of media objects (``[{"id": ...}]``), a single object (community
    observation, reference §8.1d), or either under ``media``; ``None``/``{}`` means none.
    """
    payload = result.payload
    if isinstance(payload, Mapping) and "id" not in payload:
        payload = payload.get("media", payload.get("data"))
    items = [payload] if isinstance(payload, Mapping) else payload
    if not isinstance(items, list):
        return []
    return [dict(item) for item in items if isinstance(item, Mapping) and item.get("id")]


def media_job_errors(result: PublerJobResult) -> list[str]:
    """Why a media import job failed: ``payload.errors`` (list or text), ``payload.error``, or failures."""
    messages = [describe_failure(f) for f in result.failures]
    payload = result.payload
    if isinstance(payload, Mapping):
        messages.extend(error_messages(payload))
    return messages


def parse_post_detail(body: Any) -> dict[str, Any]:
    """The ``PostDetail`` of ``PUT /posts/{id}``: flat, under ``post``, or in the ``data`` envelope."""
    value = unwrap(body)
    if isinstance(value, Mapping) and "id" not in value and isinstance(value.get("post"), Mapping):
        value = value["post"]
    if not isinstance(value, Mapping):
        raise PublerAPIError(200, [f"unexpected answer to a post update: {_preview(body)}"])
    return dict(value)


def parse_deleted_ids(body: Any) -> list[str]:
    """``{"deleted_ids": [...]}`` of ``DELETE /posts`` (flat or in the ``data`` envelope); else none."""
    value = unwrap(body)
    deleted = value.get("deleted_ids") if isinstance(value, Mapping) else value
    if not isinstance(deleted, list):
        return []
    return [str(item) for item in deleted if item is not None]


class DeletedPosts(list[str]):
    """The ids ``DELETE /posts`` reports as deleted (a plain list of them), and the ids it could not
    confirm because an answer was lost.

    Publer answers a DELETE with the ids it deleted. When an attempt reached Publer and its answer
    was lost (a 5xx, a timeout, a broken connection), the hook repeats the DELETE; Publer may have
    applied the first one, and then the repeat no longer reports those ids. They are in
    :attr:`unconfirmed`: maybe deleted, maybe kept. A post no longer listed (``find_posts``) was
    deleted; one still listed was kept.

    :param deleted: the ids Publer reported as deleted.
    :param unconfirmed: the other ids sent, when an earlier attempt's answer was lost; empty when
        every answer arrived (Publer then kept the ids it did not report).
    """

    def __init__(self, deleted: Iterable[str] = (), *, unconfirmed: Iterable[str] = ()) -> None:
        super().__init__(deleted)
        self.unconfirmed: list[str] = list(unconfirmed)

    def __repr__(self) -> str:
        return f"DeletedPosts({list(self)!r}, unconfirmed={self.unconfirmed!r})"


def post_base_state(post: Mapping[str, Any]) -> str:
    """A listed post's base state: ``published`` for ``published_posted``, ``scheduled`` for
    ``scheduled_approved``... (reference §5.4); ``""`` when the post has none."""
    return str(post.get("state") or "").strip().lower().split("_", 1)[0]


def post_error(post: Mapping[str, Any]) -> str | None:
    """Why a failed post failed, when Publer says (``error`` and the like); ``None`` otherwise."""
    for key in POST_ERROR_KEYS:
        value = post.get(key)
        if isinstance(value, list):
            value = "; ".join(str(v) for v in value if v)
        if value:
            return str(value)
    return None


def metric_value(metric: Any) -> int | float | None:
    """One analytics figure as a plain number: ``{name, value, tooltip}`` objects (live answers,
    reference §11) give their ``value``; numbers stay numbers; numeric text is read; anything
    else, and an absent metric, is ``None``."""
    if isinstance(metric, Mapping):
        metric = metric.get("value")
    if isinstance(metric, bool):
        return None
    if isinstance(metric, (int, float)):
        return metric
    if isinstance(metric, str):
        text = metric.strip().rstrip("%").replace(",", "")
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() and "." not in text else number
    return None


def parse_post_insight(post: Mapping[str, Any]) -> dict[str, Any]:
    """A ``post_insights`` item with ``analytics`` as plain numbers: every metric of
    :data:`POST_METRICS` present (``None`` when Publer left it out, as it does for ``engagement``
    and ``saves``), plus any other metric Publer sent."""
    item = dict(post)
    raw = post.get("analytics")
    raw = raw if isinstance(raw, Mapping) else {}
    analytics: dict[str, Any] = {name: metric_value(raw.get(name)) for name in POST_METRICS}
    analytics.update({str(k): metric_value(v) for k, v in raw.items() if k not in analytics})
    item["analytics"] = analytics
    return item


def parse_best_times(body: Any) -> dict[str, list[Any]]:
    """``best_times``: an object keyed by weekday, each 24 hourly scores; ``[]`` (Publer's answer
    without dates) or an empty answer gives ``{}``."""
    value = unwrap(body)
    if isinstance(value, Mapping) and isinstance(value.get("best_times"), Mapping):
        value = value["best_times"]
    if not isinstance(value, Mapping):
        return {}
    return {str(day): list(scores) for day, scores in value.items() if isinstance(scores, list)}


def parse_members(body: Any) -> list[dict[str, Any]]:
    """``analytics/members`` rows; ``engagements``, ``posts`` and ``reach`` as numbers or ``None``
    (``reach`` may be absent, reference §11). A bare list, ``{"members": [...]}`` or the envelope."""
    rows = parse_list(body, "members")
    for row in rows:
        for key in ("engagements", "posts", "reach"):
            row[key] = metric_value(row.get(key))
    return rows


def parse_chart_data(body: Any) -> dict[str, Any]:
    """``chart_data``: ``{"current": {chart: ...}, "previous": {chart: ...}}`` (flat or enveloped);
    a missing period is ``{}``."""
    value = unwrap(body)
    if not isinstance(value, Mapping):
        raise PublerAPIError(200, [f"unexpected chart data answer: {_preview(body)}"])
    return {
        period: dict(value[period]) if isinstance(value.get(period), Mapping) else {}
        for period in ("current", "previous")
    }


#: Keys of a media object that a post's ``networks.<network>.media`` items take (reference §10.3).
MEDIA_ITEM_KEYS: tuple[str, ...] = ("id", "type", "path", "thumbnail", "alt_text", "caption")


def media_item(media: Mapping[str, Any]) -> dict[str, Any]:
    """A media object (of ``POST /media``, a from-url job or ``GET /media``) as an item of a post's
    ``networks.<network>.media``: ``{id, type, path, thumbnail}`` (empty fields left out).

    ``GET /media`` gives ``thumbnails: [{id, small, real}]`` instead of ``thumbnail``; its first
    ``real`` (else ``small``) is used.
    """
    item = {key: media[key] for key in MEDIA_ITEM_KEYS if media.get(key) not in (None, "", [], {})}
    thumbnails = media.get("thumbnails")
    if "thumbnail" not in item and isinstance(thumbnails, list) and thumbnails:
        first = thumbnails[0] if isinstance(thumbnails[0], Mapping) else {}
        thumbnail = first.get("real") or first.get("small")
        if thumbnail:
            item["thumbnail"] = thumbnail
    return item
