"""What a newcomer meets first in the web UI: example DAGs that trigger from the form with their
defaults, a ``make stack`` whose ``publer_default`` is the one in Admin > Connections, a banner that
names every example DAG, no scheduled example running by itself, and a form that reads clearly.

The Trigger form's rule is Airflow's own (``isRequired`` of its UI): a param whose schema has a
type without ``"null"`` is required, and a required param left empty blocks the Trigger button.
``tests/system/test_browser.py`` clicks the dialogs themselves.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from airflow_provider_publer import connection_form
from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SANDBOX_WORKSPACE_ID
from scripts import stack as stack_script
from scripts.airflow_stack import (
    EXAMPLE_DAG_IDS,
    EXAMPLE_DAGS,
    REVIEWED_EXAMPLE_DAG_IDS,
    SCHEDULED_EXAMPLE_DAG_IDS,
    AirflowStack,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def example_dags() -> dict[str, Any]:
    try:
        from airflow.dag_processing.dagbag import DagBag
    except ImportError:  # Airflow 3.1
        from airflow.models.dagbag import DagBag  # type: ignore[no-redef]

    bag = DagBag(dag_folder=str(EXAMPLE_DAGS))
    assert bag.import_errors == {}
    return dict(bag.dags)


def _form_required(schema: dict[str, Any]) -> bool:
    """Airflow UI's ``isRequired``: a type is set and does not include ``"null"``."""
    kind = schema.get("type")
    return bool(kind) and (not isinstance(kind, list) or "null" not in kind)


def test_every_example_dag_triggers_from_the_form_with_its_defaults(example_dags: dict[str, Any]) -> None:
    checked = 0
    for dag_id, dag in example_dags.items():
        for name in dag.params:
            spec = dag.params.get_param(name).dump()
            schema, default = spec["schema"], spec["value"]
            # The form sends an empty field as null: a required param needs a real default.
            if default in (None, ""):
                assert not _form_required(schema), f"{dag_id}: param {name!r} is required in the form"
            jsonschema.validate(default, schema)
            checked += 1
    assert checked >= 1  # the quickstart's workspace_id


def test_the_quickstart_workspace_param_says_what_empty_means(example_dags: dict[str, Any]) -> None:
    spec = example_dags["example_publer_quickstart"].params.get_param("workspace_id").dump()
    assert spec["value"] is None
    assert "Empty: the connection's default workspace" in spec["description"]
    jsonschema.validate("5f8d7a62c9e77e001f36e3a1", spec["schema"])


def test_the_banner_and_the_stack_know_every_example_dag(example_dags: dict[str, Any]) -> None:
    assert set(EXAMPLE_DAG_IDS) | set(REVIEWED_EXAMPLE_DAG_IDS) == set(example_dags)
    lines = stack_script._dag_lines()
    for dag_id in (*EXAMPLE_DAG_IDS, *REVIEWED_EXAMPLE_DAG_IDS):
        assert f"    {dag_id}" in lines
    assert "example_publer_weekly_insights   (paused" in lines


def test_scheduled_example_dags_start_paused(example_dags: dict[str, Any]) -> None:
    scheduled = {dag_id for dag_id, dag in example_dags.items() if dag.timetable.can_be_scheduled}
    assert scheduled == set(SCHEDULED_EXAMPLE_DAG_IDS)
    for dag_id in scheduled:
        assert example_dags[dag_id].is_paused_upon_creation is True, dag_id


def test_the_stack_defines_no_connection_in_the_environment(tmp_path: Path) -> None:
    """An ``AIRFLOW_CONN_PUBLER_DEFAULT`` would shadow the one typed in the UI (Airflow reads it first)."""
    stack = AirflowStack(tmp_path)
    env = stack.env()
    assert not [name for name in env if name.startswith("AIRFLOW_CONN_PUBLER_DEFAULT")]


def test_the_stack_stores_publer_default_as_the_form_would(tmp_path: Path) -> None:
    stack = AirflowStack(tmp_path)

    class _Sandbox:
        url = "http://127.0.0.1:8765/api/v1"

    stack.sandbox = _Sandbox()  # type: ignore[assignment]
    body = stack.connection_body()
    assert body == {
        "connection_id": "publer_default",
        "conn_type": "publer",
        "host": "http://127.0.0.1",
        "port": 8765,
        "schema": "api/v1",
        "password": SANDBOX_API_KEY,
        "extra": json.dumps({"workspace_id": SANDBOX_WORKSPACE_ID}),
    }


def test_the_port_placeholder_does_not_read_like_a_value() -> None:
    placeholder = connection_form.PLACEHOLDERS["port"]
    assert not placeholder[:1].isdigit(), placeholder
    assert "443" in placeholder


def test_the_form_and_the_readme_point_to_the_publer_page_for_ids() -> None:
    assert "Browse > Publer" in connection_form.WORKSPACE_DESCRIPTION
    readme = (ROOT / "README.md").read_text()
    assert "Browse → Publer" in readme


def test_stack_script_names_the_ui_connection(tmp_path: Path) -> None:
    stack = AirflowStack(tmp_path)
    stack.connection_added = True
    note = stack_script._connection_note(stack, 8765)
    assert "Admin > Connections" in note
    assert "port 8765" in note
    assert "environment" not in note
