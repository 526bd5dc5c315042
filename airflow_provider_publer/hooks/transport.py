"""How the Publer hook sends a request: the only place of the provider that does HTTP.

Why this module exists: every endpoint is sent the same way, so sending is written once,
apart from what each endpoint means (:mod:`airflow_provider_publer.hooks.endpoints`).
:class:`PublerTransport`, the base class of
:class:`~airflow_provider_publer.hooks.publer.PublerHook`, owns:

- the connection's settings (:mod:`airflow_provider_publer.connection`), read once, the key
  registered with Airflow's log masker;
- one ``requests.Session`` per hook (as Airflow's ``HttpHook`` does) and, for the triggerer, one
  ``httpx.AsyncClient`` per connection settings and event loop, shared by every trigger
  (``_SHARED``);
- pacing under Publer's request budget (:class:`~airflow_provider_publer.retries.RateBudget`, one
  per key and process, following the ``X-RateLimit-*`` headers);
- the retry policy (:mod:`airflow_provider_publer.retries`, tenacity): reads, deletes, updates,
  429s and connections that never reached Publer are retried with backoff; a POST whose outcome
  is unknown is never repeated (:class:`PublerOutcomeUnknownError`), so the caller can reconcile
  instead of posting twice;
- error mapping: every answer goes through :mod:`airflow_provider_publer.responses` (the one home
  of Publer's quirks) and every message built from an answer or a transport error is scrubbed of
  the key.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from airflow.sdk import BaseHook

from airflow_provider_publer import responses, retries
from airflow_provider_publer.connection import PublerConnectionSettings
from airflow_provider_publer.connection_form import HOST_LABEL
from airflow_provider_publer.exceptions import (
    PublerConfigurationError,
    PublerConnectError,
    PublerError,
    PublerOutcomeUnknownError,
    PublerRateLimitError,
    PublerServerError,
    PublerTimeoutError,
    PublerTransientError,
)
from airflow_provider_publer.validation import validate_workspace_id

if TYPE_CHECKING:
    import httpx
    import requests

    from airflow_provider_publer.hooks.endpoints import Endpoint

T = TypeVar("T")

__all__ = ["SAFE_METHODS", "SETTINGS_TTL", "USER_AGENT", "PublerTransport", "aclose_clients", "answer_lost"]

USER_AGENT = "airflow-provider-publer"
#: Methods that change nothing when repeated; everything else is sent at most once when in doubt.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})
#: Seconds the triggers of one triggerer share a connection's settings before looking it up again.
SETTINGS_TTL = 60.0


class PublerTransport(BaseHook):
    """Sends Publer requests with the key and workspace of an Airflow connection (see
    :class:`~airflow_provider_publer.hooks.publer.PublerHook`, which adds the endpoints).

    :param publer_conn_id: Airflow connection of type ``publer``.
    :param workspace_id: workspace to act in, overriding the connection's default.
    :param timeout: seconds allowed for each HTTP request (connect and read).
    :param max_retries: retries of a request that is safe to repeat, after network trouble or 5xx.
    :param retry_base_delay: first backoff delay in seconds; doubled at each retry, plus jitter.
    :param max_retry_wait: longest wait accepted for one retry (Publer's rate window is 120 s).
    :param deadline: UNIX time after which no retry or pacing wait starts (a sensor's time left).
    :param sleep: how to wait (tests pass a recorder).
    """

    default_conn_name = "publer_default"

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

    # -- endpoints (hooks/endpoints.py describes each) -------------------------------------------

    def _call(
        self,
        endpoint: Endpoint[T],
        *,
        ids: Mapping[str, Any] | None = None,
        workspace: str | None = None,
        params: Any = None,
        json: Any = None,
        files: Any = None,
        data: Any = None,
        retry: bool = True,
        timeout: float | None = None,
        lost: list[PublerError] | None = None,
    ) -> T:
        """Send one endpoint (its ids checked and escaped into the path); return the parsed answer."""
        ids = ids or {}
        body = self._request(
            endpoint.method,
            endpoint.url_path(ids),
            workspace_id=workspace,
            params=params,
            json=json,
            files=files,
            data=data,
            retry=retry,
            timeout=timeout,
            lost=lost,
        )
        return endpoint.read(body, ids)

    def _call_pages(
        self,
        endpoint: Endpoint[T],
        params: list[tuple[str, Any]],
        workspace: str,
        max_pages: int,
        *,
        ids: Mapping[str, Any] | None = None,
    ) -> T:
        """Send a paged endpoint for every page (0-based; the echoed page is not trusted)."""
        if endpoint.pages is None:
            raise TypeError(f"{endpoint.method} {endpoint.path} is not paged")
        ids = ids or {}
        path = endpoint.url_path(ids)
        pager = responses.Pager(endpoint.pages, max_pages=max_pages)
        while not pager.done:
            pager.feed(
                self._request(
                    endpoint.method, path, workspace_id=workspace, params=[*params, ("page", pager.page)]
                )
            )
        return endpoint.read(pager.items, ids)

    async def _acall(
        self,
        endpoint: Endpoint[T],
        *,
        ids: Mapping[str, Any] | None = None,
        workspace: str | None = None,
        params: Any = None,
    ) -> T:
        """Async :meth:`_call` for the triggerer (reads only)."""
        ids = ids or {}
        body = await self._arequest(
            endpoint.method, endpoint.url_path(ids), workspace_id=workspace, params=params
        )
        return endpoint.read(body, ids)

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
        lost: list[PublerError] | None = None,
    ) -> Any:
        """Send one API request under the retry policy; return the decoded JSON body (or ``None``).

        :param lost: when given, every attempt that reached Publer and whose answer was lost (a
            5xx, a timeout or a broken connection after sending) is appended to it: Publer may
            have applied that attempt although the request was then repeated.
        """
        headers = {"Publer-Workspace-Id": workspace_id} if workspace_id else {}
        request = _Request(method.upper(), path, headers, params, json, files, data)
        send = self._send if lost is None else _recording(self._send, lost)
        if not retry:
            return send(request, timeout=timeout, pace=False)
        retrying = self._policy().retrying(self.log, sleep=self._sleep)
        try:
            return retrying(send, request, timeout=timeout, pace=True)
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

    # -- errors ----------------------------------------------------------------------------------

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


def answer_lost(err: BaseException) -> bool:
    """Whether an attempt reached Publer and lost its answer (a 5xx, a timeout or a broken
    connection after sending): Publer may have applied it. A connection never made, a 429 or a
    refused TLS handshake reached nothing."""
    if isinstance(err, PublerServerError):
        return True
    return isinstance(err, PublerTransientError) and not isinstance(err, PublerConnectError)


def _recording(send: Callable[..., Any], lost: list[PublerError]) -> Callable[..., Any]:
    """``send``, noting in ``lost`` every attempt whose answer was lost."""

    def recording(request: _Request, **kwargs: Any) -> Any:
        try:
            return send(request, **kwargs)
        except PublerError as err:
            if answer_lost(err):
                lost.append(err)
            raise

    return recording


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

    async def settings(self, hook: PublerTransport) -> PublerConnectionSettings:
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
