"""The Publer hook: the only code of the provider that speaks HTTP to Publer.

It reads the API key and default workspace from an Airflow connection of type ``publer``
(:mod:`airflow_provider_publer.connection`), owns one ``requests.Session`` per hook (as
Airflow's ``HttpHook`` does) and, for the triggerer, an ``httpx.AsyncClient``. Both follow
one retry policy (:mod:`airflow_provider_publer.retries`, built on tenacity): reads, deletes,
429s and connections that never reached Publer are retried with backoff; a POST whose
outcome is unknown is never repeated (:class:`PublerOutcomeUnknownError`), so the caller can
reconcile instead of posting twice. Requests are paced from Publer's ``X-RateLimit-*``
headers so the key's budget (100 requests per 2 minutes per user) is not run into. Every
answer goes through :mod:`airflow_provider_publer.responses`, the one home of Publer's
quirks, and every message built from an answer or a transport error is scrubbed of the key.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

from airflow.sdk import BaseHook

from airflow_provider_publer import connection_form, responses, retries
from airflow_provider_publer.connection import PublerConnectionSettings
from airflow_provider_publer.connection_form import (
    API_KEY_LABEL,
    DEFAULT_BASE_URL,
    HOST_LABEL,
    PATH_LABEL,
    PORT_LABEL,
)
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerAuthenticationError,
    PublerConfigurationError,
    PublerConnectError,
    PublerError,
    PublerNotFoundError,
    PublerOutcomeUnknownError,
    PublerPermissionError,
    PublerRateLimitError,
    PublerServerError,
    PublerTimeoutError,
    PublerTransientError,
    PublerValidationError,
)
from airflow_provider_publer.responses import PublerJobResult
from airflow_provider_publer.validation import (
    ValidatedPosts,
    validate_id,
    validate_posts,
    validate_workspace_id,
)

if TYPE_CHECKING:
    import httpx
    import requests

__all__ = ["DEFAULT_BASE_URL", "PublerHook"]

PUBLER_HOST = "app.publer.com"
USER_AGENT = "airflow-provider-publer"
#: Methods that change nothing when repeated; everything else is sent at most once when in doubt.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})
#: Seconds the connection form's Test button may take, at most.
TEST_CONNECTION_TIMEOUT = 10.0


class PublerHook(BaseHook):
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

    def __init__(
        self,
        publer_conn_id: str = default_conn_name,
        workspace_id: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 5,
        retry_base_delay: float = 1.0,
        max_retry_wait: float = 130.0,
        deadline: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.publer_conn_id = publer_conn_id
        self.workspace_id = workspace_id
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self.max_retry_wait = max_retry_wait
        self.deadline = deadline
        self._sleep = sleep
        self._async_client: httpx.AsyncClient | None = None  # the shared client in use

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(publer_conn_id={self.publer_conn_id!r}, workspace_id={self.workspace_id!r})"

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

    # -- connection and clients ------------------------------------------------------------------

    @cached_property
    def settings(self) -> PublerConnectionSettings:
        """The connection's key, URL, workspace, TLS and proxy settings, read once; key masked in logs."""
        settings = PublerConnectionSettings.from_connection(self.get_connection(self.publer_conn_id))
        _mask(settings)
        return settings

    async def asettings(self) -> PublerConnectionSettings:
        """Async variant of :attr:`settings` for the triggerer (no blocking secrets lookup).

        The triggers of one triggerer share the settings of a connection for
        ``SETTINGS_TTL`` seconds, so a thousand waits make one connection lookup, not a thousand.
        """
        if "settings" not in self.__dict__:
            self.__dict__["settings"] = await _SHARED.settings(self)
        cached: PublerConnectionSettings = self.__dict__["settings"]
        return cached

    def get_conn(self) -> requests.Session:
        """The hook's ``requests.Session``: created once, reused for every request of this hook."""
        return self._session

    @cached_property
    def _session(self) -> requests.Session:
        import requests

        settings = self.settings
        session = requests.Session()
        session.auth = _PublerAuth(settings)
        session.headers.update({"Accept": "application/json", "User-Agent": USER_AGENT})
        session.verify = settings.verify
        session.proxies.update(settings.proxies)
        session.trust_env = settings.trust_env
        return session

    def _budget(self, settings: PublerConnectionSettings) -> retries.RateBudget:
        return retries.budget_for(
            settings.api_key, settings.base_url, settings.rate_limit, settings.rate_limit_window
        )

    def close(self) -> None:
        """Close the HTTP session (safe to call more than once)."""
        session = self.__dict__.pop("_session", None)
        if session is not None:
            session.close()

    async def aclose(self) -> None:
        """Let go of the async client (shared by every trigger of the loop; see :func:`aclose_clients`)."""
        self._async_client = None

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

    def resolve_workspace(self, workspace_id: str | None = None) -> str:
        """The workspace a call acts in: the argument, the hook's, then the connection's default."""
        return self._pick_workspace(workspace_id, self.settings)

    def _pick_workspace(self, workspace_id: str | None, settings: PublerConnectionSettings) -> str:
        chosen = validate_workspace_id(workspace_id) or self.workspace_id or settings.workspace_id
        if not chosen:
            raise PublerConfigurationError(
                f"No Publer workspace given. Set 'workspace_id' in the extra of connection "
                f"'{self.publer_conn_id}' or pass workspace_id=...; list yours with "
                "PublerHook().list_workspaces()."
            )
        return chosen

    # -- requests (sync and async share the policy in retries.py) --------------------------------

    def _policy(self) -> retries.RetryPolicy:
        return retries.RetryPolicy(
            max_retries=self.max_retries,
            base_delay=self.retry_base_delay,
            max_wait=self.max_retry_wait,
            deadline=self.deadline,
        )

    def _request(
        self,
        method: str,
        path: str,
        *,
        workspace_id: str | None = None,
        params: Any = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        retry: bool = True,
        timeout: float | None = None,
    ) -> Any:
        """Send one API request under the retry policy; return the decoded JSON body (or ``None``)."""
        headers = {"Publer-Workspace-Id": workspace_id} if workspace_id else {}
        request = _Request(method.upper(), path, headers, params, json, files, data)
        if not retry:
            return self._send(request, timeout=timeout, pace=False)
        retrying = self._policy().retrying(self.log, sleep=self._sleep)
        try:
            return retrying(self._send, request, timeout=timeout, pace=True)
        except PublerTransientError as err:
            raise type(err)(f"{err} (gave up after {retries.attempts(retrying)} attempts)") from None

    def _send(self, request: _Request, *, timeout: float | None, pace: bool) -> Any:
        import requests

        settings = self.settings
        budget = self._budget(settings)
        if pace:
            wait = self._reserve(budget, request)
            if wait > 0:
                self._sleep(wait)
        session = self.get_conn()
        seconds = self._timeout(timeout)
        try:
            response = session.request(
                request.method,
                f"{settings.base_url}/{request.path}",
                params=request.params,
                json=request.json,
                files=request.files,
                data=request.data,
                headers=request.headers,
                timeout=(seconds, seconds),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            if pace:
                budget.release()
            raise self._transport_error(exc, request, sent=not _never_sent(exc)) from None
        budget.observe(response.headers, reserved=pace)
        body = _json_or_none(response.content, response.json)
        if 200 <= response.status_code < 300:
            return body
        raise self._http_error(response.status_code, body, response.text, response.headers, request)

    async def _arequest(
        self, method: str, path: str, *, workspace_id: str | None = None, params: Any = None
    ) -> Any:
        """Async variant of :meth:`_request` (reads only: the triggerer never changes anything)."""
        settings = await self.asettings()
        headers = {"Publer-Workspace-Id": workspace_id} if workspace_id else {}
        request = _Request(method.upper(), path, headers, params, None, None, None)
        retrying = self._policy().async_retrying(self.log)
        try:
            return await retrying(self._asend, settings, request)
        except PublerTransientError as err:
            raise type(err)(f"{err} (gave up after {retries.attempts(retrying)} attempts)") from None

    async def _asend(self, settings: PublerConnectionSettings, request: _Request) -> Any:
        import httpx

        budget = self._budget(settings)
        wait = self._reserve(budget, request)
        if wait > 0:
            await asyncio.sleep(wait)
        client = self._async_client = await _SHARED.client(settings)
        try:
            response = await client.request(
                request.method,
                request.path,
                params=request.params,
                headers={**request.headers, "Authorization": settings.authorization},
                timeout=self._timeout(None),
            )
        except httpx.HTTPError as exc:
            budget.release()
            sent = not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout))
            raise self._transport_error(exc, request, sent=sent, settings=settings) from None
        budget.observe(response.headers)
        body = _json_or_none(response.content, response.json)
        if response.is_success:
            return body
        raise self._http_error(response.status_code, body, response.text, response.headers, request, settings)

    def _reserve(self, budget: retries.RateBudget, request: _Request) -> float:
        """Book the request in the key's budget; the wait, unless it passes this hook's deadline."""
        now = time.time()
        wait = budget.reserve(now)
        if wait > 0 and self.deadline is not None and now + wait > self.deadline:
            budget.cancel()
            raise PublerRateLimitError(
                429,
                [f"the key's request budget is used up for {wait:.0f}s more, past this task's deadline"],
                method=request.method,
                path=request.path,
                retry_after=wait,
            )
        if wait >= 1:
            self.log.info(
                "Pacing under Publer's rate limit: waiting %.1fs before %s %s",
                wait,
                request.method,
                request.path,
            )
        return wait

    def _timeout(self, timeout: float | None) -> float:
        seconds = self.timeout if timeout is None else timeout
        if self.deadline is not None:
            seconds = min(seconds, max(1.0, self.deadline - time.time()))
        return seconds

    def _http_error(
        self,
        status_code: int,
        body: Any,
        text: str,
        headers: Mapping[str, str],
        request: _Request,
        settings: PublerConnectionSettings | None = None,
    ) -> PublerError:
        scrub = (settings or self.settings).scrub
        retry_after = responses.rate_limit_wait(headers, time.time()) if status_code == 429 else None
        messages = [scrub(m) for m in responses.error_messages(body, text)]
        error = responses.api_error(
            status_code, messages, method=request.method, path=request.path, retry_after=retry_after
        )
        if status_code >= 500 and request.method not in SAFE_METHODS:
            return _unknown_outcome(request, error)
        return error

    def _transport_error(
        self,
        exc: Exception,
        request: _Request,
        *,
        sent: bool,
        settings: PublerConnectionSettings | None = None,
    ) -> PublerError:
        settings = settings or self.settings
        detail = settings.scrub(f"{type(exc).__name__}: {exc or 'no detail'}")
        if sent and request.method not in SAFE_METHODS:
            return _unknown_outcome(request, PublerTransientError(detail))
        where = f"{request.method} {request.path}"
        if _is_tls_failure(exc):  # a handshake that failed fails again: not worth a retry
            return PublerConfigurationError(
                f"The TLS handshake with {settings.base_url} failed for {where}: {detail}. If that server "
                f"speaks plain http (a server on this machine, such as the sandbox), write http:// in front "
                f"of the '{HOST_LABEL}' (URL-encoded in a URI: http%3A%2F%2F127.0.0.1); otherwise check the "
                "connection's extra 'verify' (CA bundle) and 'proxies'."
            )
        if not sent:
            return PublerConnectError(f"Could not connect to Publer for {where}: {detail}")
        if _is_timeout(exc):
            return PublerTimeoutError(f"Publer did not answer {where} in time: {detail}")
        return PublerTransientError(f"Lost the connection to Publer during {where}: {detail}")

    # -- read ------------------------------------------------------------------------------------

    def get_current_user(self) -> dict[str, Any]:
        """``GET /users/me``: the user that owns the API key (``{id, email, name, ...}``)."""
        body = responses.unwrap(self._request("GET", "users/me"))
        return dict(body) if isinstance(body, Mapping) else {"user": body}

    def list_workspaces(self) -> list[dict[str, Any]]:
        """``GET /workspaces``: every workspace the key can act in (``[{id, name, ...}]``)."""
        return responses.parse_list(self._request("GET", "workspaces"), "workspaces")

    def list_accounts(self, workspace_id: str | None = None) -> list[dict[str, Any]]:
        """``GET /accounts``: the social accounts of a workspace (list or ``{"accounts": [...]}``)."""
        body = self._request("GET", "accounts", workspace_id=self.resolve_workspace(workspace_id))
        return responses.parse_list(body, "accounts")

    def get_job_status(self, job_id: str, workspace_id: str | None = None) -> PublerJobResult:
        """``GET /job_status/{id}``, normalised whatever envelope Publer used.

        :raises PublerNotFoundError: Publer knows no such job in that workspace (the message
            names the workspace asked).
        """
        job_id = _require_id(job_id, "job_id")
        workspace = self.resolve_workspace(workspace_id)
        try:
            body = self._request("GET", f"job_status/{job_id}", workspace_id=workspace)
        except PublerNotFoundError as err:
            raise _job_not_found(err, job_id, workspace) from None
        return responses.parse_job_status(job_id, body)

    async def aget_job_status(self, job_id: str, workspace_id: str | None = None) -> PublerJobResult:
        """Async ``GET /job_status/{id}`` for the triggerer, parsed by the same normalisation."""
        job_id = _require_id(job_id, "job_id")
        workspace = self._pick_workspace(workspace_id, await self.asettings())
        try:
            body = await self._arequest("GET", f"job_status/{job_id}", workspace_id=workspace)
        except PublerNotFoundError as err:
            raise _job_not_found(err, job_id, workspace) from None
        return responses.parse_job_status(job_id, body)

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
        params = _posts_params(state, account_ids, from_, to, query)
        return self._all_pages("posts", "posts", params, self.resolve_workspace(workspace_id), max_pages)

    def _all_pages(
        self, path: str, key: str, params: list[tuple[str, Any]], workspace: str, max_pages: int
    ) -> list[dict[str, Any]]:
        pager = responses.Pager(key, max_pages=max_pages)
        while not pager.done:
            pager.feed(
                self._request("GET", path, workspace_id=workspace, params=[*params, ("page", pager.page)])
            )
        return pager.items

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
        return self._submit("posts/schedule", state, checked, workspace_id)

    def publish_posts(
        self, posts: Sequence[Mapping[str, Any]], workspace_id: str | None = None, state: str = "scheduled"
    ) -> str:
        """``POST /posts/schedule/publish``: publish now (no ``scheduled_at``); returns the job id.

        :param state: ``scheduled`` as Publer's docs require (``publish`` is accepted too).
        """
        checked = _validated(posts, state, publish_now=True)
        return self._submit("posts/schedule/publish", state, checked, workspace_id)

    def _submit(self, path: str, state: str, posts: list[dict[str, Any]], workspace_id: str | None) -> str:
        workspace = self.resolve_workspace(workspace_id)
        body = self._request(
            "POST", path, workspace_id=workspace, json={"bulk": {"state": state, "posts": posts}}
        )
        job_id = responses.parse_job_id(body)
        self.log.info("Publer accepted %d post(s) as job %s", len(posts), job_id)
        return job_id

    def delete_posts(self, post_ids: Iterable[str], workspace_id: str | None = None) -> list[str]:
        """``DELETE /posts?post_ids[]=...``; returns the ids Publer reports as deleted."""
        wanted = [_require_id(post_id, "post_id") for post_id in post_ids]
        if not wanted:
            return []
        params = [("post_ids[]", post_id) for post_id in wanted]
        body = responses.unwrap(
            self._request("DELETE", "posts", workspace_id=self.resolve_workspace(workspace_id), params=params)
        )
        deleted = body.get("deleted_ids", []) if isinstance(body, Mapping) else []
        missing = sorted(set(wanted) - {str(d) for d in deleted})
        if missing:
            self.log.warning("Publer did not delete %d post(s): %s", len(missing), ", ".join(missing))
        return [str(d) for d in deleted]

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
        body = self._request(
            "POST",
            "media",
            workspace_id=workspace,
            files={"file": (checked.name, _FileBody(checked), checked.content_type)},
            data={"in_library": _flag(in_library), "direct_upload": _flag(direct_upload)},
            timeout=max(self.timeout, UPLOAD_TIMEOUT),
        )
        media = responses.parse_media(body)
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
        answer = self._request(
            "POST", "media/from-url", workspace_id=self.resolve_workspace(workspace_id), json=body
        )
        job_id = responses.parse_job_id(answer)
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
            wanted = [_require_id(media_id, f"ids[{i}] (media_id)") for i, media_id in enumerate(ids)]
            if not wanted:
                return []
            body = self._request(
                "GET", "media", workspace_id=workspace, params=[("ids[]", m) for m in wanted]
            )
            return responses.parse_list(body, "media")
        params: list[tuple[str, Any]] = [
            ("types[]", validate_choice(t, MEDIA_LIST_TYPES, field=f"types[{i}]"))
            for i, t in enumerate(types)
        ]
        params.extend(("used[]", _flag(u)) for u in used)
        params.extend(("source[]", s) for s in source or ())
        params.extend(("labels[]", label) for label in labels or ())
        if search:
            params.append(("search", search))
        return self._all_pages("media", "media", params, workspace, max_pages)

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

        post_id = _require_id(post_id, "post_id")
        body = validate_post_update(post)
        workspace = self.resolve_workspace(workspace_id)
        try:
            answer = self._request("PUT", f"posts/{post_id}", workspace_id=workspace, json={"post": body})
        except PublerAPIError as err:
            raise _update_refused(err, post_id, workspace) from None
        detail = responses.parse_post_detail(answer)
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

        finder = _PostFinder(validate_post_ids(_id_list(post_ids)), max_pages)
        params = _posts_params(state, account_ids, from_, to, None)
        workspace = self.resolve_workspace(workspace_id)
        while not finder.done:
            finder.feed(self._request("GET", "posts", workspace_id=workspace, params=finder.params(params)))
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

        finder = _PostFinder(validate_post_ids(_id_list(post_ids)), max_pages)
        params = _posts_params(state, account_ids, from_, to, None)
        workspace = self._pick_workspace(workspace_id, await self.asettings())
        while not finder.done:
            finder.feed(
                await self._arequest("GET", "posts", workspace_id=workspace, params=finder.params(params))
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

        account, params = self._analytics_params(
            account_id, from_, to, sort_by, sort_type, POST_INSIGHTS_SORTS
        )
        if query:
            params.append(("query", query))
        if post_type:
            params.append(("postType", post_type))
        rows = self._all_pages(
            f"analytics/{account}/post_insights",
            "posts",
            params,
            self.resolve_workspace(workspace_id),
            max_pages,
        )
        return [responses.parse_post_insight(row) for row in rows]

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

        account, params = self._analytics_params(
            account_id, from_, to, sort_by, sort_type, HASHTAG_INSIGHTS_SORTS, dates_required=False
        )
        if query:
            params.append(("query", query))
        return self._all_pages(
            f"analytics/{account}/hashtag_insights",
            "records",
            params,
            self.resolve_workspace(workspace_id),
            max_pages,
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
        body = self._request(
            "GET",
            "analytics/charts",
            workspace_id=self.resolve_workspace(workspace_id),
            params={"account_type": kind},
        )
        return responses.parse_list(body, "charts")

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
        account, params = self._analytics_params(account_id, from_, to, None, None, (), dates_required=False)
        charts = [chart_ids] if isinstance(chart_ids, str) else list(chart_ids)
        if not charts or not all(isinstance(c, str) and c.strip() for c in charts):
            raise PublerValidationError(
                f"must be a non-empty list of chart ids from list_analytics_charts(), got {chart_ids!r}",
                field="chart_ids",
            )
        params[:0] = [("chart_ids[]", c) for c in charts]
        body = self._request(
            "GET",
            f"analytics/{account}/chart_data",
            workspace_id=self.resolve_workspace(workspace_id),
            params=params,
        )
        return responses.parse_chart_data(body)

    def get_best_times(
        self, account_id: str, from_: Any, to: Any, *, workspace_id: str | None = None
    ) -> dict[str, list[Any]]:
        """``GET /analytics/{account_id}/best_times``: a score per weekday and hour.

        :param from_: first day; required (Publer answers ``[]`` without it).
        :param to: last day, included; required.
        :return: ``{"monday": [24 scores], ..., "sunday": [...]}``; ``{}`` when Publer has none.
        """
        account, params = self._analytics_params(account_id, from_, to, None, None, ())
        body = self._request(
            "GET",
            f"analytics/{account}/best_times",
            workspace_id=self.resolve_workspace(workspace_id),
            params=params,
        )
        return responses.parse_best_times(body)

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
            params.append(("account_id", _require_id(account_id, "account_id")))
        body = self._request(
            "GET", "analytics/members", workspace_id=self.resolve_workspace(workspace_id), params=params
        )
        return responses.parse_members(body)

    def _analytics_params(
        self,
        account_id: str,
        from_: Any,
        to: Any,
        sort_by: str | None,
        sort_type: str | None,
        sorts: Iterable[str],
        *,
        dates_required: bool = True,
    ) -> tuple[str, list[tuple[str, Any]]]:
        """The checked account id and the query parameters shared by the analytics reads."""
        from airflow_provider_publer.validation import SORT_TYPES, validate_choice, validate_date_range

        account = _require_id(account_id, "account_id")
        params: list[tuple[str, Any]] = []
        if dates_required or from_ is not None or to is not None:
            first, last = validate_date_range(from_, to)
            params.extend([("from", first), ("to", last)])
        if sort_by is not None:
            params.append(("sort_by", validate_choice(sort_by, sorts, field="sort_by")))
        if sort_type is not None:
            kind = sort_type.upper() if isinstance(sort_type, str) else sort_type
            params.append(("sort_type", validate_choice(kind, SORT_TYPES, field="sort_type")))
        return account, params

    # -- connection test -------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """The connection form's Test button: exactly one read-only ``GET /workspaces``.

        No retry, no pacing wait, at most ``TEST_CONNECTION_TIMEOUT`` (10 s), whatever Publer
        does; every outcome gets a message that says what to do. The key is never in it.
        """
        try:
            settings = self.settings
            body = self._request("GET", "workspaces", retry=False, timeout=TEST_CONNECTION_TIMEOUT)
            workspaces = responses.parse_list(body, "workspaces")
        except PublerError as err:
            return False, _test_failure_message(err, self._base_url_or_default())
        names = {str(w.get("id")): str(w.get("name", "")) for w in workspaces}
        default = settings.workspace_id
        if default and default not in names:
            listing = ", ".join(f"{n} ({i})" for i, n in names.items()) or "none"
            return False, (
                f"The API key works, but workspace '{default}' is not one of its {len(names)} workspace(s): "
                f"{listing}. Put one of these ids in 'Default workspace ID'."
            )
        connected = f"Connected to Publer at {settings.base_url}: {len(names)} workspace(s)"
        if default:
            return True, f"{connected}; default workspace '{names[default]}'."
        if not names:
            return False, (
                f"{connected}: the API key can act in no workspace; check its access in Publer "
                "(Settings → Access & Login → API Keys)."
            )
        listing = ", ".join(f"{n} ({i})" for i, n in names.items())
        return True, (
            f"{connected}: {listing}. Put one of these ids in 'Default workspace ID' so that tasks need "
            "not name a workspace."
        )

    def _base_url_or_default(self) -> str:
        settings = self.__dict__.get("settings")
        return settings.base_url if settings is not None else f"the '{HOST_LABEL}' of the connection"


class _Request:
    """One API request as the retry policy repeats it."""

    __slots__ = ("data", "files", "headers", "json", "method", "params", "path")

    def __init__(
        self, method: str, path: str, headers: dict[str, str], params: Any, json: Any, files: Any, data: Any
    ) -> None:
        self.method = method
        self.path = path
        self.headers = headers
        self.params = params
        self.json = json
        self.files = files
        self.data = data


class _PublerAuth:
    """requests auth that sets Publer's ``Authorization: Bearer-API <key>`` (and beats ~/.netrc)."""

    def __init__(self, settings: PublerConnectionSettings) -> None:
        self._settings = settings

    def __call__(self, request: Any) -> Any:
        request.headers["Authorization"] = self._settings.authorization
        return request

    def __repr__(self) -> str:
        return "_PublerAuth(<API key hidden>)"


def _test_failure_message(err: PublerError, base_url: str) -> str:
    """What the Test button shows for each way the one request can fail."""
    if isinstance(err, PublerConfigurationError):
        return f"The connection cannot be used: {err}"
    if isinstance(err, PublerAuthenticationError):
        return (
            f"Publer refused the API key (HTTP 401): {_detail(err)}. Create a key in Publer (Settings > "
            "Access & Login > API Keys) with the scopes workspaces, accounts, posts and job_status, "
            f"and paste it into '{API_KEY_LABEL}'."
        )
    if isinstance(err, PublerPermissionError):
        return (
            f"Publer accepted the key but refused access (HTTP 403): {_detail(err)}. Give the key the "
            "'workspaces' scope (Publer: Settings > Access & Login > API Keys); the Publer API also needs "
            "a Business or Enterprise plan."
        )
    if isinstance(err, PublerNotFoundError):
        return (
            f"No Publer API answers at {base_url} (HTTP 404). Leave '{HOST_LABEL}', '{PORT_LABEL}' and "
            f"'{PATH_LABEL}' empty for Publer, or check them (Publer: app.publer.com, 443, api/v1)."
        )
    if isinstance(err, PublerRateLimitError):
        wait = f" in about {err.retry_after:.0f}s" if err.retry_after is not None else " in two minutes"
        return (
            "Publer's request limit for this key (100 requests per 2 minutes, shared by every DAG "
            f"using it) is used up right now (HTTP 429). The key reached Publer; test again{wait}."
        )
    if isinstance(err, PublerServerError):
        return (
            f"Publer answered HTTP {err.status_code} ({_detail(err)}): Publer has trouble right now, not "
            "the connection. Try again in a few minutes."
        )
    if isinstance(err, PublerAPIError):
        return f"Publer answered HTTP {err.status_code}: {_detail(err)}."
    if isinstance(err, PublerTimeoutError):
        return (
            f"Publer did not answer within {TEST_CONNECTION_TIMEOUT:.0f}s at {base_url}. Check "
            f"'{HOST_LABEL}' and '{PORT_LABEL}', and any proxy or firewall between Airflow and Publer; "
            "then test again."
        )
    if isinstance(err, PublerConnectError):
        return (
            f"Could not connect to {base_url}: {err}. Check '{HOST_LABEL}' and '{PORT_LABEL}' (for a "
            "plain-http server on this machine, such as the sandbox, write http:// in front of the host), "
            "DNS, proxies (extra 'proxies') and TLS (extra 'verify')."
        )
    return f"Publer connection failed: {err}"


def _detail(err: PublerAPIError) -> str:
    return "; ".join(err.messages) or "no error message"


def _job_not_found(err: PublerNotFoundError, job_id: str, workspace: str) -> PublerNotFoundError:
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


def _unknown_outcome(request: _Request, cause: PublerError) -> PublerOutcomeUnknownError:
    error = PublerOutcomeUnknownError(
        f"{request.method} {request.path} was sent but its outcome is unknown ({cause}). "
        "It was not repeated, so nothing is posted twice; "
        "reconcile with list_posts() before resubmitting."
    )
    error.__cause__ = cause
    return error


def _never_sent(exc: Exception) -> bool:
    """True when requests failed before any byte of the request can have reached Publer."""
    import requests
    from urllib3.exceptions import MaxRetryError, NewConnectionError

    if isinstance(
        exc, (requests.ConnectTimeout, requests.exceptions.ProxyError, requests.exceptions.SSLError)
    ):
        return True
    if isinstance(
        exc,
        (
            requests.exceptions.InvalidURL,
            requests.exceptions.InvalidHeader,
            requests.exceptions.MissingSchema,
            requests.exceptions.InvalidSchema,
        ),
    ):
        return True
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError):
        return isinstance(reason.reason, NewConnectionError)
    return False


def _is_tls_failure(exc: BaseException) -> bool:
    """Whether a TLS handshake failed (wrong protocol, untrusted certificate), however wrapped."""
    import ssl

    seen: set[int] = set()
    todo: list[Any] = [exc]
    while todo:
        current = todo.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, ssl.SSLError):
            return True
        if isinstance(current, BaseException):
            todo += [current.__cause__, current.__context__, getattr(current, "reason", None), *current.args]
    return False


