"""One real Airflow stack for the whole session: ``airflow standalone`` + the Publer sandbox, on loopback.

``test_fullstack.py``, ``test_browser.py``, ``test_promises.py`` and ``test_calendar_stack.py``
use it. Its DAGs folder holds the example DAGs and the DAGs of ``tests/system/dags``. The example
DAGs run once, together, through the REST API (``finished_runs``); the tests then look at what
happened. When a test fails, the tail of Airflow's output is attached to its report.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)
from scripts.airflow_stack import (
    EXAMPLE_DAG_IDS,
    EXAMPLE_DAGS,
    REVIEWED_EXAMPLE_DAG_IDS,
    AirflowStack,
    session_processes,
)
from tests.system.stack import RunRecord, executor_race, run_dags

#: The key of the ``publer_default`` connection: distinctive, so a leak is easy to find.
SECRET_API_KEY = f"publer-fullstack-secret-{secrets.token_hex(12)}"
#: Seconds a sandbox job stays "working": long enough that both sensors really wait, also when a
#: busy machine (the browser test clicking, other stacks) delays the sensor's first check by 10 s.
JOB_LATENCY = 20.0
#: The DAGs of tests/system/dags, parsed next to the example DAGs.
SYSTEM_DAGS = Path(__file__).resolve().parent / "dags"
#: Where the DAGs of test_promises.py write what their failure callbacks would send.
PROMISES_OUT = Path(tempfile.mkdtemp(prefix="publer-promises-"))
#: A key with a line break inside (pasted with the terminal's), and one Publer refuses and echoes.
NEWLINE_KEY = f"publer-newline-{secrets.token_hex(6)}\n{secrets.token_hex(6)}"
ECHOED_KEY = f"publer-echoed-secret-{secrets.token_hex(12)}"
#: Runs of the example DAGs that ``test_browser.py`` triggered from the UI's Trigger dialog
#: (``{dag_id: run_id}``): ``finished_runs`` follows them instead of triggering the DAGs again.
UI_TRIGGERED_RUNS: dict[str, str] = {}
#: The calendar sandbox's request limit: tight, so the four mapped tasks of
#: ``publer_calendar_mapped`` really share and pace one budget.
CALENDAR_RATE_LIMIT, CALENDAR_RATE_WINDOW = 10, 10.0


def _dags_folder(root: Path) -> Path:
    """The example DAGs (and their calendar file) and the system tests' DAGs, as symlinks."""
    folder = root / "dags"
    folder.mkdir()
    for source in [*EXAMPLE_DAGS.iterdir(), *SYSTEM_DAGS.glob("*.py")]:
        if source.is_file() and source.suffix in (".py", ".csv", ".json", ".yaml", ".png"):
            (folder / source.name).symlink_to(source)
        elif source.is_dir() and not source.name.startswith(("_", ".")):
            (folder / source.name).symlink_to(source, target_is_directory=True)
    return folder


@pytest.fixture(scope="session")
def calendar_sandbox() -> Iterator[SandboxServer]:
    """A sandbox of its own for the mapped calendar, with a tight request limit."""
    config = SandboxConfig(job_latency=2.0, rate_limit=CALENDAR_RATE_LIMIT, rate_window=CALENDAR_RATE_WINDOW)
    with SandboxServer(config) as server:
        yield server


@pytest.fixture(scope="session")
def airflow_stack(
    tmp_path_factory: pytest.TempPathFactory, calendar_sandbox: SandboxServer
) -> Iterator[AirflowStack]:
    """The running stack; stopped at the end of the session, with a check that no process is left."""
    home = tmp_path_factory.mktemp("airflow-home")
    calendar_conn = {
        "conn_type": "publer",
        "password": SANDBOX_API_KEY,
        "host": calendar_sandbox.url,
        "extra": {
            "workspace_id": SANDBOX_WORKSPACE_ID,
            "rate_limit": CALENDAR_RATE_LIMIT,
            "rate_limit_window": CALENDAR_RATE_WINDOW,
        },
    }
    stack = AirflowStack(
        home,
        # The connection uses the secret key; the UI test types the sandbox's documented key.
        sandbox_config=SandboxConfig(
            api_keys=(SECRET_API_KEY, SANDBOX_API_KEY), job_latency=JOB_LATENCY, echo_credentials=True
        ),
        api_key=SECRET_API_KEY,
        dags_folder=_dags_folder(tmp_path_factory.mktemp("stack")),
        extra_env={
            "PUBLER_PROMISES_OUT": str(PROMISES_OUT),
            "AIRFLOW_CONN_PUBLER_CALENDAR": json.dumps(calendar_conn),
        },
    )
    started = time.monotonic()
    stack.start()
    # Connections that need the sandbox's URL, which exists only once the stack started it: the
    # task processes read them from the metadata DB.
    for conn_id, key in (("publer_newline_key", NEWLINE_KEY), ("publer_echoed_key", ECHOED_KEY)):
        add_connection(stack, conn_id, {"password": key, "host": stack.sandbox_url})
    stack.wait_for_dags(EXAMPLE_DAG_IDS + REVIEWED_EXAMPLE_DAG_IDS)
    print(f"\nAirflow stack healthy with DAGs parsed in {time.monotonic() - started:.1f}s at {stack.url}")
    assert stack.process is not None
    session_id = stack.process.pid
    try:
        yield stack
    finally:
        stopped = time.monotonic()
        stack.stop()
        print(f"\nAirflow stack stopped in {time.monotonic() - stopped:.1f}s")
    assert session_processes(session_id) == [], "processes of the Airflow stack outlived stop()"


def add_connection(stack: AirflowStack, conn_id: str, fields: dict) -> None:
    """Store a Publer connection through the REST API (workspace: the sandbox's)."""
    body = {
        "connection_id": conn_id,
        "conn_type": "publer",
        "extra": json.dumps({"workspace_id": SANDBOX_WORKSPACE_ID}),
        **fields,
    }
    with stack.client() as api:
        response = api.post("connections", json=body)
    assert response.status_code < 400, response.text


@pytest.fixture(scope="session")
def finished_runs(airflow_stack: AirflowStack) -> dict[str, RunRecord]:
    """One run of each example DAG, triggered together and polled until every one is finished.

    The example DAGs that wait for a person (``REVIEWED_EXAMPLE_DAG_IDS``) are run by the tests
    that answer them (``test_approval.py``), not here. The runs the browser test triggered from the
    UI are these runs (when it ran first).
    """
    runs = run_dags(airflow_stack, EXAMPLE_DAG_IDS, timeout=300, started_runs=UI_TRIGGERED_RUNS)
    # A run that Airflow's own scheduler race failed (not the provider) is run again, once.
    raced = {dag_id: line for dag_id, run in runs.items() if (line := executor_race(airflow_stack, run))}
    if raced:
        warnings.warn(
            f"Airflow's executor-event race (apache/airflow#71172) failed a task; running again: {raced}",
            stacklevel=1,
        )
        runs.update(run_dags(airflow_stack, raced, timeout=300))
    for run in runs.values():
        print(f"{run.dag_id}: {run.state} after {run.seconds:.1f}s; seen: {run.seen_states}")
    return runs


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Attach the tail of Airflow's output to the report of a failed test that used the stack."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    stack = getattr(item, "funcargs", {}).get("airflow_stack")
    if report.failed and isinstance(stack, AirflowStack):
        report.sections.append((f"Airflow output (tail of {stack.log_path})", stack.tail(80)))
