"""The Publer hook: the only code of the provider that speaks HTTP to Publer.

:class:`PublerHook` is the public face: one method per Publer endpoint, each checking its
arguments before anything is sent and documenting the endpoint it calls, the shapes and units
it returns and the errors it raises. It is built from two parts:

- :mod:`airflow_provider_publer.hooks.transport` sends (its base class
  :class:`~airflow_provider_publer.hooks.transport.PublerTransport`): the API key and default
  workspace of an Airflow connection of type ``publer``, one ``requests.Session`` per hook and,
  for the triggerer, ``httpx.AsyncClient`` s shared per event loop; one retry policy
  (:mod:`airflow_provider_publer.retries`): reads, deletes, 429s and connections that never
  reached Publer are retried with backoff, a POST whose outcome is unknown is never repeated
  (:class:`PublerOutcomeUnknownError`); pacing from Publer's ``X-RateLimit-*`` headers so the
  key's budget (100 requests per 2 minutes per user) is not run into; errors mapped and
  scrubbed of the key.
- :mod:`airflow_provider_publer.hooks.endpoints` describes each endpoint once (method, path,
  parser from :mod:`airflow_provider_publer.responses`); ids in a path are checked and escaped.

The Test button's messages live with the connection code
(:mod:`airflow_provider_publer.connection_check`).
"""

from __future__ import annotations

import time  # noqa: F401 - kept importable here: tests patch time.time through this module
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode, urlsplit

from airflow_provider_publer import connection_check, connection_form
from airflow_provider_publer.connection_check import TEST_CONNECTION_TIMEOUT
from airflow_provider_publer.connection_form import DEFAULT_BASE_URL
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerError,
    PublerNotFoundError,
    PublerValidationError,
)
from airflow_provider_publer.hooks import endpoints
from airflow_provider_publer.hooks.endpoints import checked_id
from airflow_provider_publer.hooks.transport import (
    _SHARED,
    SAFE_METHODS,
    SETTINGS_TTL,
    USER_AGENT,
    PublerTransport,
    aclose_clients,
)
from airflow_provider_publer.masked_secrets import refuse_masked_secrets
from airflow_provider_publer.responses import DeletedPosts, PublerJobResult
from airflow_provider_publer.validation import ValidatedPosts, validate_posts

__all__ = [
    "DEFAULT_BASE_URL",
    "PUBLER_HOST",
    "SAFE_METHODS",
    "SETTINGS_TTL",
    "TEST_CONNECTION_TIMEOUT",
    "UPLOAD_TIMEOUT",
    "USER_AGENT",
    "_SHARED",
    "PublerHook",
    "aclose_clients",
]

PUBLER_HOST = "app.publer.com"
#: Seconds an upload's answer may take at least (Publer stores the file before it answers).
UPLOAD_TIMEOUT = 120.0


