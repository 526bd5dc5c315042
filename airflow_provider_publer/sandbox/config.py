"""How a sandbox behaves: seeded workspaces and accounts, response style, limits and faults.

Kept apart from the server so tests, the CLI and a JSON config file all build the
same two dataclasses, and so the seeded ids (which DAGs and tests hard-code) live in
one place.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from airflow_provider_publer.sandbox.media import MAX_UPLOAD_BYTES
from airflow_provider_publer.sandbox.paging import PAGE_ECHOES, PAST_ENDS

SANDBOX_API_KEY = "sandbox-api-key-0123456789"
SANDBOX_WORKSPACE_ID = "5f8d7a62c9e77e001f36e3a1"
SANDBOX_CLIENT_WORKSPACE_ID = "60a2e45f9b3c8d002a4b7c32"

SANDBOX_USER: dict[str, str] = {
    "id": "5b1ec026db27977424e8599e",
    "email": "sandbox@publer.invalid",
    "name": "Sandbox User",
    "first_name": "Sandbox",
    "picture": "https://sandbox.publer.invalid/avatars/user.png",
}

RESPONSE_STYLES = ("flat", "envelope")
PLANS = ("free", "professional", "business")


def _account(account_id: str, name: str, provider: str, kind: str) -> dict[str, str]:
    return {
        "id": account_id,
        "name": name,
        "provider": provider,
        "type": kind,
        "picture": f"https://sandbox.publer.invalid/avatars/{provider}.png",
        "status": "active",
    }


#: The accounts of the sandbox workspace, in the order GET /accounts lists them: one per
#: provider (DAGs pick accounts by provider). The first six were the original seed; tests and
#: DAGs hard-code their ids, so they stay first and unchanged.
SANDBOX_ACCOUNTS: tuple[dict[str, str], ...] = (
    _account("63c675b54e299e9cf2b667ea", "Sandbox Facebook Page", "facebook", "page"),
    _account("63c675d74e299e9cf2b667eb", "Sandbox LinkedIn Page", "linkedin", "page"),
    _account("63c675e94e299e9cf2b667ec", "Sandbox X Profile", "twitter", "profile"),
    _account("63c675f14e299e9cf2b667ed", "Sandbox Instagram", "instagram", "business"),
    _account("63c675f84e299e9cf2b667ee", "Sandbox Mastodon", "mastodon", "profile"),
    _account("63c676014e299e9cf2b667ef", "Sandbox Bluesky", "bluesky", "profile"),
    _account("63c676124e299e9cf2b667f1", "Sandbox Threads", "threads", "profile"),
    _account("63c6761b4e299e9cf2b667f2", "Sandbox Pinterest", "pinterest", "business"),
    _account("63c676244e299e9cf2b667f3", "Sandbox TikTok", "tiktok", "business"),
    _account("63c6762d4e299e9cf2b667f4", "Sandbox YouTube Channel", "youtube", "channel"),
    _account("63c676364e299e9cf2b667f5", "Sandbox Google Business", "google", "location"),
    _account("63c6763f4e299e9cf2b667f6", "Sandbox Telegram Channel", "telegram", "channel"),
    _account("63c676484e299e9cf2b667f7", "Sandbox WordPress Blog", "wordpress", "blog"),
)
#: provider -> account id of the sandbox workspace (one account per provider).
SANDBOX_ACCOUNT_IDS: dict[str, str] = {a["provider"]: a["id"] for a in SANDBOX_ACCOUNTS}

#: The members of the sandbox workspace (``GET /analytics/members``). Every post the API
#: creates is by the first (the API key's user); the editor has never posted.
SANDBOX_EDITOR: dict[str, str] = {
    "id": "5b1ec0a1db27977424e8599f",
    "name": "Sandbox Editor",
    "picture": "https://sandbox.publer.invalid/avatars/editor.png",
}

SANDBOX_CLIENT_ACCOUNTS: tuple[dict[str, str], ...] = (
    _account("60a2e4c19b3c8d002a4b7c40", "Client Facebook Page", "facebook", "page"),
)

SANDBOX_WORKSPACES: tuple[dict[str, str], ...] = (
    {
        "id": SANDBOX_WORKSPACE_ID,
        "name": "Sandbox Workspace",
        "role": "owner",
        "picture": "https://sandbox.publer.invalid/workspaces/sandbox.png",
        "plan": "business",
    },
    {
        "id": SANDBOX_CLIENT_WORKSPACE_ID,
        "name": "Client Workspace",
        "role": "admin",
        "picture": "https://sandbox.publer.invalid/workspaces/client.png",
        "plan": "business",
    },
)


def default_workspaces() -> list[dict[str, Any]]:
    """A fresh copy of the seeded workspaces."""
    return copy.deepcopy(list(SANDBOX_WORKSPACES))


def default_accounts() -> dict[str, list[dict[str, Any]]]:
    """A fresh copy of the seeded accounts, keyed by workspace id."""
    return {
        SANDBOX_WORKSPACE_ID: copy.deepcopy(list(SANDBOX_ACCOUNTS)),
        SANDBOX_CLIENT_WORKSPACE_ID: copy.deepcopy(list(SANDBOX_CLIENT_ACCOUNTS)),
    }


@dataclass
class FaultConfig:
    """Which share of ``/api/v1`` requests gets which injected fault (decided per request, seeded).

    ``rate_5xx`` and ``rate_429`` answer without processing the request; ``rate_slow``
    delays it by ``slow_seconds`` first; ``rate_drop`` processes it and then loses the
    response, so the client sees a connection error. ``paths`` (prefixes of the full
    path, e.g. ``/api/v1/posts/schedule``) and ``methods`` narrow where faults apply.
    """

    rate_5xx: float = 0.0
    rate_429: float = 0.0
    rate_slow: float = 0.0
    rate_drop: float = 0.0
    slow_seconds: float = 2.0
    seed: int = 0
    paths: tuple[str, ...] = ()
    methods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.paths = tuple(self.paths)
        self.methods = tuple(m.upper() for m in self.methods)
        rates = (self.rate_5xx, self.rate_429, self.rate_slow, self.rate_drop)
        if any(not 0.0 <= r <= 1.0 for r in rates) or sum(rates) > 1.0 + 1e-9:
            raise ValueError(f"fault rates must each be in [0, 1] and sum to at most 1, got {rates}")
        if self.slow_seconds < 0:
            raise ValueError("slow_seconds must be >= 0")

    @property
    def active(self) -> bool:
        return self.rate_5xx + self.rate_429 + self.rate_slow + self.rate_drop > 0

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> FaultConfig:
        return cls(**_known_fields(cls, data))


@dataclass
class SandboxConfig:
    """Everything a sandbox run can vary. The defaults are a healthy Publer Business workspace.

    :param page_echo: what paged lists echo: ``"zero"`` (the requested 0-based page),
        ``"one"`` (page + 1, as Publer's docs example shows) or ``"none"`` (no paging keys).
    :param past_end: what a page past the end holds: ``"empty"`` or ``"last"`` (the last page again).
    :param publish_time_scale: how much faster than real time scheduled posts go live: a post
        scheduled N seconds after its creation goes live N / scale seconds after it.
    :param fail_accounts: account id -> reason; every post of the account fails when it goes live.
    :param approval_accounts: accounts whose published posts count as published with approval
        (``PUT /posts/{id}`` answers 403).
    :param echo_credentials: 401 answers and injected 5xx answers quote the Authorization header.
    :param max_upload_bytes: the direct upload limit (Publer: 200 MB); larger uploads get 413.
    """

    api_keys: tuple[str, ...] = (SANDBOX_API_KEY,)
    workspaces: list[dict[str, Any]] = field(default_factory=default_workspaces)
    accounts: dict[str, list[dict[str, Any]]] = field(default_factory=default_accounts)
    response_style: str = "flat"
    job_latency: float = 1.0
    rate_limit_enabled: bool = True
    rate_limit: int = 100
    rate_window: float = 120.0
    plan: str = "business"
    faults: FaultConfig = field(default_factory=FaultConfig)
    db_path: str | None = None
    clock: Callable[[], datetime] | None = None
    page_echo: str = "zero"
    past_end: str = "empty"
    publish_time_scale: float = 1.0
    fail_accounts: dict[str, str] = field(default_factory=dict)
    approval_accounts: tuple[str, ...] = ()
    echo_credentials: bool = False
    max_upload_bytes: int = MAX_UPLOAD_BYTES

    def __post_init__(self) -> None:
        self.api_keys = tuple(self.api_keys)
        self.approval_accounts = tuple(self.approval_accounts)
        self.fail_accounts = {str(k): str(v) for k, v in dict(self.fail_accounts).items()}
        if self.page_echo not in PAGE_ECHOES:
            raise ValueError(f"page_echo must be one of {PAGE_ECHOES}, got {self.page_echo!r}")
        if self.past_end not in PAST_ENDS:
            raise ValueError(f"past_end must be one of {PAST_ENDS}, got {self.past_end!r}")
        if not self.publish_time_scale > 0:
            raise ValueError(f"publish_time_scale must be > 0, got {self.publish_time_scale!r}")
        if self.max_upload_bytes < 1:
            raise ValueError("max_upload_bytes must be >= 1")
        if self.response_style not in RESPONSE_STYLES:
            raise ValueError(f"response_style must be one of {RESPONSE_STYLES}, got {self.response_style!r}")
        if self.plan not in PLANS:
            raise ValueError(f"plan must be one of {PLANS}, got {self.plan!r}")
        if self.rate_limit < 1 or self.rate_window <= 0:
            raise ValueError("rate_limit must be >= 1 and rate_window > 0")
        if self.job_latency < 0:
            raise ValueError("job_latency must be >= 0")
        if isinstance(self.faults, Mapping):
            self.faults = FaultConfig.from_dict(self.faults)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SandboxConfig:
        """Build a config from JSON-like data (the CLI's ``--config`` file); unknown keys are an error."""
        values = _known_fields(cls, data)
        values.pop("clock", None)
        if "faults" in values and isinstance(values["faults"], Mapping):
            values["faults"] = FaultConfig.from_dict(values["faults"])
        return cls(**values)

    def workspace(self, workspace_id: str) -> dict[str, Any] | None:
        return next((w for w in self.workspaces if str(w.get("id")) == workspace_id), None)

    def workspace_accounts(self, workspace_id: str) -> list[dict[str, Any]]:
        return list(self.accounts.get(workspace_id, []))


def _known_fields(cls: type, data: Mapping[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - names)
    if unknown:
        raise ValueError(f"unknown {cls.__name__} field(s): {', '.join(unknown)}")
    return {k: tuple(v) if isinstance(v, list) and k in _TUPLE_FIELDS else v for k, v in data.items()}


_TUPLE_FIELDS = frozenset({"api_keys", "paths", "methods", "approval_accounts"})
