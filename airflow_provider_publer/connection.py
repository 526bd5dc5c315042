"""What the provider reads from an Airflow connection of type ``publer``, in every form users write it.

Users define connections in the UI, as JSON, as URIs (``airflow connections add --conn-uri``,
``AIRFLOW_CONN_*``) and through secrets backends, which mostly store URIs. Airflow keeps a
URI's path in ``schema`` and its port in ``port``, while the UI and JSON forms usually put a
whole URL in ``host``. :func:`build_base_url` turns every one of these into the same API base
URL, so ``publer://:KEY@app.publer.com/api/v1``, ``{"host": "https://app.publer.com/api/v1"}``
and an empty host all reach ``https://app.publer.com/api/v1``.

The API key is checked here too, before any request: a key with whitespace or control
characters inside (a line break pasted with it) is refused with a message that does not
echo it, and :func:`scrub` removes the key, in every form it can take, from any text the
provider builds from Publer's answers or from transport errors.

Plain data and the standard library only: no Airflow, no HTTP client.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, quote_plus, urlsplit

from airflow_provider_publer.connection_form import (
    API_KEY_LABEL,
    DEFAULT_BASE_URL,
    HOST_LABEL,
    PATH_LABEL,
    PORT_LABEL,
)
from airflow_provider_publer.exceptions import PublerConfigurationError
from airflow_provider_publer.validation import validate_workspace_id

DEFAULT_HOST = "app.publer.com"
DEFAULT_PATH = "/api/v1"
#: A scheme's own port is left out of the base URL, so ``:443`` and no port give the same URL.
DEFAULT_PORTS = {"https": 443, "http": 80}
AUTH_SCHEME = "Bearer-API"
REDACTED = "***"


@dataclass(frozen=True)
class PublerConnectionSettings:
    """What the hook needs from the Airflow connection. The API key never shows in ``repr``.

    :param api_key: the Publer API key (connection password).
    :param base_url: API base URL built from host, port and schema (path); default
        ``https://app.publer.com/api/v1``.
    :param workspace_id: default workspace (connection extra ``workspace_id``).
    :param verify: TLS verification: ``True``, ``False`` or the path of a CA bundle (extra ``verify``).
    :param proxies: proxies for https requests, scheme -> proxy URL (extra ``proxies``).
    :param trust_env: whether proxy and CA settings of the environment apply to https requests
        (extra ``trust_env``, default ``True``). Plain http to loopback never uses a proxy.
    :param rate_limit: requests Publer allows the key's user per window (extra ``rate_limit``,
        default 100, Publer's documented limit).
    :param rate_limit_window: that window in seconds (extra ``rate_limit_window``, default 120).
    """

    api_key: str = field(repr=False)
    base_url: str = DEFAULT_BASE_URL
    workspace_id: str | None = None
    verify: bool | str = True
    proxies: Mapping[str, str] = field(default_factory=dict, repr=False)
    trust_env: bool = True
    rate_limit: int = 100
    rate_limit_window: float = 120.0

    @classmethod
    def from_connection(cls, conn: Any) -> PublerConnectionSettings:
        """Read an Airflow ``Connection`` (task SDK or models); raise PublerConfigurationError."""
        conn_id = str(getattr(conn, "conn_id", "") or "")
        extra = _extra(conn, conn_id)
        api_key = check_api_key(conn.password or extra.get("api_key"), conn_id)
        base_url = build_base_url(
            conn.host or extra.get("base_url"), getattr(conn, "port", None), conn.schema, conn_id
        )
        try:
            workspace_id = validate_workspace_id(extra.get("workspace_id"))
        except ValueError as err:
            raise PublerConfigurationError(f"Connection '{conn_id}': {err}") from None
        local = is_plain_http_to_loopback(base_url)
        return cls(
            api_key=api_key,
            base_url=base_url,
            workspace_id=workspace_id,
            verify=_verify(extra.get("verify", True), conn_id),
            proxies={} if local else _proxies(extra.get("proxies"), conn_id),
            trust_env=False if local else _flag(extra.get("trust_env", True), "trust_env", conn_id),
            rate_limit=int(_positive(extra.get("rate_limit", 100), "rate_limit", conn_id)),
            rate_limit_window=_positive(extra.get("rate_limit_window", 120), "rate_limit_window", conn_id),
        )

    @property
    def authorization(self) -> str:
        """The ``Authorization`` header value Publer documents: ``Bearer-API <key>``."""
        return f"{AUTH_SCHEME} {self.api_key}"

    def scrub(self, text: str) -> str:
        """``text`` with the API key (and any proxy password) replaced by ``***``, in every form."""
        return scrub(text, self.api_key, *_proxy_passwords(self.proxies))

    def secret_forms(self) -> set[str]:
        """The forms of the key that could appear in text: for Airflow's log masker."""
        return secret_forms(self.api_key)


