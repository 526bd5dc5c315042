"""The provider metadata Airflow reads: valid against Airflow's schema, and every path importable."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path

import airflow
import jsonschema
import pytest

from airflow_provider_publer import get_provider_info


def _import(path: str):
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def test_valid_against_airflows_schema():
    schema = json.loads((Path(airflow.__file__).parent / "provider_info.schema.json").read_text())
    jsonschema.validate(get_provider_info(), schema)


def test_package_name_matches_distribution():
    assert get_provider_info()["package-name"] == "airflow-provider-publer"


def test_entry_point_is_registered():
    eps = [
        ep
        for ep in entry_points(group="apache_airflow_provider")
        if ep.value.startswith("airflow_provider_publer")
    ]
    assert eps, "install the package (make dev) so the entry point exists"
    assert eps[0].load() is get_provider_info


def test_every_listed_class_and_module_imports():
    info = get_provider_info()
    for kind in ("hooks", "operators", "sensors", "triggers"):
        for entry in info[kind]:
            for module in entry["python-modules"]:
                importlib.import_module(module)
    for link in info["extra-links"]:
        assert _import(link)().name
    conn = info["connection-types"][0]
    hook = _import(conn["hook-class-name"])
    assert hook.conn_type == conn["connection-type"] == "publer"
    assert hook.hook_name == conn["hook-name"] == "Publer"


def test_form_in_provider_info_matches_the_hook():
    conn = get_provider_info()["connection-types"][0]
    hook = _import(conn["hook-class-name"])
    behaviour = hook.get_ui_field_behaviour()
    assert conn["ui-field-behaviour"]["hidden-fields"] == behaviour["hidden_fields"]
    assert conn["ui-field-behaviour"]["relabeling"] == behaviour["relabeling"]
    assert conn["ui-field-behaviour"]["placeholders"] == behaviour["placeholders"]
    assert set(conn["conn-fields"]) == {"workspace_id"}


def test_the_form_shows_port_and_api_path():
    """Airflow 3.3.2's Test button works only for a connection stored with a port: its UI sends
    ``port: 0`` for an empty one and its API refuses that (apache/airflow#73298). So the form
    shows the port (and the API path, which the hook reads too) on every Airflow version."""
    conn = get_provider_info()["connection-types"][0]
    hook = _import(conn["hook-class-name"])
    for behaviour, hidden in (
        (conn["ui-field-behaviour"], "hidden-fields"),
        (hook.get_ui_field_behaviour(), "hidden_fields"),  # what Airflow 3.1 reads
    ):
        assert "port" not in behaviour[hidden]
        assert "schema" not in behaviour[hidden]
        assert set(behaviour[hidden]) == {"login", "extra"}
        assert behaviour["relabeling"] == {
            "password": "API key",
            "host": "API host",
            "port": "Port",
            "schema": "API path",
        }
        assert behaviour["placeholders"]["schema"] == "api/v1"
        assert "443" in behaviour["placeholders"]["port"]


@pytest.mark.timeout(120)
def test_the_ui_gets_the_form_from_airflow(tmp_path):
    """What Airflow's own ``/ui/connections/hook_meta`` hands the UI for the publer type."""
    code = (
        "from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService\n"
        "import json\n"
        "meta = next(h for h in HookMetaService.hook_meta_data() if h.connection_type == 'publer')\n"
        "print(json.dumps(meta.model_dump(mode='json')['standard_fields']))"
    )
    env = {**os.environ, "AIRFLOW_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    fields = json.loads(out.stdout.strip().splitlines()[-1])
    shown = {name: field["title"] for name, field in fields.items() if field and not field["hidden"]}
    assert shown == {"host": "API host", "port": "Port", "url_schema": "API path", "password": "API key"}
    assert fields["url_schema"]["placeholder"] == "api/v1"


@pytest.mark.timeout(120)
def test_airflow_providers_list_shows_the_provider():
    out = subprocess.run(
        [str(Path(sys.executable).with_name("airflow")), "providers", "list", "-o", "json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    names = [p["package_name"] for p in json.loads(out[out.index("[") :])]
    assert "airflow-provider-publer" in names


def test_operator_module_import_is_light():
    """DAG parsing imports the operator module: it must not pull in httpx or the hook."""
    code = (
        "import sys; import airflow_provider_publer.operators.publer, airflow_provider_publer.sensors.publer;"
        "mods = ('httpx', 'airflow_provider_publer.hooks.publer', 'fastapi');"
        "print(','.join(m for m in mods if m in sys.modules))"
    )
    heavy_before = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, airflow.sdk; print(','.join(m for m in ('httpx','fastapi') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert "airflow_provider_publer.hooks.publer" not in loaded
    assert "fastapi" not in loaded or "fastapi" in heavy_before
    assert "httpx" not in loaded or "httpx" in heavy_before
