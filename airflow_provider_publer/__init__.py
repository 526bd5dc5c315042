"""Apache Airflow provider for the Publer social-media API.

Importing this package is cheap: it holds the provider metadata that Airflow
reads through the ``apache_airflow_provider`` entry point, and nothing else.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

PACKAGE_NAME = "airflow-provider-publer"


def get_provider_info() -> dict[str, Any]:
    """Provider metadata: connection type and form, hooks, operators, sensors, triggers, extra links."""
    return {
        "package-name": PACKAGE_NAME,
        "name": "Publer",
        "description": (
            "Schedule social posts through [Publer](https://publer.com) and wait until every one lands."
        ),
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "Publer",
                "external-doc-url": "https://publer.com/docs",
                "tags": ["service"],
            }
        ],
        "hooks": [{"integration-name": "Publer", "python-modules": ["airflow_provider_publer.hooks.publer"]}],
        "operators": [
            {"integration-name": "Publer", "python-modules": ["airflow_provider_publer.operators.publer"]}
        ],
        "sensors": [
            {"integration-name": "Publer", "python-modules": ["airflow_provider_publer.sensors.publer"]}
        ],
        "triggers": [
            {"integration-name": "Publer", "python-modules": ["airflow_provider_publer.triggers.publer"]}
        ],
        "extra-links": [
            "airflow_provider_publer.links.publer.PublerJobPostsLink",
            "airflow_provider_publer.links.publer.PublerPostLink",
        ],
        "connection-types": [
            {
                "connection-type": "publer",
                "hook-class-name": "airflow_provider_publer.hooks.publer.PublerHook",
                "hook-name": "Publer",
                "ui-field-behaviour": {
                    "hidden-fields": ["schema", "port", "login", "extra"],
                    "relabeling": {"password": "API key", "host": "API base URL"},
                    "placeholders": {
                        "password": "Publer API key (Settings > Access & Login > API Keys)",
                        "host": "https://app.publer.com/api/v1",
                    },
                },
                "conn-fields": {
                    "workspace_id": {
                        "label": "Default workspace ID",
                        "description": (
                            "Sent as the Publer-Workspace-Id header when a task does not name a workspace. "
                            "List yours with GET /workspaces (PublerHook().list_workspaces())."
                        ),
                        "schema": {"type": ["string", "null"], "pattern": "^[A-Za-z0-9_-]*$"},
                    }
                },
            }
        ],
    }