def check_api_key(value: Any, conn_id: str) -> str:
    """The API key without surrounding whitespace; refuse a missing key or one with odd characters.

    The message never contains the key: it may end up in logs, the UI and failure e-mails.
    """
    key = str(value or "").strip()
    if not key:
        raise PublerConfigurationError(
            f"Connection '{conn_id}' has no Publer API key. Put the key in the connection's "
            f"'{API_KEY_LABEL}' (password) field; create one in Publer under Settings > Access & Login > "
            "API Keys."
        )
    if any(not (char.isascii() and char.isprintable()) or char.isspace() for char in key):
        raise PublerConfigurationError(
            f"Connection '{conn_id}': the Publer API key contains whitespace, a line break or another "
            "character that is not printable ASCII, so it cannot be sent in a header. Copy the key "
            f"again from Publer (Settings > Access & Login > API Keys) and paste it alone into the "
            f"'{API_KEY_LABEL}' field."
        )
    return key


def build_base_url(host: Any, port: Any, schema: Any, conn_id: str = "") -> str:
    """The API base URL from a connection's host, port and schema, in every form Airflow keeps them.

    - ``host`` may be empty (Publer), a host name, ``host:port``, or a full URL with a scheme,
      port and path (``https://app.publer.com/api/v1``). Without a scheme it is https.
    - ``port`` is the connection's port field (a URI's port); ``0`` or empty means none.
    - ``schema`` is the connection's schema field, where Airflow keeps a URI's path (``api/v1``).

    The path defaults to ``/api/v1``. A port or path given twice, differently, is an error.
    Plain http is allowed only to a loopback address.
    """
    raw = str(host or "").strip()
    url = raw.rstrip("/") or DEFAULT_HOST
    if "://" not in url:
        url = f"https://{url}"
    try:
        parts = urlsplit(url)
        url_port = parts.port
    except ValueError:
        raise _bad_host(raw, conn_id, "its port is not a number") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad_host(raw, conn_id, "it is not an http(s) URL")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise _bad_host(
            raw, conn_id, f"it holds a query, fragment or credentials; put the key in '{API_KEY_LABEL}'"
        )
    final_port = _merge_port(url_port, port, conn_id)
    path = _merge_path(parts.path, schema, conn_id)
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise PublerConfigurationError(
            f"Connection '{conn_id}': refusing to send the API key over plain http to {parts.hostname}. "
            "Use https:// (plain http is allowed only for a server on this machine, e.g. the sandbox)."
        )
    netloc = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    if final_port is not None and final_port != DEFAULT_PORTS[parts.scheme]:
        netloc = f"{netloc}:{final_port}"
    return f"{parts.scheme}://{netloc}{path}"


def _merge_port(url_port: int | None, port_field: Any, conn_id: str) -> int | None:
    field_port = _port(port_field, conn_id)
    if url_port is not None and field_port is not None and url_port != field_port:
        raise PublerConfigurationError(
            f"Connection '{conn_id}': the {HOST_LABEL} says port {url_port} but the {PORT_LABEL} field says "
            f"{field_port}; give the port once (in the {HOST_LABEL} URL or in the {PORT_LABEL} field)."
        )
    return url_port if url_port is not None else field_port


