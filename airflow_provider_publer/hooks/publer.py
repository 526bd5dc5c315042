"""The Publer hook: the only code of the provider that speaks HTTP to Publer.

It reads the API key and default workspace from an Airflow connection of type
``publer``, owns one reused HTTP client (sync, and async for the trigger), sets a
timeout on every request, retries what is safe to retry (reads, deletes, 429s,
connection failures that happened before anything was sent), and never repeats a
POST whose outcome is unknown: that raises :class:`PublerOutcomeUnknownError` so
the caller can reconcile instead of posting twice. Every answer goes through
:mod:`airflow_provider_publer.responses`, the one home of Publer's quirks.
"""

from __future__ import annotations

import ipaddress
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import httpx
from airflow.sdk import BaseHook

from airflow_provider_publer import connection_form, responses
from airflow_provider_publer.connection_form import DEFAULT_BASE_URL
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerConfigurationError,
    PublerOutcomeUnknownError,
    PublerTransientError,
)
from airflow_provider_publer.responses import PublerJobResult
from airflow_provider_publer.validation import validate_posts, validate_workspace_id

if TYPE_CHECKING:
    from airflow.sdk import Connection

PUBLER_HOST = "app.publer.com"
USER_AGENT = "airflow-provider-publer"

# Connection failures where the request provably never reached the server.
_NOT_SENT_ERRORS = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class PublerConnectionSettings:
    """What the hook needs from the Airflow connection. The API key never shows in ``repr``.

    :param api_key: the Publer API key (connection password).
    :param base_url: API base URL (connection host), default ``https://app.publer.com/api/v1``.
    :param workspace_id: default workspace (connection extra ``workspace_id``).
    """

    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    workspace_id: str | None = None

    @classmethod
    def from_connection(cls, conn: Connection) -> PublerConnectionSettings:
        extra = conn.extra_dejson or {}
        api_key = (conn.password or extra.get("api_key") or "").strip()
        if not api_key:
            raise PublerConfigurationError(
                f"Connection '{conn.conn_id}' has no Publer API key. Put the key in the connection's "
                "'API key' (password) field; create one in Publer under Settings > Access & Login > API Keys."
            )
        base_url = normalise_base_url(conn.host or extra.get("base_url") or DEFAULT_BASE_URL, conn.conn_id)
        try:
            workspace_id = validate_workspace_id(extra.get("workspace_id"))
        except ValueError as err:
            raise PublerConfigurationError(f"Connection '{conn.conn_id}': {err}") from None
        return cls(api_key=api_key, base_url=base_url, workspace_id=workspace_id)

    def headers(self, workspace_id: str | None) -> dict[str, str]:
        headers = {
            "Authorization": f"Bearer-API {self.api_key}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
        }
        if workspace_id:
            headers["Publer-Workspace-Id"] = workspace_id
        return headers


def normalise_base_url(value: str, conn_id: str | None = "") -> str:
    """Accept ``app.publer.com/api/v1`` or a full URL; refuse plain HTTP except to a loopback address."""
    url = value.strip().rstrip("/")
    if "://" not in url:
        url = f"https://{url}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise PublerConfigurationError(
            f"Connection '{conn_id}': host '{value}' is not an http(s) URL. "
            f"Leave it empty for Publer ({DEFAULT_BASE_URL}) or give a full URL."
        )
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise PublerConfigurationError(
            f"Connection '{conn_id}': refusing to send the API key over plain http to {parts.hostname}. "
            "Use https:// (plain http is allowed only for a server on this machine, e.g. the sandbox)."
        )
    return url


