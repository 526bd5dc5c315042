"""Exceptions raised by the Publer provider.

Every error a user can meet carries a message that says what went wrong and what
to do about it. HTTP errors carry the status code and Publer's own messages, so
callers branch on types and attributes, never on parsed strings.

One error policy: each exception says whether its trouble is *transient* (it may pass, so
asking again later may succeed) through :attr:`PublerError.transient`, and :func:`is_transient`
reads it. The hook's retries, the sensors' and triggers' "not yet", and the operators' choice
between an Airflow retry and a failure for good all decide on that one attribute.

This module imports nothing from Airflow: the validation module, the response
normalisation and the hook all share it, and it stays cheap to import at DAG
parse time.
"""

from __future__ import annotations


class PublerError(Exception):
    """Base class of every error raised by this provider.

    :attr transient: whether the trouble may pass, so that the same request asked again later
        may succeed (network trouble, 429, most 5xx). ``False`` for everything asking again
        cannot fix (bad input, a refused key, an unknown id) and for a request whose outcome is
        unknown (repeating it could post twice).
    """

    transient: bool = False


def is_transient(error: BaseException) -> bool:
    """The one "may this pass?" decision of the provider: a :class:`PublerError` that says so."""
    return isinstance(error, PublerError) and error.transient


class PublerValidationError(PublerError, ValueError):
    """Input that would be sent to Publer is invalid; nothing was sent.

    The message names the first problem; when other posts of the same list have problems too,
    they follow it (``more``), so a calendar is fixed in one pass rather than one run per error.

    :param message: what is wrong and how to fix it.
    :param field: dotted path of the offending field, e.g. ``posts[2].accounts[0].scheduled_at``.
    :param more: the problems of the other posts (each a ``PublerValidationError``).
    """

    #: How many of ``more`` the message lists (all of them stay in ``more``).
    LISTED = 20

    def __init__(
        self, message: str, *, field: str | None = None, more: list[PublerValidationError] | None = None
    ) -> None:
        self.field = field
        self.problem = message
        self.more = list(more or [])
        #: The first problem alone: ``"<field>: <message>"``.
        self.first = f"{field}: {message}" if field else message
        super().__init__(self.first + _listing(self.more, self.LISTED))


def _listing(more: list[PublerValidationError], limit: int) -> str:
    if not more:
        return ""
    lines = "".join(f"\n- {error.first}" for error in more[:limit])
    rest = f"\n- ... and {len(more) - limit} more" if len(more) > limit else ""
    return f"\n{len(more)} more problem(s) in other posts:{lines}{rest}"


class PublerConfigurationError(PublerError):
    """The Airflow connection is unusable (missing API key, insecure URL, ...)."""


class PublerAPIError(PublerError):
    """Publer answered with an HTTP error.

    :param status_code: the HTTP status code.
    :param messages: Publer's error messages, from ``errors``/``error``/``message``.
    :param method: HTTP method of the request.
    :param path: API path of the request (never the query string: it may hold ids only).
    """

    def __init__(self, status_code: int, messages: list[str], *, method: str = "", path: str = "") -> None:
        self.status_code = status_code
        self.messages = list(messages)
        self.method = method
        self.path = path
        detail = "; ".join(self.messages) or "no error message in the response"
        where = f" on {method} {path}" if method else ""
        super().__init__(f"Publer returned HTTP {status_code}{where}: {detail}{self._hint()}")

    def _hint(self) -> str:
        return ""


class PublerAuthenticationError(PublerAPIError):
    """HTTP 401: the API key is missing, wrong, revoked or expired."""

    def _hint(self) -> str:
        return (
            ". Check the API key stored as the password of the Publer connection "
            "(Publer: Settings > Access & Login > API Keys)."
        )


class PublerPermissionError(PublerAPIError):
    """HTTP 403: missing scope, missing/unknown workspace, plan entitlement or a locked post."""

    def _hint(self) -> str:
        return (
            ". Check that the key has the needed scopes and that the workspace id "
            "(connection extra 'workspace_id' or the task's workspace_id) is one of your workspaces."
        )


class PublerNotFoundError(PublerAPIError):
    """HTTP 404: the job, post or resource does not exist."""


class PublerRateLimitError(PublerAPIError):
    """HTTP 429: Publer's limit of 100 requests per 2 minutes per user was hit (transient: Publer
    refused the request, so it is always safe to send again after the wait).

    :param retry_after: seconds to wait before the next request, when Publer said so.
    """

    transient = True

    def __init__(
        self,
        status_code: int,
        messages: list[str],
        *,
        method: str = "",
        path: str = "",
        retry_after: float | None = None,
    ) -> None:
        self.retry_after = retry_after
        super().__init__(status_code, messages, method=method, path=path)

    def _hint(self) -> str:
        wait = f" in {self.retry_after:.0f}s" if self.retry_after is not None else " later"
        return f". Retry{wait}; several DAGs sharing one Publer user share this limit."


class PublerServerError(PublerAPIError):
    """HTTP 5xx from Publer: transient, except 501 Not Implemented (asking again cannot help)."""

    def __init__(self, status_code: int, messages: list[str], *, method: str = "", path: str = "") -> None:
        super().__init__(status_code, messages, method=method, path=path)
        self.transient = status_code != 501


class PublerTransientError(PublerError):
    """Network trouble that may pass: Publer could not be reached, or its answer was lost.

    Raised for requests that are safe to repeat (reads, deletes) and for any request that
    provably never reached Publer; a POST that may have reached it raises
    :class:`PublerOutcomeUnknownError` instead.
    """

    transient = True


class PublerConnectError(PublerTransientError):
    """The connection to Publer was never established (refused, unresolvable host, TLS handshake,
    proxy): nothing was sent, so any request may be tried again."""


class PublerTimeoutError(PublerTransientError):
    """Publer did not answer a request that is safe to repeat within the timeout."""


class PublerOutcomeUnknownError(PublerError):
    """A request that changes state was sent, but whether Publer applied it is unknown.

    Raised when a POST times out, loses its connection after being sent, or meets a
    5xx. Repeating it blindly could post twice; callers reconcile against
    ``GET /posts`` instead. Not transient: no retry policy may repeat it.
    """