def _is_timeout(exc: Exception) -> bool:
    import httpx
    import requests

    return isinstance(exc, (requests.Timeout, httpx.TimeoutException))


def _posts_params(
    state: str | Sequence[str] | None,
    account_ids: Iterable[str] | None,
    from_: str | None,
    to: str | None,
    query: str | None,
) -> list[tuple[str, Any]]:
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


def _require_id(value: Any, name: str) -> str:
    """An id exactly as Publer lists it (:func:`validate_id`), or the XCom slip that gives ``"None"``."""
    if value is None or value == "None" or (isinstance(value, str) and "/" in value):
        raise PublerValidationError(
            f"must be a Publer id such as '68176fa0f0eb419444bee686', got {value!r}. If it comes from XCom, "
            "check that the upstream task pushed it.",
            field=name,
        )
    return validate_id(value, field=name)


def _validated(posts: Sequence[Mapping[str, Any]], state: str, *, publish_now: bool) -> list[dict[str, Any]]:
    """The posts as checked for this request: validated here unless they already were (once per request)."""
    if isinstance(posts, ValidatedPosts) and posts.checked_for(state, publish_now):
        return posts
    return validate_posts(posts, state=state, publish_now=publish_now)


def _json_or_none(content: bytes, decode: Callable[[], Any]) -> Any:
    if not content:
        return None
    try:
        return decode()
    except ValueError:
        return None


