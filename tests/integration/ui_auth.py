"""An auth manager for the Publer plugin's access tests: Airflow's SimpleAuthManager, except that one
user may not read one DAG.

SimpleAuthManager gives every logged-in user the same DAG access, so per-DAG visibility needs an
auth manager that restricts it. ``airflow api-server`` loads this one through
``[core] auth_manager`` (the repository root is on ``PYTHONPATH``).
"""

from __future__ import annotations

from typing import Any

from airflow.api_fastapi.auth.managers.simple.simple_auth_manager import SimpleAuthManager

#: The user who may not read ``HIDDEN_DAG`` (a viewer otherwise).
OUTSIDER = "outsider"
HIDDEN_DAG = "publer_ui_hidden"


class DagRestrictedAuthManager(SimpleAuthManager):
    """SimpleAuthManager; ``OUTSIDER`` may not read ``HIDDEN_DAG`` (nor any of its runs or tasks)."""

    def is_authorized_dag(
        self, *, method: Any, user: Any, access_entity: Any = None, details: Any = None
    ) -> bool:
        if user.get_name() == OUTSIDER and details is not None and details.id == HIDDEN_DAG:
            return False
        return bool(
            super().is_authorized_dag(method=method, user=user, access_entity=access_entity, details=details)
        )