def _merge_path(url_path: str, schema: Any, conn_id: str) -> str:
    from_url = url_path.strip("/")
    from_schema = str(schema or "").strip().strip("/")
    if from_url and from_schema and from_url != from_schema:
        raise PublerConfigurationError(
            f"Connection '{conn_id}': the {HOST_LABEL} has the path '/{from_url}' but the {PATH_LABEL} "
            f"(schema) field says '/{from_schema}'; give the path once."
        )
    path = from_url or from_schema
    return f"/{path}" if path else DEFAULT_PATH


def _port(value: Any, conn_id: str) -> int | None:
    if value in (None, "", 0, "0"):
        return None
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = -1
    if not 0 < port < 65536:
        raise PublerConfigurationError(
            f"Connection '{conn_id}': {PORT_LABEL} {value!r} is not a TCP port (1-65535); use 443 or "
            "leave it empty for Publer."
        )
    return port


def _bad_host(raw: str, conn_id: str, why: str) -> PublerConfigurationError:
    return PublerConfigurationError(
        f"Connection '{conn_id}': {HOST_LABEL} {raw!r} cannot be used: {why}. Leave it empty for Publer "
        f"({DEFAULT_BASE_URL}) or give a host such as app.publer.com or a URL such as "
        "https://app.publer.com/api/v1."
    )


def is_loopback(hostname: str) -> bool:
    """True for ``localhost`` and loopback IP addresses (127.0.0.0/8, ::1)."""
    if hostname.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(hostname.strip("[]")).is_loopback
    except ValueError:
        return False


def is_plain_http_to_loopback(base_url: str) -> bool:
    """Plain http to this machine: such requests never go through a proxy."""
    parts = urlsplit(base_url)
    return parts.scheme == "http" and is_loopback(parts.hostname or "")


def secret_forms(secret: str) -> set[str]:
    """A secret as sent, escaped (repr, JSON) and URL-encoded: every form text may carry it in."""
    if not secret:
        return set()
    forms = {
        secret,
        repr(secret)[1:-1],
        json.dumps(secret)[1:-1],
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        repr(secret.encode())[2:-1],
    }
    return {form for form in forms if form}


def scrub(text: str, *secrets: str) -> str:
    """``text`` with every form of every secret replaced by ``***`` (longest forms first)."""
    forms = sorted({form for secret in secrets for form in secret_forms(secret)}, key=len, reverse=True)
    for form in forms:
        text = text.replace(form, REDACTED)
    return text


def _extra(conn: Any, conn_id: str) -> dict[str, Any]:
    try:
        extra = conn.extra_dejson
    except (TypeError, ValueError):
        extra = None
    if extra is None:
        extra = {}
    if not isinstance(extra, Mapping):
        raise PublerConfigurationError(f"Connection '{conn_id}': the extra must be a JSON object.")
    return dict(extra)


def _verify(value: Any, conn_id: str) -> bool | str:
    if isinstance(value, str) and value.strip().lower() not in ("true", "false"):
        return value.strip()
    return _flag(value, "verify", conn_id)


def _flag(value: Any, name: str, conn_id: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise PublerConfigurationError(
        f"Connection '{conn_id}': extra '{name}' must be true or false, got {value!r}."
    )


def _positive(value: Any, name: str, conn_id: str) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = -1.0
    if not number > 0:
        raise PublerConfigurationError(
            f"Connection '{conn_id}': extra '{name}' must be a positive number, got {value!r} "
            "(Publer's documented limit is 100 requests per 120 seconds)."
        )
    return number


def _proxies(value: Any, conn_id: str) -> dict[str, str]:
    if value in (None, "", {}):
        return {}
    if isinstance(value, str):
        value = {"https": value}
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise PublerConfigurationError(
            f"Connection '{conn_id}': extra 'proxies' must map a scheme to a proxy URL, e.g. "
            '{"https": "http://proxy.example.com:3128"}.'
        )
    return {str(k): v for k, v in value.items()}


def _proxy_passwords(proxies: Mapping[str, str]) -> list[str]:
    passwords = []
    for url in proxies.values():
        try:
            password = urlsplit(url).password
        except ValueError:
            password = None
        if password:
            passwords.append(password)
    return passwords
