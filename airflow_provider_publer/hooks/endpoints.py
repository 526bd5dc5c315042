"""Publer's endpoints, each described once: its method, its path, and the parser of its answer.

Why this module exists: the hook's public methods differ only in which endpoint they call, the
parameters they send and how they read the answer. Here each endpoint is one
:class:`Endpoint` line, so adding one is a path, its parameters (built by the hook method that
calls it) and one parser from :mod:`airflow_provider_publer.responses`. The transport
(:mod:`airflow_provider_publer.hooks.transport`) sends an endpoint; this module does no I/O.

Ids that enter a URL path (``job_status/{job_id}``, ``posts/{post_id}``,
``analytics/{account_id}/...``) are checked by the provider's one id check,
:func:`~airflow_provider_publer.validation.validate_id` (through :func:`checked_id`, which adds
the hint for an XCom that was never pushed), and percent-escaped as one path segment, so no
``?``, ``#`` or ``/`` in an id can change which URL is called.

Also here: the query parameters several endpoints share, and the hints added to Publer's
errors where an endpoint's refusal means something specific.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Generic, TypeVar
from urllib.parse import quote

from airflow_provider_publer import responses
from airflow_provider_publer.exceptions import PublerAPIError, PublerNotFoundError, PublerValidationError
from airflow_provider_publer.networks import editable_after_publishing_summary
from airflow_provider_publer.responses import PublerJobResult
from airflow_provider_publer.validation import validate_id

T = TypeVar("T")

__all__ = [
    "ACCOUNTS",
    "ANALYTICS_CHARTS",
    "BEST_TIMES",
    "CHART_DATA",
    "CURRENT_USER",
    "DELETE_POSTS",
    "HASHTAG_INSIGHTS",
    "IMPORT_MEDIA",
    "JOB_STATUS",
    "MEDIA",
    "MEDIA_BY_ID",
    "MEMBERS_ANALYTICS",
    "POSTS",
    "POST_INSIGHTS",
    "PUBLISH_POSTS",
    "SCHEDULE_POSTS",
    "UPDATE_POST",
    "UPLOAD_MEDIA",
    "WORKSPACES",
    "Endpoint",
    "checked_id",
]


def checked_id(value: Any, name: str) -> str:
    """An id as Publer lists it: the one id check,
    :func:`~airflow_provider_publer.ids.validate_id`, which refuses every character that
    would change the URL the id enters (``/``, ``?``, ``#``, ``%``, ``.``...); ``None`` (an XCom
    that was never pushed) gets the hint to check the upstream task. The error names ``name``."""
    if value is None:
        raise PublerValidationError(
            f"must be a Publer id such as '68176fa0f0eb419444bee686', got {value!r}. If it comes from XCom, "
            "check that the upstream task pushed it.",
            field=name,
        )
    return validate_id(value, field=name)


@dataclass(frozen=True)
class Endpoint(Generic[T]):
    """One Publer endpoint: what the hook sends and how it reads the answer.

    :param method: the HTTP method.
    :param path: the path under the API base URL; each ``{name}`` in it is an id, checked with
        :func:`checked_id` (the error names ``name``) and percent-escaped as one path segment.
    :param parse: reads the decoded answer (``None`` for an empty one); for a paged endpoint it
        reads the list of every page's items.
    :param pages: for a paged endpoint, the key of its items (``posts``, ``media``, ``records``):
        the hook then follows every page (:class:`~airflow_provider_publer.responses.Pager`).
    :param parse_with_ids: the parser also takes the path's ids as keyword arguments.
    """

    method: str
    path: str
    parse: Callable[..., T]
    pages: str | None = None
    parse_with_ids: bool = False
    ids: tuple[str, ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = tuple(name for _, name, _, _ in string.Formatter().parse(self.path) if name)
        object.__setattr__(self, "ids", names)

    def url_path(self, ids: Mapping[str, Any]) -> str:
        """The path with every id checked and escaped (``job_status/a%3Fb`` for the id ``a?b``)."""
        if set(ids) != set(self.ids):
            raise TypeError(f"{self.method} {self.path} takes the ids {self.ids}, got {sorted(ids)}")
        return self.path.format_map({name: quote(checked_id(ids[name], name), safe="") for name in self.ids})

    def read(self, body: Any, ids: Mapping[str, Any]) -> T:
        """The parsed answer."""
        return self.parse(body, **ids) if self.parse_with_ids else self.parse(body)


def _items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return items


def _current_user(body: Any) -> dict[str, Any]:
    user = responses.unwrap(body)
    return dict(user) if isinstance(user, Mapping) else {"user": user}


def _job_status(body: Any, *, job_id: str) -> PublerJobResult:
    return responses.parse_job_status(job_id, body)


def _post_insights(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [responses.parse_post_insight(row) for row in rows]


# -- the catalogue: one line per endpoint (reference: docs/publer-api-variants.md) ----------------

#: ``GET /users/me``: the key's user.
CURRENT_USER = Endpoint("GET", "users/me", _current_user)
#: ``GET /workspaces``: the workspaces the key can act in.
WORKSPACES = Endpoint("GET", "workspaces", partial(responses.parse_list, key="workspaces"))
#: ``GET /accounts``: a workspace's social accounts.
ACCOUNTS = Endpoint("GET", "accounts", partial(responses.parse_list, key="accounts"))
#: ``GET /job_status/{job_id}``: where a submitted job is.
JOB_STATUS = Endpoint("GET", "job_status/{job_id}", _job_status, parse_with_ids=True)
#: ``GET /posts``: the posts, every page.
POSTS = Endpoint("GET", "posts", _items, pages="posts")
#: ``POST /posts/schedule``: submit posts (scheduled, drafts...); answers a job id.
SCHEDULE_POSTS = Endpoint("POST", "posts/schedule", responses.parse_job_id)
#: ``POST /posts/schedule/publish``: publish posts now; answers a job id.
PUBLISH_POSTS = Endpoint("POST", "posts/schedule/publish", responses.parse_job_id)
#: ``PUT /posts/{post_id}``: change one post; answers its detail.
UPDATE_POST = Endpoint("PUT", "posts/{post_id}", responses.parse_post_detail)
#: ``DELETE /posts?post_ids[]=``: delete posts; answers the ids deleted.
DELETE_POSTS = Endpoint("DELETE", "posts", responses.parse_deleted_ids)
#: ``POST /media``: upload one file (multipart); answers the media object.
UPLOAD_MEDIA = Endpoint("POST", "media", responses.parse_media)
#: ``POST /media/from-url``: Publer downloads files itself; answers a job id.
IMPORT_MEDIA = Endpoint("POST", "media/from-url", responses.parse_job_id)
#: ``GET /media``: the media library, every page.
MEDIA = Endpoint("GET", "media", _items, pages="media")
#: ``GET /media?ids[]=``: chosen media (Publer ignores paging then): one request.
MEDIA_BY_ID = Endpoint("GET", "media", partial(responses.parse_list, key="media"))
#: ``GET /analytics/{account_id}/post_insights``: per-post metrics, every page.
POST_INSIGHTS = Endpoint("GET", "analytics/{account_id}/post_insights", _post_insights, pages="posts")
#: ``GET /analytics/{account_id}/hashtag_insights``: per-hashtag records, every page.
HASHTAG_INSIGHTS = Endpoint("GET", "analytics/{account_id}/hashtag_insights", _items, pages="records")
#: ``GET /analytics/charts?account_type=``: the charts of a kind of account.
ANALYTICS_CHARTS = Endpoint("GET", "analytics/charts", partial(responses.parse_list, key="charts"))
#: ``GET /analytics/{account_id}/chart_data``: chart series for a period and the one before.
CHART_DATA = Endpoint("GET", "analytics/{account_id}/chart_data", responses.parse_chart_data)
#: ``GET /analytics/{account_id}/best_times``: a score per weekday and hour.
BEST_TIMES = Endpoint("GET", "analytics/{account_id}/best_times", responses.parse_best_times)
#: ``GET /analytics/members``: figures per workspace member.
MEMBERS_ANALYTICS = Endpoint("GET", "analytics/members", responses.parse_members)


# -- parameters several endpoints share --------------------------------------------------------------


def posts_params(
    state: str | Sequence[str] | None,
    account_ids: Iterable[str] | None,
    from_: str | None,
    to: str | None,
    query: str | None,
) -> list[tuple[str, Any]]:
    """The filters of ``GET /posts``: one ``state`` or several ``state[]``, ``account_ids[]``..."""
    params: list[tuple[str, Any]] = []
    if isinstance(state, str):
        params.append(("state", state))
    elif state:
        params.extend(("state[]", s) for s in state)
    params.extend(("account_ids[]", a) for a in account_ids or ())
    if from_:
        params.append(("from", from_))
    if to:
        params.append(("to", to))
    if query:
        params.append(("query", query))
    return params


def analytics_params(
    from_: Any,
    to: Any,
    sort_by: str | None,
    sort_type: str | None,
    sorts: Iterable[str],
    *,
    dates_required: bool = True,
) -> list[tuple[str, Any]]:
    """The query parameters shared by the analytics reads: the period and the order."""
    from airflow_provider_publer.validation import SORT_TYPES, validate_choice, validate_date_range

    params: list[tuple[str, Any]] = []
    if dates_required or from_ is not None or to is not None:
        first, last = validate_date_range(from_, to)
        params.extend([("from", first), ("to", last)])
    if sort_by is not None:
        params.append(("sort_by", validate_choice(sort_by, sorts, field="sort_by")))
    if sort_type is not None:
        kind = sort_type.upper() if isinstance(sort_type, str) else sort_type
        params.append(("sort_type", validate_choice(kind, SORT_TYPES, field="sort_type")))
    return params


def flag(value: Any) -> str:
    """A boolean as a form or query value: ``true`` / ``false``."""
    return "true" if value else "false"


def id_list(ids: Any) -> Any:
    """One id (a string) stays one id; any other iterable becomes a list."""
    return ids if isinstance(ids, str) or ids is None else list(ids)


class FileBody:
    """The ``file`` part of an upload: requests reads it when it builds the body, so a send that is
    repeated (the connection never opened) reads the file again instead of sending nothing."""

    def __init__(self, media: Any) -> None:
        self._media = media

    def read(self) -> bytes:
        data: bytes = self._media.read()
        return data

    def __repr__(self) -> str:
        return f"FileBody({self._media.name!r})"


class PostFinder:
    """Walks ``GET /posts`` with the :class:`~airflow_provider_publer.responses.Pager` until every
    wanted id is found (or the list ends)."""

    def __init__(self, wanted: list[str], max_pages: int) -> None:
        self.wanted = set(wanted)
        self.pager = responses.Pager("posts", max_pages=max_pages)
        self.found: dict[str, dict[str, Any]] = {}

    @property
    def done(self) -> bool:
        return self.pager.done or len(self.found) == len(self.wanted)

    def params(self, filters: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        return [*filters, ("page", self.pager.page)]

    def feed(self, body: Any) -> None:
        seen = len(self.pager.items)
        self.pager.feed(body)
        for post in self.pager.items[seen:]:
            post_id = str(post.get("id"))
            if post_id in self.wanted:
                self.found[post_id] = post


# -- what an endpoint's refusal means -----------------------------------------------------------------


def job_not_found(err: PublerNotFoundError, job_id: str, workspace: str) -> PublerNotFoundError:
    """A 404 of ``GET /job_status/{id}``, naming the workspace asked."""
    return PublerNotFoundError(
        err.status_code,
        [
            *err.messages,
            f"job {job_id} is not known in workspace {workspace}; a job is found only in the workspace it "
            "was submitted in (the operator's workspace_id)",
        ],
        method=err.method,
        path=err.path,
    )


def update_refused(err: PublerAPIError, post_id: str, workspace: str) -> PublerAPIError:
    """A refused ``PUT /posts/{id}`` with what it means for that post and what to do."""
    if err.status_code == 403:
        hint = (
            f"Publer refuses to update post {post_id}: a post published with approval cannot be changed "
            "by anyone; otherwise the key lacks the 'posts' scope or the post is another workspace's"
        )
    elif err.status_code == 422:
        hint = (
            f"Publer cannot apply this update to post {post_id}: after publishing, most networks let only "
            f"some fields change ({editable_after_publishing_summary(grouped=False)})"
        )
    elif err.status_code == 404:
        hint = f"post {post_id} does not exist in workspace {workspace} (deleted, or another workspace's)"
    else:
        return err
    return type(err)(err.status_code, [*err.messages, hint], method=err.method, path=err.path)
