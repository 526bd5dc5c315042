"""The Publer connection form, declared once for every Airflow UI.

Airflow 3.2+ builds the form from provider info (``conn-fields``, ``ui-field-behaviour``);
Airflow 3.1 asks the hook (``get_ui_field_behaviour``, ``get_connection_form_widgets``).
Both read these constants, so the labels, help texts and placeholders never drift apart.
Plain data only: ``get_provider_info()`` imports this module.
"""

from __future__ import annotations

from typing import Any

DEFAULT_BASE_URL = "https://app.publer.com/api/v1"

HIDDEN_FIELDS = ["schema", "port", "login", "extra"]
RELABELING = {"password": "API key", "host": "API base URL"}
PLACEHOLDERS = {
    "password": "Publer API key (Settings > Access & Login > API Keys)",
    "host": DEFAULT_BASE_URL,
    "workspace_id": "5f8d7a62c9e77e001f36e3a1",
}

WORKSPACE_LABEL = "Default workspace ID"
WORKSPACE_DESCRIPTION = (
    "Sent as the Publer-Workspace-Id header when a task does not name a workspace. "
    "List yours with GET /workspaces (PublerHook().list_workspaces())."
)
WORKSPACE_PATTERN = "^[A-Za-z0-9_-]*$"


def ui_field_behaviour(*, provider_info: bool) -> dict[str, Any]:
    """Hidden, relabelled and placeholder fields; provider info spells the keys with dashes."""
    hidden = "hidden-fields" if provider_info else "hidden_fields"
    return {hidden: list(HIDDEN_FIELDS), "relabeling": dict(RELABELING), "placeholders": dict(PLACEHOLDERS)}


def conn_fields() -> dict[str, Any]:
    """The ``conn-fields`` of provider info: the extra fields the Airflow 3.2+ form shows."""
    return {
        "workspace_id": {
            "label": WORKSPACE_LABEL,
            "description": WORKSPACE_DESCRIPTION,
            "schema": {"type": ["string", "null"], "pattern": WORKSPACE_PATTERN},
        }
    }