def _mask(settings: PublerConnectionSettings) -> None:
    """Register the key (every form text may carry it in) with Airflow's log masker."""
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # pragma: no cover - every supported Airflow has it
        return
    for form in settings.secret_forms():
        mask_secret(form)


#: Seconds the triggers of one triggerer share a connection's settings before looking it up again.
SETTINGS_TTL = 60.0


class _SharedAsync:
    """One ``httpx.AsyncClient`` per connection settings and event loop, and one settings lookup
    per connection every ``SETTINGS_TTL`` seconds: the triggers of a triggerer share them.

    A client costs an SSL context and a connection pool (tens of ms and most of a megabyte):
    built once per loop, in a worker thread, so the event loop never blocks on it.
    """

    def __init__(self) -> None:
        import weakref

        self._loops: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, Any]] = (
            weakref.WeakKeyDictionary()
        )

    def _state(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        state = self._loops.get(loop)
        if state is None:
            state = self._loops[loop] = {"clients": {}, "settings": {}, "lock": asyncio.Lock()}
        return state

    async def settings(self, hook: PublerHook) -> PublerConnectionSettings:
        state = self._state()
        cached = state["settings"].get(hook.publer_conn_id)
        if cached is not None and time.monotonic() - cached[1] < SETTINGS_TTL:
            settings: PublerConnectionSettings = cached[0]
            return settings
        async with state["lock"]:
            cached = state["settings"].get(hook.publer_conn_id)
            if cached is None or time.monotonic() - cached[1] >= SETTINGS_TTL:
                conn = await hook.aget_connection(hook.publer_conn_id)
                settings = PublerConnectionSettings.from_connection(conn)
                _mask(settings)
                cached = state["settings"][hook.publer_conn_id] = (settings, time.monotonic())
        return cached[0]

    async def client(self, settings: PublerConnectionSettings) -> httpx.AsyncClient:
        state = self._state()
        key = repr((settings.base_url, settings.verify, sorted(settings.proxies.items()), settings.trust_env))
        client = state["clients"].get(key)
        if client is None:
            async with state["lock"]:
                client = state["clients"].get(key)
                if client is None:
                    client = state["clients"][key] = await asyncio.to_thread(_new_async_client, settings)
        return client

    async def aclose(self) -> None:
        """Close this loop's clients (the triggerer's shutdown; tests)."""
        state = self._state()
        clients, state["clients"] = list(state["clients"].values()), {}
        state["settings"].clear()
        for client in clients:
            await client.aclose()


_SHARED = _SharedAsync()


async def aclose_clients() -> None:
    """Close the async clients the hooks of this event loop share."""
    await _SHARED.aclose()


def _new_async_client(settings: PublerConnectionSettings) -> httpx.AsyncClient:
    import httpx

    mounts = {
        f"{scheme}://": httpx.AsyncHTTPTransport(proxy=url, verify=settings.verify)
        for scheme, url in settings.proxies.items()
    }
    return httpx.AsyncClient(
        base_url=settings.base_url + "/",
        verify=settings.verify,
        trust_env=settings.trust_env,
        mounts=mounts or None,
        headers={"Accept": "application/json", "User-Agent": USER_AGENT},
        limits=httpx.Limits(max_connections=20, max_keepalive_connections=10),
    )


# -- media, updates and finding posts ---------------------------------------------------------------

#: Seconds an upload's answer may take at least (Publer stores the file before it answers).
UPLOAD_TIMEOUT = 120.0


class _FileBody:
    """The ``file`` part of an upload: requests reads it when it builds the body, so a send that is
    repeated (the connection never opened) reads the file again instead of sending nothing."""

    def __init__(self, media: Any) -> None:
        self._media = media

    def read(self) -> bytes:
        data: bytes = self._media.read()
        return data

    def __repr__(self) -> str:
        return f"_FileBody({self._media.name!r})"


def _id_list(ids: Any) -> Any:
    """One id (a string) stays one id; any other iterable becomes a list."""
    return ids if isinstance(ids, str) or ids is None else list(ids)


def _flag(value: Any) -> str:
    """A boolean as a form or query value: ``true`` / ``false``."""
    return "true" if value else "false"


class _PostFinder:
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


def _update_refused(err: PublerAPIError, post_id: str, workspace: str) -> PublerAPIError:
    """A refused ``PUT /posts/{id}`` with what it means for that post and what to do."""
    if err.status_code == 403:
        hint = (
            f"Publer refuses to update post {post_id}: a post published with approval cannot be changed "
            "by anyone; otherwise the key lacks the 'posts' scope or the post is another workspace's"
        )
    elif err.status_code == 422:
        hint = (
            f"Publer cannot apply this update to post {post_id}: after publishing, most networks let only "
            "some fields change (LinkedIn: text; YouTube: title and description; X, Instagram, Pinterest, "
            "Threads, Bluesky: labels only)"
        )
    elif err.status_code == 404:
        hint = f"post {post_id} does not exist in workspace {workspace} (deleted, or another workspace's)"
    else:
        return err
    return type(err)(err.status_code, [*err.messages, hint], method=err.method, path=err.path)
