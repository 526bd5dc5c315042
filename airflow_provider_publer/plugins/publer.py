"""``PublerPlugin``: registers the Publer page and task-instance tab with Airflow (3.1+).

Airflow finds it through the ``airflow.plugins`` entry point and imports this module in every
component (DAG processor, scheduler, workers, API server). Only the API server serves the page,
so the FastAPI app (and Airflow's API security it depends on, about 2 s of imports) is built the
first time Airflow asks for ``fastapi_apps``, which only the API server does; importing this module
costs next to nothing (``python -X importtime``; ``tests/unit/test_ui_plugin.py`` checks it).
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin

#: Where Airflow's API server mounts the plugin's FastAPI app.
URL_PREFIX = "/publer"


class _BuiltOnFirstUse:
    """``fastapi_apps`` as a class attribute that imports and builds the app when first read."""

    def __get__(self, instance: object, owner: type | None = None) -> list[dict[str, Any]]:
        from airflow_provider_publer.plugins.app import app

        return [{"app": app, "url_prefix": URL_PREFIX, "name": "Publer"}]


class PublerPlugin(AirflowPlugin):
    """The "Publer" page (Browse > Publer) and the "Publer" tab of every task instance."""

    name = "publer"
    fastapi_apps = _BuiltOnFirstUse()
    external_views = [
        {
            "name": "Publer",
            "href": f"{URL_PREFIX}/calendar",
            "destination": "nav",
            "category": "browse",
            "url_route": "publer",
        },
        {
            "name": "Publer",
            "href": f"{URL_PREFIX}/task-instance?dag_id={{DAG_ID}}&run_id={{RUN_ID}}"
            "&task_id={TASK_ID}&map_index={MAP_INDEX}",
            "destination": "task_instance",
            "url_route": "publer_task_instance",
        },
    ]
