"""Apache Airflow provider for the Publer social-media API.

Importing this package is cheap: it holds the provider metadata that Airflow
reads through the ``apache_airflow_provider`` entry point, and nothing else.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_publer.connection_form import conn_fields, ui_field_behaviour

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
            {
                "integration-name": "Publer",
                "python-modules": [
                    "airflow_provider_publer.operators.publer",
                    "airflow_provider_publer.operators.posts",
                    "airflow_provider_publer.operators.media",
                    "airflow_provider_publer.operators.manage",
                    "airflow_provider_publer.operators.insights",
                ],
            }
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
        "plugins": [
            {"name": "publer", "plugin-class": "airflow_provider_publer.plugins.publer.PublerPlugin"}
        ],
        "connection-types": [
            {
                "connection-type": "publer",
                "hook-class-name": "airflow_provider_publer.hooks.publer.PublerHook",
                "hook-name": "Publer",
                "ui-field-behaviour": ui_field_behaviour(provider_info=True),
                "conn-fields": conn_fields(),
            }
        ],
    }
