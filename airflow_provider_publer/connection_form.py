"""The Publer connection form, declared once for every Airflow UI.

Airflow 3.2+ builds the form from provider info (``conn-fields``, ``ui-field-behaviour``);
Airflow 3.1 asks the hook (``get_ui_field_behaviour``, ``get_connection_form_widgets``).
Both read these constants, so the labels, help texts and placeholders never drift apart.
Plain data only: ``get_provider_info()`` imports this module.
"""

from __future__ import annotations

from typing import Any

DEFAULT_BASE_URL = "https://app.publer.com/api/v1"

# Port and schema stay visible: the hook builds the API base URL from host, port and schema
# (the URL path), and Airflow 3.3.2's Test button refuses a connection stored without a port.
# Its UI sends ``port: 0`` for an empty port, and the API then answers 400 "Bad Request"
# because 0 differs from the stored NULL (apache/airflow#73298, fixed after 3.3.2). A port
# typed into the form is stored and sent back unchanged, so the test reaches the provider.
HIDDEN_FIELDS = ["login", "extra"]
#: What the form calls each field: messages that tell the user which field to fix use these.
API_KEY_LABEL = "API key"
HOST_LABEL = "API host"
PORT_LABEL = "Port"
PATH_LABEL = "API path"
RELABELING = {"password": API_KEY_LABEL, "host": HOST_LABEL, "port": PORT_LABEL, "schema": PATH_LABEL}
PLACEHOLDERS = {
    "password": "Publer API key (Settings > Access & Login > API Keys)",
    "host": "app.publer.com (or a URL: https://app.publer.com/api/v1)",
    "port": "Port number, e.g. 443 (the Test button of Airflow 3.3.2 needs one)",
    "schema": "api/v1",
    "workspace_id": "5f8d7a62c9e77e001f36e3a1",
}

WORKSPACE_LABEL = "Default workspace ID"
WORKSPACE_DESCRIPTION = (
    "Sent as the Publer-Workspace-Id header when a task does not name a workspace. "
    "Copy it from Airflow's Publer page (Browse > Publer), which lists every workspace and "
    "account of the connection with its id."
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
