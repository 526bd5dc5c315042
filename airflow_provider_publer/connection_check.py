"""What the connection form's Test button says, for every way its one request can end.

The Test button runs :meth:`PublerHook.test_connection
<airflow_provider_publer.hooks.publer.PublerHook.test_connection>`: one read-only
``GET /workspaces``, no retry, no pacing wait. The hook sends it; this module turns the
outcome into the sentence the user reads: what happened, and which field of the form to fix
(named with the form's own labels, :mod:`airflow_provider_publer.connection_form`). The key is
never in a message: errors reach this module already scrubbed.

Plain data and the provider's exceptions only: no Airflow, no HTTP client.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_publer.connection_form import (
    API_KEY_LABEL,
    HOST_LABEL,
    PATH_LABEL,
    PORT_LABEL,
    WORKSPACE_LABEL,
)
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerAuthenticationError,
    PublerConfigurationError,
    PublerConnectError,
    PublerError,
    PublerNotFoundError,
    PublerPermissionError,
    PublerRateLimitError,
    PublerServerError,
    PublerTimeoutError,
)

__all__ = ["TEST_CONNECTION_TIMEOUT", "failure_message", "unknown_base_url", "workspaces_message"]

#: Seconds the connection form's Test button may take, at most.
TEST_CONNECTION_TIMEOUT = 10.0


def unknown_base_url() -> str:
    """How a message names the server when the connection could not even be read."""
    return f"the '{HOST_LABEL}' of the connection"


def workspaces_message(
    workspaces: Sequence[Mapping[str, Any]], base_url: str, default: str | None
) -> tuple[bool, str]:
    """What the Test button shows after Publer listed the key's workspaces.

    :param workspaces: Publer's ``GET /workspaces`` answer, parsed (``[{id, name, ...}]``).
    :param base_url: the API base URL that answered.
    :param default: the connection's default workspace (extra ``workspace_id``), if any.
    :return: ``(ok, message)`` as Airflow's Test button expects.
    """
    names = {str(w.get("id")): str(w.get("name", "")) for w in workspaces}
    if default and default not in names:
        listing = ", ".join(f"{n} ({i})" for i, n in names.items()) or "none"
        return False, (
            f"The API key works, but workspace '{default}' is not one of its {len(names)} workspace(s): "
            f"{listing}. Put one of these ids in '{WORKSPACE_LABEL}'."
        )
    connected = f"Connected to Publer at {base_url}: {len(names)} workspace(s)"
    if default:
        return True, f"{connected}; default workspace '{names[default]}'."
    if not names:
        return False, (
            f"{connected}: the API key can act in no workspace; check its access in Publer "
            "(Settings → Access & Login → API Keys)."
        )
    listing = ", ".join(f"{n} ({i})" for i, n in names.items())
    return True, (
        f"{connected}: {listing}. Put one of these ids in '{WORKSPACE_LABEL}' so that tasks need "
        "not name a workspace."
    )


def failure_message(err: PublerError, base_url: str, timeout: float = TEST_CONNECTION_TIMEOUT) -> str:
    """What the Test button shows for each way the one request can fail.

    :param err: the provider's error (its text already scrubbed of the key).
    :param base_url: the API base URL tried, or :func:`unknown_base_url`.
    :param timeout: the seconds the request was allowed.
    """
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
            f"Publer did not answer within {timeout:.0f}s at {base_url}. Check "
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