class PublerHook(PublerTransport):
    """Talk to the Publer API with the key and workspace of an Airflow connection.


    :param publer_conn_id: Airflow connection of type ``publer``. Password: API key; host (with or
        without scheme), port and schema (the URL path): the API base URL, empty meaning
        ``https://app.publer.com/api/v1``; extra ``workspace_id``: default workspace; extra
        ``verify`` (bool or CA bundle path), ``proxies`` (scheme -> URL) and ``trust_env``.
    :param workspace_id: workspace to act in, overriding the connection's default.
    :param timeout: seconds allowed for each HTTP request (connect and read).
    :param max_retries: retries of a request that is safe to repeat, after network trouble or 5xx.
    :param retry_base_delay: first backoff delay in seconds; doubled at each retry, plus jitter.
    :param max_retry_wait: longest wait accepted for one retry (Publer's rate window is 120 s).
    :param deadline: UNIX time after which no retry or pacing wait starts (a sensor's time left).
    :param sleep: how to wait (tests pass a recorder).
    """

    conn_name_attr = "publer_conn_id"
    default_conn_name = "publer_default"
    conn_type = "publer"
    hook_name = "Publer"

    # -- connection form -------------------------------------------------------------------------

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Relabel and hide the standard fields (read by Airflow 3.1; 3.2+ read provider info)."""
        return connection_form.ui_field_behaviour(provider_info=False)

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """The ``workspace_id`` extra field (Airflow 3.1 with the FAB UI packages installed)."""
        from wtforms import StringField

        try:
            from flask_appbuilder.fieldwidgets import BS3TextFieldWidget
        except ImportError:
            widget = None
        else:
            widget = BS3TextFieldWidget()
        return {
            "workspace_id": StringField(
                connection_form.WORKSPACE_LABEL,
                widget=widget,
                description=connection_form.WORKSPACE_DESCRIPTION,
            )
        }

    def web_app_url(self, job_id: str | None = None) -> str:
        """The web app that serves this API, for extra links.

        For Publer that is ``https://app.publer.com/`` (Publer has no page per job). A
        compatible server such as the project's sandbox lists a job's posts at ``/?job_id=``.
        """
        parts = urlsplit(self.settings.base_url)
        root = f"{parts.scheme}://{parts.netloc}/"
        if not job_id or parts.netloc == PUBLER_HOST:
            return root
        return f"{root}?{urlencode({'job_id': job_id})}"

    # -- read ------------------------------------------------------------------------------------

    def get_current_user(self) -> dict[str, Any]:
        """``GET /users/me``: the user that owns the API key (``{id, email, name, ...}``)."""
        return self._call(endpoints.CURRENT_USER)

    def list_workspaces(self) -> list[dict[str, Any]]:
        """``GET /workspaces``: every workspace the key can act in (``[{id, name, ...}]``)."""
        return self._call(endpoints.WORKSPACES)

    def list_accounts(self, workspace_id: str | None = None) -> list[dict[str, Any]]:
        """``GET /accounts``: the social accounts of a workspace (list or ``{"accounts": [...]}``)."""
        return self._call(endpoints.ACCOUNTS, workspace=self.resolve_workspace(workspace_id))

    def get_job_status(self, job_id: str, workspace_id: str | None = None) -> PublerJobResult:
        """``GET /job_status/{id}``, normalised whatever envelope Publer used.

        :raises PublerNotFoundError: Publer knows no such job in that workspace (the message
            names the workspace asked).
        """
        job_id = checked_id(job_id, "job_id")
        workspace = self.resolve_workspace(workspace_id)
        try:
            return self._call(endpoints.JOB_STATUS, ids={"job_id": job_id}, workspace=workspace)
        except PublerNotFoundError as err:
            raise endpoints.job_not_found(err, job_id, workspace) from None

    async def aget_job_status(self, job_id: str, workspace_id: str | None = None) -> PublerJobResult:
        """Async ``GET /job_status/{id}`` for the triggerer, parsed by the same normalisation."""
        job_id = checked_id(job_id, "job_id")
        workspace = self._pick_workspace(workspace_id, await self.asettings())
        try:
            return await self._acall(endpoints.JOB_STATUS, ids={"job_id": job_id}, workspace=workspace)
        except PublerNotFoundError as err:
            raise endpoints.job_not_found(err, job_id, workspace) from None

    def list_posts(
        self,
        state: str | Sequence[str] | None = None,
        account_ids: Iterable[str] | None = None,
        from_: str | None = None,
        to: str | None = None,
        query: str | None = None,
        workspace_id: str | None = None,
        *,
        max_pages: int = 10_000,
    ) -> list[dict[str, Any]]:
        """``GET /posts`` following every page (0-based; the echoed ``page`` is not trusted).

        :param state: one state (``scheduled``) or several (sent as ``state[]``).
        :param account_ids: only posts of these accounts.
        :param from_: ISO date/datetime, posts on or after (Publer requires ``to`` with it).
        :param to: ISO date/datetime, posts on or before.
        :param query: full-text search.
        :return: Publer's post summaries ``{id, text, state, type, account_id, scheduled_at,
            post_link, network, ...}``, each once.
        """
        params = endpoints.posts_params(state, account_ids, from_, to, query)
        return self._call_pages(endpoints.POSTS, params, self.resolve_workspace(workspace_id), max_pages)

    # -- write -----------------------------------------------------------------------------------

    def schedule_posts(
        self, posts: Sequence[Mapping[str, Any]], state: str = "scheduled", workspace_id: str | None = None
    ) -> str:
        """``POST /posts/schedule`` with ``bulk.posts`` as Publer documents it; returns the job id.

        The posts are validated first (unless they are
        :class:`~airflow_provider_publer.validation.ValidatedPosts` checked for this state);
        nothing is sent if any is invalid. The POST is never
        repeated when its outcome is unknown (see :class:`PublerOutcomeUnknownError`).
        """
        checked = _validated(posts, state, publish_now=False)
        refuse_masked_secrets(checked, "posts")
        return self._submit(endpoints.SCHEDULE_POSTS, state, checked, workspace_id)

    def publish_posts(
        self, posts: Sequence[Mapping[str, Any]], workspace_id: str | None = None, state: str = "scheduled"
    ) -> str:
        """``POST /posts/schedule/publish``: publish now (no ``scheduled_at``); returns the job id.

        :param state: ``scheduled`` as Publer's docs require (``publish`` is accepted too).
        """
        checked = _validated(posts, state, publish_now=True)
        refuse_masked_secrets(checked, "posts")
        return self._submit(endpoints.PUBLISH_POSTS, state, checked, workspace_id)

    def _submit(
        self,
        endpoint: endpoints.Endpoint[str],
        state: str,
        posts: list[dict[str, Any]],
        workspace_id: str | None,
    ) -> str:
        workspace = self.resolve_workspace(workspace_id)
        job_id = self._call(endpoint, workspace=workspace, json={"bulk": {"state": state, "posts": posts}})
        self.log.info("Publer accepted %d post(s) as job %s", len(posts), job_id)
        return job_id

    def delete_posts(self, post_ids: Iterable[str], workspace_id: str | None = None) -> DeletedPosts:
        """``DELETE /posts?post_ids[]=...``; returns the ids Publer reports as deleted.

        A DELETE is repeated after network trouble or a 5xx like a read. When an attempt reached
        Publer and its answer was lost, Publer may have applied it, and the repeat then answers
        without the ids it already deleted. Those ids are not in the returned list but in its
        ``unconfirmed``: the caller tells them apart with :meth:`find_posts` (a post no longer
        listed was deleted).

        :param post_ids: the posts' ids (``GET /posts``).
        :param workspace_id: the posts' workspace (default: the hook's, then the connection's).
        :return: a list of the ids Publer reports as deleted (a
            :class:`~airflow_provider_publer.responses.DeletedPosts`); its ``unconfirmed`` holds the
            other ids when an earlier attempt's answer was lost (empty otherwise: Publer kept them).
        """
        wanted = [checked_id(post_id, "post_id") for post_id in post_ids]
        if not wanted:
            return DeletedPosts([])
        params = [("post_ids[]", post_id) for post_id in wanted]
        lost: list[PublerError] = []
        deleted = self._call(
            endpoints.DELETE_POSTS, workspace=self.resolve_workspace(workspace_id), params=params, lost=lost
        )
        missing = sorted(set(wanted) - set(deleted))
        if missing and lost:
            self.log.warning(
                "The answer to an earlier DELETE was lost (%s); Publer may have deleted %d post(s) the "
                "repeated DELETE did not report: %s",
                lost[0],
                len(missing),
                ", ".join(missing),
            )
        elif missing:
            self.log.warning("Publer did not delete %d post(s): %s", len(missing), ", ".join(missing))
        return DeletedPosts(deleted, unconfirmed=missing if lost else ())

    # -- media -----------------------------------------------------------------------------------

    def upload_media(
        self,
        file: Any,
        *,
        name: str | None = None,
        in_library: bool = False,
        direct_upload: bool = False,
        workspace_id: str | None = None,
    ) -> dict[str, Any]:
        """``POST /media`` (multipart ``file``, ``in_library``, ``direct_upload``): upload one file.

        The file is checked first (:func:`~airflow_provider_publer.validation.validate_media_file`):
        nothing is sent for a missing file, a format Publer does not list or a file over 200 MB.
        The POST is never repeated when its outcome is unknown (a 5xx or a lost answer raises
        :class:`PublerOutcomeUnknownError`); a connection that never opened is retried, reading
        the file again. The answer may take up to ``max(timeout, 120)`` seconds (Publer stores
        the file before answering).

        :param file: a local path or an Airflow ``ObjectStoragePath`` (files in object storage work).
        :param name: the file name Publer records (default: the file's own name).
        :param in_library: keep the file in the workspace's media library.
        :param direct_upload: store it on Publer's S3 at once (slower; the answer's ``path`` is then final).
        :param workspace_id: workspace to upload to (default: the hook's, then the connection's).
        :return: Publer's media object ``{id, path, thumbnail, type, name, width, height, validity, ...}``.
        :raises PublerValidationError: the file was refused before sending.
        :raises PublerAPIError: Publer refused it (400 format, 413 too large, ...).
        """
        from airflow_provider_publer.validation import validate_media_file

        checked = validate_media_file(file, name=name)
        workspace = self.resolve_workspace(workspace_id)
        media = self._call(
            endpoints.UPLOAD_MEDIA,
            workspace=workspace,
            files={"file": (checked.name, endpoints.FileBody(checked), checked.content_type)},
            data={"in_library": endpoints.flag(in_library), "direct_upload": endpoints.flag(direct_upload)},
            timeout=max(self.timeout, UPLOAD_TIMEOUT),
        )
        self.log.info(
            "Uploaded %s (%d bytes) to Publer as media %s", checked.name, checked.size, media.get("id")
        )
        return media

    def import_media(
        self,
        urls: Any,
        *,
        in_library: bool = False,
        direct_upload: bool = False,
        workspace_id: str | None = None,
    ) -> str:
        """``POST /media/from-url``: Publer downloads the files itself; returns the job id.

        Poll the job with :meth:`get_job_status`; its result's media objects are read by
        :func:`~airflow_provider_publer.responses.media_job_media` (``PublerUploadMediaOperator``
        does both). The POST is never repeated when its outcome is unknown.

        :param urls: http(s) URLs, or Publer's items ``{"url", "name", "caption", "source"}``; every
            item gets a ``name`` (Publer requires one), by default the last part of the URL's path.
        :param in_library: keep the files in the media library.
        :param direct_upload: store them on Publer's S3 at once (slower; final URLs).
        :param workspace_id: workspace to import into.
        :return: the job id.
        :raises PublerValidationError: no URL, or one that is not http(s).
        """
        from airflow_provider_publer.validation import validate_media_urls

        items = validate_media_urls(urls)
        body = {
            "media": items,
            "type": "single" if len(items) == 1 else "bulk",
            "direct_upload": bool(direct_upload),
            "in_library": bool(in_library),
        }
        job_id = self._call(endpoints.IMPORT_MEDIA, workspace=self.resolve_workspace(workspace_id), json=body)
        self.log.info("Publer is importing %d file(s) from URLs as job %s", len(items), job_id)
        return job_id

    def list_media(
        self,
        *,
        types: Iterable[str] = ("photo", "video", "gif"),
        used: Iterable[bool] = (True, False),
        ids: Iterable[str] | None = None,
        search: str | None = None,
        source: Iterable[str] | None = None,
        labels: Iterable[str] | None = None,
        workspace_id: str | None = None,
        max_pages: int = 10_000,
    ) -> list[dict[str, Any]]:
        """``GET /media``: the workspace's media, every page (0-based; the echoed page is not trusted).

        :param types: ``types[]`` (required by Publer): ``photo``, ``video``, ``gif``; all by default.
        :param used: ``used[]`` (required by Publer): used by a post or not; both by default.
        :param ids: only these media ids (Publer then ignores every other filter and paging: one request).
        :param search: text searched in names and captions.
        :param source: ``source[]``: ``upload``, ``canva``, ``openai``, ...
        :param labels: ``labels[]``.
        :return: media objects ``{id, type, name, caption, path, thumbnails, created_at, in_library, ...}``
            (fields vary between Publer's doc revisions: treat them as optional).
        """
        from airflow_provider_publer.validation import MEDIA_LIST_TYPES, validate_choice

        workspace = self.resolve_workspace(workspace_id)
        if ids is not None:
            wanted = [checked_id(media_id, f"ids[{i}] (media_id)") for i, media_id in enumerate(ids)]
            if not wanted:
                return []
            return self._call(
                endpoints.MEDIA_BY_ID, workspace=workspace, params=[("ids[]", m) for m in wanted]
            )
        params: list[tuple[str, Any]] = [
            ("types[]", validate_choice(t, MEDIA_LIST_TYPES, field=f"types[{i}]"))
            for i, t in enumerate(types)
        ]
        params.extend(("used[]", endpoints.flag(u)) for u in used)
        params.extend(("source[]", s) for s in source or ())
        params.extend(("labels[]", label) for label in labels or ())
        if search:
            params.append(("search", search))
        return self._call_pages(endpoints.MEDIA, params, workspace, max_pages)

    # -- changing and finding posts --------------------------------------------------------------

    def update_post(
        self, post_id: str, post: Mapping[str, Any], workspace_id: str | None = None
    ) -> dict[str, Any]:
        """``PUT /posts/{id}`` with ``{"post": {...}}``: change a post; returns Publer's ``PostDetail``.

        The body is checked first (:func:`~airflow_provider_publer.validation.validate_post_update`).
        A PUT sets the same fields each time, so it is retried like a read after network trouble.
        Published posts keep most fields (LinkedIn: text only; X, Instagram, Pinterest, Threads,
        Bluesky: labels only; reference §5.7).

        :param post_id: the post's id (``GET /posts``).
        :param post: the fields to change: ``text``, ``title``, ``media``, ``labels``, ``link``...
        :return: ``{id, text, state, type, account_id, account, scheduled_at, post_link, media,
            labels, ...}``.
        :raises PublerPermissionError: HTTP 403, e.g. a post "published with approval" (no one may change it).
        :raises PublerAPIError: HTTP 422 with Publer's reason (a blank text, a field the network does
            not let change after publishing...).
        :raises PublerNotFoundError: no such post in the workspace.
        """
        from airflow_provider_publer.validation import validate_post_update

        post_id = checked_id(post_id, "post_id")
        body = validate_post_update(post)
        refuse_masked_secrets(body, "post")
        workspace = self.resolve_workspace(workspace_id)
        try:
            detail = self._call(
                endpoints.UPDATE_POST, ids={"post_id": post_id}, workspace=workspace, json={"post": body}
            )
        except PublerAPIError as err:
            raise endpoints.update_refused(err, post_id, workspace) from None
        self.log.info("Updated Publer post %s (%s)", post_id, ", ".join(sorted(body)))
        return detail

    def find_posts(
        self,
        post_ids: Iterable[str],
        *,
        state: str | Sequence[str] | None = None,
        account_ids: Iterable[str] | None = None,
        from_: str | None = None,
        to: str | None = None,
        workspace_id: str | None = None,
        max_pages: int = 10_000,
    ) -> dict[str, dict[str, Any]]:
        """The listed posts among ``post_ids``: ``GET /posts`` page by page, stopping once all are found.

        Publer has no "get one post" endpoint (reference §4), so posts are found in the list; the
        filters (same as :meth:`list_posts`) keep the listing short.

        :return: ``{post id: post summary}`` for the ids found; an id missing from it is not listed
            under these filters.
        """
        from airflow_provider_publer.validation import validate_post_ids

        finder = endpoints.PostFinder(validate_post_ids(endpoints.id_list(post_ids)), max_pages)
        params = endpoints.posts_params(state, account_ids, from_, to, None)
        workspace = self.resolve_workspace(workspace_id)
        while not finder.done:
            finder.feed(
                self._request(
                    "GET", endpoints.POSTS.path, workspace_id=workspace, params=finder.params(params)
                )
            )
        return finder.found

    async def afind_posts(
        self,
        post_ids: Iterable[str],
        *,
        state: str | Sequence[str] | None = None,
        account_ids: Iterable[str] | None = None,
        from_: str | None = None,
        to: str | None = None,
        workspace_id: str | None = None,
        max_pages: int = 10_000,
    ) -> dict[str, dict[str, Any]]:
        """Async :meth:`find_posts` for the triggerer (the same paging and filters)."""
        from airflow_provider_publer.validation import validate_post_ids

        finder = endpoints.PostFinder(validate_post_ids(endpoints.id_list(post_ids)), max_pages)
        params = endpoints.posts_params(state, account_ids, from_, to, None)
        workspace = self._pick_workspace(workspace_id, await self.asettings())
        while not finder.done:
            finder.feed(
                await self._arequest(
                    "GET", endpoints.POSTS.path, workspace_id=workspace, params=finder.params(params)
                )
            )
        return finder.found

    # -- analytics -------------------------------------------------------------------------------

    def get_post_insights(
        self,
        account_id: str,
        from_: Any,
        to: Any,
        *,
        query: str | None = None,
        sort_by: str | None = None,
        sort_type: str | None = None,
        post_type: str | None = None,
        workspace_id: str | None = None,
        max_pages: int = 10_000,
    ) -> list[dict[str, Any]]:
        """``GET /analytics/{account_id}/post_insights``: every page (10 posts each) of the account's
        published posts of ``from_``..``to`` with their metrics.

        Each metric (``{name, value, tooltip}`` on Publer) becomes a plain number; metrics Publer
        leaves out (``engagement``, ``saves`` on some networks) are ``None``
        (:func:`~airflow_provider_publer.responses.parse_post_insight`).

        :param account_id: the account (``GET /accounts``).
        :param from_: first day (``YYYY-MM-DD``, a date or a datetime); required, as Publer answers
            HTTP 500 without it.
        :param to: last day, included; required.
        :param query: text search in the posts.
        :param sort_by: ``scheduled_at``, ``reach``, ``engagement``, ``likes``, ... (reference §11).
        :param sort_type: ``ASC`` or ``DESC``.
        :param post_type: Publer's ``postType`` (``status``, ``photo``, ``video``, ...).
        :return: ``[{id, text, type, account_id, network, url, scheduled_at, post_link,
            analytics: {reach, engagement, engagement_rate, likes, comments, shares, saves,
            video_views, link_clicks, post_clicks, click_through_rate, reach_rate}}]``; rates in percent.
        :raises PublerPermissionError: the plan has no analytics (HTTP 403).
        """
        from airflow_provider_publer.validation import POST_INSIGHTS_SORTS

        account = checked_id(account_id, "account_id")
        params = endpoints.analytics_params(from_, to, sort_by, sort_type, POST_INSIGHTS_SORTS)
        if query:
            params.append(("query", query))
        if post_type:
            params.append(("postType", post_type))
        return self._call_pages(
            endpoints.POST_INSIGHTS,
            params,
            self.resolve_workspace(workspace_id),
            max_pages,
            ids={"account_id": account},
        )

    def get_hashtag_insights(
        self,
        account_id: str,
        from_: Any = None,
        to: Any = None,
        *,
        query: str | None = None,
        sort_by: str | None = None,
        sort_type: str | None = None,
        workspace_id: str | None = None,
        max_pages: int = 10_000,
    ) -> list[dict[str, Any]]:
        """``GET /analytics/{account_id}/hashtag_insights``: every page (10 each) of hashtag records
        ``{hashtag, posts, reach, likes, comments, shares, engagement, video_views, link_clicks,
        post_clicks, saves, hashtag_score, recent_posts}``; ``from_``/``to`` optional (both or none)."""
        from airflow_provider_publer.validation import HASHTAG_INSIGHTS_SORTS

        account = checked_id(account_id, "account_id")
        params = endpoints.analytics_params(
            from_, to, sort_by, sort_type, HASHTAG_INSIGHTS_SORTS, dates_required=False
        )
        if query:
            params.append(("query", query))
        return self._call_pages(
            endpoints.HASHTAG_INSIGHTS,
            params,
            self.resolve_workspace(workspace_id),
            max_pages,
            ids={"account_id": account},
        )

    def list_analytics_charts(
        self, account_type: str, workspace_id: str | None = None
    ) -> list[dict[str, Any]]:
        """``GET /analytics/charts?account_type=``: the charts of a kind of account.

        :param account_type: ``fb_page``, ``ig_business``, ``twitter``, ``linkedin``, ``in_page``,
            ``in_profile``, ``youtube``, ``tiktok``, ``google``, ``pin_business``, ``pin_personal``,
            ``threads``, ``wordpress_oauth``, ``mastodon``, ``bluesky``.
        :return: ``[{id, title, group_id, tooltip, type, last_value, show_percentage}]``.
        """
        from airflow_provider_publer.validation import ANALYTICS_ACCOUNT_TYPES, validate_choice

        kind = validate_choice(account_type, ANALYTICS_ACCOUNT_TYPES, field="account_type")
        return self._call(
            endpoints.ANALYTICS_CHARTS,
            workspace=self.resolve_workspace(workspace_id),
            params={"account_type": kind},
        )

    def get_chart_data(
        self,
        account_id: str,
        chart_ids: Iterable[str],
        from_: Any = None,
        to: Any = None,
        workspace_id: str | None = None,
    ) -> dict[str, Any]:
        """``GET /analytics/{account_id}/chart_data``: chart series for a period and the one before it.

        :param chart_ids: chart ids from :meth:`list_analytics_charts` (``followers``, ``reach``...).
        :param from_: first day (both ``from_`` and ``to``, or neither: Publer's default period).
        :param to: last day, included.
        :return: ``{"current": {chart id: {...}}, "previous": {chart id: {...}}}``; a daily chart is
            ``{"data": [{"date", "value"}], "last_value", ...}``.
        """
        account = checked_id(account_id, "account_id")
        params = endpoints.analytics_params(from_, to, None, None, (), dates_required=False)
        charts = [chart_ids] if isinstance(chart_ids, str) else list(chart_ids)
        if not charts or not all(isinstance(c, str) and c.strip() for c in charts):
            raise PublerValidationError(
                f"must be a non-empty list of chart ids from list_analytics_charts(), got {chart_ids!r}",
                field="chart_ids",
            )
        params[:0] = [("chart_ids[]", c) for c in charts]
        return self._call(
            endpoints.CHART_DATA,
            ids={"account_id": account},
            workspace=self.resolve_workspace(workspace_id),
            params=params,
        )

    def get_best_times(
        self, account_id: str, from_: Any, to: Any, *, workspace_id: str | None = None
    ) -> dict[str, list[Any]]:
        """``GET /analytics/{account_id}/best_times``: a score per weekday and hour.

        :param from_: first day; required (Publer answers ``[]`` without it).
        :param to: last day, included; required.
        :return: ``{"monday": [24 scores], ..., "sunday": [...]}``; ``{}`` when Publer has none.
        """
        account = checked_id(account_id, "account_id")
        params = endpoints.analytics_params(from_, to, None, None, ())
        return self._call(
            endpoints.BEST_TIMES,
            ids={"account_id": account},
            workspace=self.resolve_workspace(workspace_id),
            params=params,
        )

    def get_members_analytics(
        self, from_: Any, to: Any, *, account_id: str | None = None, workspace_id: str | None = None
    ) -> list[dict[str, Any]]:
        """``GET /analytics/members``: posts, engagements and reach per workspace member.

        :param from_: first day; required.
        :param to: last day, included; required.
        :param account_id: only this account's posts.
        :return: ``[{user: {id, name, picture}, posts, engagements, reach, account_ids}]``; ``reach``
            is ``None`` where Publer leaves it out.
        """
        from airflow_provider_publer.validation import validate_date_range

        first, last = validate_date_range(from_, to)
        params: list[tuple[str, Any]] = [("from", first), ("to", last)]
        if account_id is not None:
            params.append(("account_id", checked_id(account_id, "account_id")))
        return self._call(
            endpoints.MEMBERS_ANALYTICS, workspace=self.resolve_workspace(workspace_id), params=params
        )

    # -- connection test -------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """The connection form's Test button: exactly one read-only ``GET /workspaces``.

        No retry, no pacing wait, at most ``TEST_CONNECTION_TIMEOUT`` (10 s), whatever Publer
        does; every outcome gets a message that says what to do
        (:mod:`airflow_provider_publer.connection_check`). The key is never in it.
        """
        timeout = TEST_CONNECTION_TIMEOUT
        try:
            settings = self.settings
            workspaces = self._call(endpoints.WORKSPACES, retry=False, timeout=timeout)
        except PublerError as err:
            return False, connection_check.failure_message(err, self._base_url_or_default(), timeout)
        return connection_check.workspaces_message(workspaces, settings.base_url, settings.workspace_id)

    def _base_url_or_default(self) -> str:
        settings = self.__dict__.get("settings")
        return settings.base_url if settings is not None else connection_check.unknown_base_url()


def _validated(posts: Sequence[Mapping[str, Any]], state: str, *, publish_now: bool) -> list[dict[str, Any]]:
    """The posts as checked for this request: validated here unless they already were (once per request)."""
    if isinstance(posts, ValidatedPosts) and posts.checked_for(state, publish_now):
        return posts
    return validate_posts(posts, state=state, publish_now=publish_now)
