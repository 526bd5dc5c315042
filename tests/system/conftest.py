"""One real Airflow stack for the whole session: ``airflow standalone`` + the Publer sandbox, on loopback.

Both ``test_fullstack.py`` and ``test_browser.py`` use it. The three example DAGs run once,
together, through the REST API (``finished_runs``); the tests then look at what happened.
When a test fails, the tail of Airflow's output is attached to its report.
"""

from __future__ import annotations

import secrets
import time
import warnings
from collections.abc import Iterator

import pytest

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SandboxConfig
from scripts.airflow_stack import EXAMPLE_DAG_IDS, AirflowStack, session_processes
from tests.system.stack import RunRecord, executor_race, run_dags

#: The key of the ``publer_default`` connection: distinctive, so a leak is easy to find.
SECRET_API_KEY = f"publer-fullstack-secret-{secrets.token_hex(12)}"
#: Seconds a sandbox job stays "working": long enough that both sensors really wait.
JOB_LATENCY = 8.0


@pytest.fixture(scope="session")
def airflow_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    """The running stack; stopped at the end of the session, with a check that no process is left."""
    home = tmp_path_factory.mktemp("airflow-home")
    stack = AirflowStack(
        home,
        # The connection uses the secret key; the UI test types the sandbox's documented key.
        sandbox_config=SandboxConfig(api_keys=(SECRET_API_KEY, SANDBOX_API_KEY), job_latency=JOB_LATENCY),
        api_key=SECRET_API_KEY,
    )
    started = time.monotonic()
    stack.start()
    stack.wait_for_dags(EXAMPLE_DAG_IDS)
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


@pytest.fixture(scope="session")
def finished_runs(airflow_stack: AirflowStack) -> dict[str, RunRecord]:
    """One run of each example DAG, triggered together and polled until every one is finished."""
    runs = run_dags(airflow_stack, EXAMPLE_DAG_IDS, timeout=300)
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
