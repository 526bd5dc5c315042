"""A real Airflow 3 stack on loopback, wired to the local Publer sandbox.

``AirflowStack`` starts the Publer sandbox (in this process) and ``airflow standalone``
(scheduler, dag-processor, triggerer and API server, in their own session) with a
private ``AIRFLOW_HOME``, SQLite, the example DAGs and a ``publer_default`` connection
that points at the sandbox. The connection is stored in the metadata DB (not in an
``AIRFLOW_CONN_*`` variable, which Airflow would read first): Admin > Connections lists it,
its Test button works, and what a user types there is what the DAGs use. It waits until every
component reports healthy, keeps Airflow's output in a log file, and on exit stops every process
it started: the whole session of ``airflow standalone``, task processes included.

Used by ``make stack`` (``scripts/stack.py``) and by the full-stack tests
(``tests/system``)::

    with AirflowStack(home=Path("/tmp/af")) as stack:
        client = stack.client()          # httpx client with a token for /api/v2
        run_id = stack.trigger_dag("example_publer_quickstart")
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx

from airflow_provider_publer.sandbox import (
    SANDBOX_API_KEY,
    SANDBOX_WORKSPACE_ID,
    SandboxConfig,
    SandboxServer,
)

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_DAGS = ROOT / "example_dags"
#: Every example DAG (a test checks it against example_dags/); the scheduled ones start paused.
EXAMPLE_DAG_IDS = (
    "example_publer_quickstart",
    "example_publer_failure_handling",
    "example_publer_deferrable",
    "example_publer_launch_with_image",
    "example_publer_content_calendar",
    "example_publer_weekly_insights",
    "example_publer_mapped_calendars",
)
#: Example DAGs that wait for a person's answer (Airflow's Required Actions): parsed with the
#: others, but run only by tests that answer them (a run left alone would wait until its timeout).
REVIEWED_EXAMPLE_DAG_IDS = ("example_publer_approval",)
#: The example DAGs on a schedule: they start paused (``is_paused_upon_creation``).
SCHEDULED_EXAMPLE_DAG_IDS = ("example_publer_weekly_insights",)
DEFAULT_CONN_ID = "publer_default"
HEALTH_COMPONENTS = ("metadatabase", "scheduler", "triggerer", "dag_processor")
FINISHED_RUN_STATES = ("success", "failed")


# Runs a command with SIGINT at its default action. A background job of a non-interactive shell
# (CI, ``make ... &``) inherits SIGINT *ignored*, and then ``airflow standalone`` would never see
# the Ctrl-C that tells it to stop its components.
_WITH_DEFAULT_SIGINT = (
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])",
)


class StackError(RuntimeError):
    """The stack did not start, or Airflow did not do what was asked in time."""


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True if something accepts connections on ``host:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


class AirflowStack:
    """The Publer sandbox plus ``airflow standalone``, started together and stopped together.

    :param home: private ``AIRFLOW_HOME`` (created; SQLite DB, logs and ``airflow.cfg`` live there).
    :param port: API server / UI port; 0 picks a free one.
    :param sandbox_config: how the sandbox behaves (API keys, job latency, ...).
    :param sandbox_port: sandbox port; 0 picks a free one.
    :param api_key: key of the ``publer_default`` connection; default: the sandbox's first key.
    :param dags_folder: DAGs folder (default: the project's example DAGs).
    :param extra_env: more environment for Airflow (overrides the defaults).
    :param log_path: where Airflow's output goes (default ``<home>/airflow-standalone.log``).
    :param airflow: the ``airflow`` executable (default: the one next to this Python), e.g. that
        of another virtualenv to run the stack on another Airflow version with this provider.
    """

    def __init__(
        self,
        home: Path,
        *,
        port: int = 0,
        sandbox_config: SandboxConfig | None = None,
        sandbox_port: int = 0,
        api_key: str | None = None,
        dags_folder: Path = EXAMPLE_DAGS,
        extra_env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        airflow: Path | None = None,
    ) -> None:
        self.home = Path(home).resolve()
        self.port = port or free_port()
        self.sandbox_config = sandbox_config or SandboxConfig()
        self.sandbox_port = sandbox_port
        self.api_key = api_key or self.sandbox_config.api_keys[0]
        self.dags_folder = Path(dags_folder).resolve()
        self.extra_env = dict(extra_env or {})
        self.log_path = log_path or self.home / "airflow-standalone.log"
        self.airflow = Path(airflow) if airflow else Path(sys.executable).with_name("airflow")
        self.sandbox: SandboxServer | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self._token: str | None = None
        #: Whether start() stored ``publer_default`` (False: the home already had one, kept as is).
        self.connection_added = False

    # -- where ----------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The Airflow UI and API root, e.g. ``http://127.0.0.1:8080``."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def sandbox_url(self) -> str:
        """The sandbox's Publer API base URL (what the connection's host holds)."""
        if self.sandbox is None:
            raise StackError("the stack is not started")
        return self.sandbox.url

    @property
    def db_path(self) -> Path:
        return self.home / "airflow.db"

    def connection_body(self) -> dict[str, Any]:
        """``publer_default`` as the REST API stores it: the sandbox's URL, the key, the seeded workspace.

        Host, port and path are separate fields, as the UI's form shows them (Airflow 3.3.2's Test
        button needs a port).
        """
        parts = urlsplit(self.sandbox_url)
        return {
            "connection_id": DEFAULT_CONN_ID,
            "conn_type": "publer",
            "host": f"{parts.scheme}://{parts.hostname}",
            "port": parts.port,
            "schema": parts.path.strip("/"),
            "password": self.api_key,
            "extra": json.dumps({"workspace_id": SANDBOX_WORKSPACE_ID}),
        }

    def env(self) -> dict[str, str]:
        """The environment of ``airflow standalone`` and every component it starts."""
        env = dict(os.environ)
        # The parent's Airflow settings (e.g. a test session's AIRFLOW_HOME) must not leak in.
        for name in [n for n in env if n.startswith(("AIRFLOW__", "AIRFLOW_CONN_", "AIRFLOW_VAR_"))]:
            del env[name]
        venv_bin = str(self.airflow.parent)
        env.update(
            {
                "AIRFLOW_HOME": str(self.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(self.dags_folder),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__PARALLELISM": "4",
                "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "False",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS": "True",
                "AIRFLOW__CORE__TEST_CONNECTION": "Enabled",
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{self.db_path}",
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__PORT": str(self.port),
                "AIRFLOW__API__BASE_URL": self.url,
                # Each stack gets its own log-server ports, so two stacks (or a stack and a test
                # run) on one machine do not collide on the defaults 8793/8794.
                "AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT": str(free_port()),
                "AIRFLOW__LOGGING__TRIGGER_LOG_SERVER_PORT": str(free_port()),
                # Sensors check every 10 s. The supervisor may report a finished poke only after
                # its select() timeout ([workers] min_heartbeat_interval, 5 s); with a shorter
                # interval the next poke is often queued first, and Airflow 3.3.2's scheduler then
                # fails the sensor (apache/airflow#71172).
                "PUBLER_EXAMPLE_POKE_INTERVAL": "10",
                # Where example_publer_weekly_insights writes its JSON Lines file.
                "PUBLER_EXAMPLE_OUTPUT_DIR": str(self.home / "publer-insights"),
                "PATH": os.pathsep.join([venv_bin, env.get("PATH", "")]),
                "PYTHONPATH": os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep),
                "PYTHONUNBUFFERED": "1",
            }
        )
        env.update(self.extra_env)
        return env

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self, timeout: float = 180.0) -> AirflowStack:
        """Start the sandbox and Airflow, and wait until every Airflow component is healthy."""
        if self.process is not None:
            raise StackError("this stack was already started")
        self.home.mkdir(parents=True, exist_ok=True)
        self.sandbox = SandboxServer(self.sandbox_config, port=self.sandbox_port).start()
        try:
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [*_WITH_DEFAULT_SIGINT, str(self.airflow), "standalone"],
                    cwd=self.home,
                    env=self.env(),
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own session: stop() finds and ends every descendant
                )
            self.wait_healthy(timeout)
            self.connection_added = self.ensure_connection()
        except BaseException:
            self.stop()
            raise
        return self

    def wait_healthy(self, timeout: float = 180.0) -> dict[str, Any]:
        """Wait until ``/api/v2/monitor/health`` reports every component healthy; returns the report."""
        deadline = time.monotonic() + timeout
        last: Any = None
        while time.monotonic() < deadline:
            self._check_alive()
            try:
                last = httpx.get(f"{self.url}/api/v2/monitor/health", timeout=5).json()
            except (httpx.HTTPError, ValueError) as err:
                last = repr(err)
            else:
                if all((last.get(c) or {}).get("status") == "healthy" for c in HEALTH_COMPONENTS):
                    return dict(last)
            time.sleep(1)
        raise StackError(f"Airflow was not healthy after {timeout:.0f}s: {last}\n{self.tail()}")

    def stop(self, timeout: float = 20.0) -> None:
        """Stop Airflow (Ctrl-C; then SIGTERM, SIGKILL to what is left of its session) and the sandbox.

        Returns when no process of the session is left. Safe to call twice.
        """
        if self.process is not None:
            sid = self.process.pid
            # Ctrl-C to ``airflow standalone`` alone: it then terminates its components in order
            # (~3 s). Sending it to the whole group as well leaves the triggerer hanging.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(sid, signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
            # Whatever is left of the session (task processes run in their own process groups).
            for sig, grace in ((signal.SIGTERM, 10.0), (signal.SIGKILL, 5.0)):
                left = session_processes(sid)
                if not left:
                    break
                for pid in left:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, sig)
                _wait_gone(sid, grace)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)
            left = session_processes(sid)
            self.process = None
        else:
            left = []
        if self.sandbox is not None:
            self.sandbox.stop()
            self.sandbox = None
        if left:
            raise StackError(f"processes of the Airflow stack survived SIGKILL: {left}")

    def __enter__(self) -> AirflowStack:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if exc_type is not None and exc_type is not KeyboardInterrupt:
            print(f"--- tail of {self.log_path} ---\n{self.tail()}", file=sys.stderr)
        self.stop()

    def _check_alive(self) -> None:
        if self.process is not None and self.process.poll() is not None:
            raise StackError(f"airflow standalone exited with code {self.process.returncode}\n{self.tail()}")

    def tail(self, lines: int = 60) -> str:
        """The last lines of Airflow's output."""
        try:
            text = self.log_path.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    # -- the REST API ---------------------------------------------------------------------------

    def token(self) -> str:
        """A JWT for ``/api/v2``: with all-admins, ``GET /auth/token`` hands one out without credentials."""
        if self._token is None:
            response = httpx.get(f"{self.url}/auth/token", timeout=10)
            response.raise_for_status()
            self._token = str(response.json()["access_token"])
        return self._token

    def client(self) -> httpx.Client:
        """An httpx client for ``/api/v2`` with the bearer token set."""
        return httpx.Client(
            base_url=f"{self.url}/api/v2/",
            headers={"Authorization": f"Bearer {self.token()}"},
            timeout=30,
        )

    def ensure_connection(self) -> bool:
        """Store ``publer_default`` in the metadata DB unless it is there; True if it was added.

        A connection already there (an earlier ``make stack`` with the same home, or one the user
        edited in the UI) is kept: what the user typed is what the DAGs use.
        """
        with self.client() as api:
            if api.get(f"connections/{DEFAULT_CONN_ID}").status_code == 200:
                return False
            response = api.post("connections", json=self.connection_body())
        if response.status_code >= 400:
            raise StackError(f"storing {DEFAULT_CONN_ID} failed: {response.status_code} {response.text}")
        return True

    def unpause(self, dag_id: str) -> None:
        """Unpause a DAG (the scheduled examples start paused)."""
        with self.client() as api:
            response = api.patch(f"dags/{dag_id}", json={"is_paused": False})
        if response.status_code >= 400:
            raise StackError(f"unpausing {dag_id} failed: {response.status_code} {response.text}")

    def wait_for_dags(
        self, dag_ids: Iterable[str] = EXAMPLE_DAG_IDS + REVIEWED_EXAMPLE_DAG_IDS, timeout: float = 120.0
    ) -> None:
        """Wait until the dag-processor has parsed every DAG (fails fast on an import error)."""
        wanted = set(dag_ids)
        deadline = time.monotonic() + timeout
        with self.client() as api:
            while time.monotonic() < deadline:
                self._check_alive()
                errors = api.get("importErrors").json().get("import_errors", [])
                if errors:
                    raise StackError(f"DAG import errors: {json.dumps(errors, indent=2)}")
                found = {d["dag_id"] for d in api.get("dags", params={"limit": 100}).json().get("dags", [])}
                if wanted <= found:
                    return
                time.sleep(1)
        raise StackError(f"DAGs not parsed after {timeout:.0f}s: {sorted(wanted - found)}\n{self.tail()}")

    def trigger_dag(self, dag_id: str, conf: Mapping[str, Any] | None = None) -> str:
        """Trigger a run now (unpausing the DAG first: a paused DAG's runs wait); returns its run id."""
        if dag_id in SCHEDULED_EXAMPLE_DAG_IDS:
            self.unpause(dag_id)
        with self.client() as api:
            response = api.post(
                f"dags/{dag_id}/dagRuns", json={"logical_date": None, "conf": dict(conf or {})}
            )
        if response.status_code >= 400:
            raise StackError(f"triggering {dag_id} failed: {response.status_code} {response.text}")
        return str(response.json()["dag_run_id"])

    def wait_for_run(self, dag_id: str, run_id: str, timeout: float = 180.0) -> dict[str, Any]:
        """Wait until the run is finished; returns the DAG run as the API shows it."""
        deadline = time.monotonic() + timeout
        run: dict[str, Any] = {}
        with self.client() as api:
            while time.monotonic() < deadline:
                self._check_alive()
                run = api.get(f"dags/{dag_id}/dagRuns/{run_id}").json()
                if run.get("state") in FINISHED_RUN_STATES:
                    return run
                time.sleep(1)
        raise StackError(f"run {dag_id}/{run_id} not finished after {timeout:.0f}s: {run}\n{self.tail()}")


def session_processes(sid: int) -> list[int]:
    """Live processes of session ``sid`` (Linux ``/proc``; the session leader included)."""
    pids = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the ")" closing the command name: state ppid pgrp session ...
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            pids.append(int(entry.name))
    return sorted(pids)


def _wait_gone(sid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while session_processes(sid) and time.monotonic() < deadline:
        time.sleep(0.2)


__all__ = [
    "EXAMPLE_DAGS",
    "EXAMPLE_DAG_IDS",
    "REVIEWED_EXAMPLE_DAG_IDS",
    "SANDBOX_API_KEY",
    "SCHEDULED_EXAMPLE_DAG_IDS",
    "AirflowStack",
    "StackError",
    "free_port",
    "port_in_use",
    "session_processes",
]