def is_loopback(hostname: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if hostname.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class _Attempt:
    """What the retry policy decided about one HTTP attempt."""

    body: Any = None
    error: Exception | None = None
    wait: float | None = None  # set when the request should be sent again after this many seconds


class PublerHook(BaseHook):
    """Talk to the Publer API with the key and workspace of an Airflow connection.

    :param publer_conn_id: Airflow connection of type ``publer``. Password: API key; host: API base
        URL (empty means ``https://app.publer.com/api/v1``); extra ``workspace_id``: default workspace.
    :param workspace_id: workspace to act in, overriding the connection's default.
    :param timeout: seconds allowed for each HTTP request.
    :param max_retries: how many times a request that is safe to repeat is retried.
    :param retry_base_delay: first backoff delay in seconds; doubled at each retry.
    :param max_retry_wait: longest wait accepted for one 429 retry (Publer's window is 120 s).
    """

    conn_name_attr = "publer_conn_id"
    default_conn_name = "publer_default"
    conn_type = "publer"
    hook_name = "Publer"

    #: The connection form: which standard fields show, and what they are called.
    def __init__(
        self,
        publer_conn_id: str = default_conn_name,
        workspace_id: str | None = None,
        *,
        timeout: float = 30.0,
        max_retries: int = 5,
        retry_base_delay: float = 1.0,
        max_retry_wait: float = 130.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__()
        self.publer_conn_id = publer_conn_id
        self.workspace_id = workspace_id
        self.timeout = timeout
        self.max_retries = max_retries
        self.retry_base_delay = retry_base_delay
        self.max_retry_wait = max_retry_wait
        self._sleep = sleep
        self._async_client: httpx.AsyncClient | None = None

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
        """The connection's key, URL and workspace, read once and masked in task logs."""
        settings = PublerConnectionSettings.from_connection(self.get_connection(self.publer_conn_id))
        _mask(settings.api_key)
        return settings

    async def asettings(self) -> PublerConnectionSettings:
        """Async variant of :attr:`settings` for the triggerer (no blocking secrets lookup)."""
        if "settings" not in self.__dict__:
            conn = await self.aget_connection(self.publer_conn_id)
            self.__dict__["settings"] = PublerConnectionSettings.from_connection(conn)
            _mask(self.__dict__["settings"].api_key)
        settings: PublerConnectionSettings = self.__dict__["settings"]
        return settings

    def get_conn(self) -> httpx.Client:
        """The hook's HTTP client, created once and reused for every request."""
        return self._client

    @cached_property
    def _client(self) -> httpx.Client:
        return httpx.Client(base_url=self.settings.base_url + "/", timeout=self.timeout)

    def close(self) -> None:
        """Close the HTTP client (safe to call more than once)."""
        client = self.__dict__.pop("_client", None)
        if client is not None:
            client.close()

    async def aclose(self) -> None:
        """Close the async HTTP client."""
        if self._async_client is not None:
            await self._async_client.aclose()
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

    # -- the request loop (sync and async share the policy) ---------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        workspace_id: str | None = None,
        params: Any = None,
        json: Any = None,
        safe_to_repeat: bool = True,
    ) -> Any:
        headers = self.settings.headers(workspace_id)
        for attempt in range(self.max_retries + 1):
            try:
                response = self._client.request(method, path, params=params, json=json, headers=headers)
            except httpx.HTTPError as exc:
                outcome = self._judge_exception(exc, method, path, attempt, safe_to_repeat)
            else:
                outcome = self._judge_response(response, method, path, attempt, safe_to_repeat)
            if outcome.wait is None:
                return self._finish(outcome)
            self.log.warning(
                "Publer %s %s: retrying in %.1fs (%s)", method, path, outcome.wait, outcome.error
            )
            self._sleep(outcome.wait)
        raise AssertionError("unreachable: the last attempt never asks to wait")  # pragma: no cover

    async def _arequest(
        self, method: str, path: str, *, workspace_id: str | None = None, params: Any = None
    ) -> Any:
        import asyncio

        settings = await self.asettings()
        if self._async_client is None:
            self._async_client = httpx.AsyncClient(base_url=settings.base_url + "/", timeout=self.timeout)
        headers = settings.headers(workspace_id)
        for attempt in range(self.max_retries + 1):
            try:
                response = await self._async_client.request(method, path, params=params, headers=headers)
            except httpx.HTTPError as exc:
                outcome = self._judge_exception(exc, method, path, attempt, True)
            else:
                outcome = self._judge_response(response, method, path, attempt, True)
            if outcome.wait is None:
                return self._finish(outcome)
            self.log.warning(
                "Publer %s %s: retrying in %.1fs (%s)", method, path, outcome.wait, outcome.error
            )
            await asyncio.sleep(outcome.wait)
        raise AssertionError("unreachable: the last attempt never asks to wait")  # pragma: no cover

    @staticmethod
    def _finish(outcome: _Attempt) -> Any:
        if outcome.error is not None:
            raise outcome.error
        return outcome.body

    def _judge_response(
        self, response: httpx.Response, method: str, path: str, attempt: int, safe: bool
    ) -> _Attempt:
        body = _json_or_none(response)
        if response.is_success:
            return _Attempt(body=body)
        wait = None
        if response.status_code == 429:
            wait = responses.rate_limit_wait(response.headers, time.time())
        error = responses.api_error(
            response.status_code, body, response.text, method=method, path=path, retry_after=wait
        )
        if not responses.is_transient_status(response.status_code):
            return _Attempt(error=error)
        if response.status_code != 429 and not safe:
            return _Attempt(error=self._unknown_outcome(method, path, error))
        return self._retry_or_give_up(error, attempt, wait)

    def _judge_exception(
        self, exc: httpx.HTTPError, method: str, path: str, attempt: int, safe: bool
    ) -> _Attempt:
        if not isinstance(exc, _NOT_SENT_ERRORS) and not safe:
            return _Attempt(error=self._unknown_outcome(method, path, exc))
        error = PublerTransientError(
            f"Could not reach Publer for {method} {path}: {type(exc).__name__}: {exc or 'no detail'}"
        )
        return self._retry_or_give_up(error, attempt, None)

    def _retry_or_give_up(self, error: Exception, attempt: int, wait: float | None) -> _Attempt:
        delay = wait if wait is not None else responses.backoff_delay(attempt, self.retry_base_delay)
        if attempt >= self.max_retries or delay > self.max_retry_wait:
            if not isinstance(error, PublerAPIError):
                error = PublerTransientError(f"{error} (gave up after {attempt + 1} attempts)")
            return _Attempt(error=error)
        return _Attempt(error=error, wait=delay)

    @staticmethod
    def _unknown_outcome(method: str, path: str, cause: Exception) -> PublerOutcomeUnknownError:
        error = PublerOutcomeUnknownError(
            f"{method} {path} was sent but its outcome is unknown ({type(cause).__name__}: {cause}). "
            "It was not repeated, so nothing is posted twice; "
            "reconcile with list_posts() before resubmitting."
        )
        error.__cause__ = cause
        return error

    # -- read ------------------------------------------------------------------------------------

    def get_current_user(self) -> dict[str, Any]:
        """``GET /users/me``: the user that owns the API key."""
        body = responses.unwrap(self._request("GET", "users/me"))
        return dict(body) if isinstance(body, Mapping) else {"user": body}

    def list_workspaces(self) -> list[dict[str, Any]]:
        """``GET /workspaces``: every workspace the key can act in."""
        return responses.parse_list(self._request("GET", "workspaces"), "workspaces")

    def list_accounts(self, workspace_id: str | None = None) -> list[dict[str, Any]]:
        """``GET /accounts``: the social accounts of a workspace (list or ``{"accounts": [...]}``)."""
        body = self._request("GET", "accounts", workspace_id=self.resolve_workspace(workspace_id))
        return responses.parse_list(body, "accounts")

    def get_job_status(self, job_id: str, workspace_id: str | None = None) -> PublerJobResult:
        """``GET /job_status/{id}``, normalised whatever envelope Publer used."""
        job_id = _require_id(job_id, "job_id")
        body = self._request("GET", f"job_status/{job_id}", workspace_id=self.resolve_workspace(workspace_id))
        return responses.parse_job_status(job_id, body)

    async def aget_job_status(self, job_id: str, workspace_id: str | None = None) -> PublerJobResult:
        """Async ``GET /job_status/{id}`` for the triggerer, parsed by the same normalisation."""
        job_id = _require_id(job_id, "job_id")
        workspace = self._pick_workspace(workspace_id, await self.asettings())
        body = await self._arequest("GET", f"job_status/{job_id}", workspace_id=workspace)
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
        max_pages: int = 1000,
    ) -> list[dict[str, Any]]:
        """``GET /posts`` following every page; filters as Publer documents them.

        :param state: one state (``scheduled``) or several (sent as ``state[]``).
        :param account_ids: only posts of these accounts.
        :param from_: ISO date/datetime, posts on or after (Publer requires ``to`` with it).
        :param to: ISO date/datetime, posts on or before.
        :param query: full-text search.
        """
        workspace = self.resolve_workspace(workspace_id)
        params = _posts_params(state, account_ids, from_, to, query)
        posts: list[dict[str, Any]] = []
        seen: set[str] = set()
        for page_number in range(max_pages):
            body = self._request(
                "GET", "posts", workspace_id=workspace, params=[*params, ("page", page_number)]
            )
            page = responses.parse_posts_page(body, page_number)
            ids = {str(p.get("id")) for p in page.posts}
            if page_number and ids and ids <= seen:
                self.log.warning("Publer answered page %d with posts already listed; stopping", page_number)
                break
            seen |= ids
            posts.extend(page.posts)
            if page.is_last:
                break
        return posts

    # -- write -----------------------------------------------------------------------------------

    def schedule_posts(
        self, posts: Sequence[Mapping[str, Any]], state: str = "scheduled", workspace_id: str | None = None
    ) -> str:
        """``POST /posts/schedule`` with ``bulk.posts`` as Publer documents it; returns the job id.

        The posts are validated first; nothing is sent if any is invalid. The POST is never
        repeated when its outcome is unknown (see :class:`PublerOutcomeUnknownError`).
        """
        checked = validate_posts(posts, state=state)
        return self._submit("posts/schedule", state, checked, workspace_id)

    def publish_posts(
        self, posts: Sequence[Mapping[str, Any]], workspace_id: str | None = None, state: str = "scheduled"
    ) -> str:
        """``POST /posts/schedule/publish``: publish now (no ``scheduled_at``); returns the job id.

        :param state: ``scheduled`` as Publer's docs require (``publish`` is accepted too).
        """
        checked = validate_posts(posts, state=state, publish_now=True)
        return self._submit("posts/schedule/publish", state, checked, workspace_id)

    def _submit(self, path: str, state: str, posts: list[dict[str, Any]], workspace_id: str | None) -> str:
        workspace = self.resolve_workspace(workspace_id)
        body = self._request(
            "POST",
            path,
            workspace_id=workspace,
            json={"bulk": {"state": state, "posts": posts}},
            safe_to_repeat=False,
        )
        job_id = responses.parse_job_id(body)
        self.log.info("Publer accepted %d post(s) as job %s", len(posts), job_id)
        return job_id

    def delete_posts(self, post_ids: Iterable[str], workspace_id: str | None = None) -> list[str]:
        """``DELETE /posts?post_ids[]=...``; returns the ids Publer reports as deleted."""
        wanted = [_require_id(post_id, "post_ids[]") for post_id in post_ids]
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

    # -- connection test -------------------------------------------------------------------------

    def test_connection(self) -> tuple[bool, str]:
        """Read-only check for the connection form's Test button: ``GET /workspaces``."""
        try:
            workspaces = self.list_workspaces()
        except Exception as err:
            return False, f"Publer connection failed: {err}"
        names = {str(w.get("id")): str(w.get("name", "")) for w in workspaces}
        default = self.settings.workspace_id
        if default and default not in names:
            return False, (
                f"The API key works, but workspace '{default}' is not one of its {len(names)} workspace(s): "
                f"{', '.join(f'{n} ({i})' for i, n in names.items()) or 'none'}."
            )
        where = f"; default workspace '{names[default]}'" if default else ""
        return True, f"Connected to Publer: {len(names)} workspace(s){where}."


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
    text = str(value).strip() if value is not None else ""
    if not text or text == "None" or "/" in text:
        raise PublerConfigurationError(
            f"{name} must be a Publer id such as '68176fa0f0eb419444bee686', got {value!r}. "
            "If it comes from XCom, check that the upstream task pushed it."
        )
    return text


def _json_or_none(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return None


def _mask(secret: str) -> None:
    try:
        from airflow.sdk.log import mask_secret
    except ImportError:  # pragma: no cover - every supported Airflow has it
        return
    mask_secret(secret)
