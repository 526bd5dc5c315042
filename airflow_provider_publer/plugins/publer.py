"""``PublerPlugin``: registers the Publer page and task-instance tab with Airflow (3.1+).

Airflow finds it through the provider's metadata (``plugins`` of ``get_provider_info()``). The
FastAPI app is imported only by the API server.
"""

from __future__ import annotations

from airflow.plugins_manager import AirflowPlugin

from airflow_provider_publer.plugins.app import app

URL_PREFIX = "/publer"


class PublerPlugin(AirflowPlugin):
    """The "Publer" page (Browse > Publer) and the "Publer" tab of every task instance."""

    name = "publer"
    fastapi_apps = [{"app": app, "url_prefix": URL_PREFIX, "name": "Publer"}]
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
