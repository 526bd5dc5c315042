"""A local Publer-compatible server, so DAGs can be developed, demoed and tested without Publer.

Standalone on purpose: it imports neither Airflow nor the provider's own modules, and
no production module imports it. Typical use::

    from airflow_provider_publer.sandbox import SandboxConfig, SandboxServer

    with SandboxServer(SandboxConfig(job_latency=0.2)) as server:
        ...  # point a Publer connection at server.url (http://127.0.0.1:PORT/api/v1)
        server.state_snapshot()["posts"]

From a shell: ``python -m airflow_provider_publer.sandbox --port 8765`` (or ``publer-sandbox``).
"""

from __future__ import annotations

from airflow_provider_publer.sandbox.app import create_app
from airflow_provider_publer.sandbox.config import (
    SANDBOX_ACCOUNT_IDS,
    SANDBOX_ACCOUNTS,
    SANDBOX_API_KEY,
    SANDBOX_CLIENT_ACCOUNTS,
    SANDBOX_CLIENT_WORKSPACE_ID,
    SANDBOX_EDITOR,
    SANDBOX_USER,
    SANDBOX_WORKSPACE_ID,
    SANDBOX_WORKSPACES,
    FaultConfig,
    SandboxConfig,
    default_accounts,
    default_workspaces,
)
from airflow_provider_publer.sandbox.server import SandboxServer

__all__ = [
    "SANDBOX_ACCOUNTS",
    "SANDBOX_ACCOUNT_IDS",
    "SANDBOX_API_KEY",
    "SANDBOX_CLIENT_ACCOUNTS",
    "SANDBOX_CLIENT_WORKSPACE_ID",
    "SANDBOX_EDITOR",
    "SANDBOX_USER",
    "SANDBOX_WORKSPACES",
    "SANDBOX_WORKSPACE_ID",
    "FaultConfig",
    "SandboxConfig",
    "SandboxServer",
    "create_app",
    "default_accounts",
    "default_workspaces",
]
