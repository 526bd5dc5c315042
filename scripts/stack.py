"""`make stack`: the Airflow web UI with this provider, wired to the local Publer sandbox.

Starts the Publer sandbox and ``airflow standalone`` (scheduler, dag-processor, triggerer,
API server / UI) with the example DAGs and a ``publer_default`` connection that points at
the sandbox, prints where to click, and runs until Ctrl-C; then stops everything.

    python scripts/stack.py [--port 8080] [--sandbox-port 8765] [--home .airflow-stack]

Airflow's metadata DB and logs live in ``--home`` (default ``.airflow-stack/``) and the
sandbox keeps its posts in ``<home>/sandbox.db``, so runs, logs and the "Publer posts"
links survive a restart. No login: every visitor is admin (local use only).
"""

from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

# Run as a file (`python scripts/stack.py`): make `scripts.airflow_stack` importable.
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from airflow_provider_publer.sandbox import SANDBOX_API_KEY, SANDBOX_WORKSPACE_ID, SandboxConfig  # noqa: E402
from scripts.airflow_stack import (  # noqa: E402
    EXAMPLE_DAG_IDS,
    REVIEWED_EXAMPLE_DAG_IDS,
    SCHEDULED_EXAMPLE_DAG_IDS,
    AirflowStack,
    StackError,
    port_in_use,
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make stack", description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8080, help="Airflow UI/API port (0: any free port)")
    parser.add_argument("--sandbox-port", type=int, default=8765, help="sandbox port (0: any free port)")
    parser.add_argument("--home", type=Path, default=ROOT / ".airflow-stack", help="AIRFLOW_HOME to use")
    parser.add_argument(
        "--job-latency", type=float, default=5.0, help="seconds a sandbox job stays 'working'"
    )
    parser.add_argument(
        "--poke-interval",
        default="10",
        help="PUBLER_EXAMPLE_POKE_INTERVAL of the example DAGs (below ~6 s Airflow 3.3.2 may fail "
        "reschedule sensors: apache/airflow#71172)",
    )
    args = parser.parse_args(argv)
    # Ctrl-C and `kill` both stop the stack cleanly (also when started from a script that ignores SIGINT).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)

    for name, port in (("--port", args.port), ("--sandbox-port", args.sandbox_port)):
        if port and port_in_use(port):
            print(
                f"Port {port} is already in use: pass another {name} (0 picks a free one).", file=sys.stderr
            )
            return 2
    args.home.mkdir(parents=True, exist_ok=True)
    stack = AirflowStack(
        args.home,
        port=args.port,
        sandbox_port=args.sandbox_port,
        sandbox_config=SandboxConfig(job_latency=args.job_latency, db_path=str(args.home / "sandbox.db")),
        extra_env={"PUBLER_EXAMPLE_POKE_INTERVAL": args.poke_interval},
    )
    print(f"Starting the Publer sandbox and Airflow (AIRFLOW_HOME={stack.home}); this takes ~20 s...")
    started = time.monotonic()
    try:
        stack.start()
        stack.wait_for_dags(EXAMPLE_DAG_IDS + REVIEWED_EXAMPLE_DAG_IDS)
    except StackError as err:
        print(f"Airflow did not start: {err}", file=sys.stderr)
        stack.stop()
        return 1
    except KeyboardInterrupt:
        stack.stop()
        return 130
    sandbox_port = stack.sandbox.port if stack.sandbox is not None else args.sandbox_port
    print(
        f"""
Ready in {time.monotonic() - started:.0f} s.

  Airflow UI      {stack.url}   (no login: everyone is admin)
  Publer sandbox  {stack.sandbox_url}   (its posts: {stack.sandbox_url.rsplit("/api/", 1)[0]}/)

{_connection_note(stack, sandbox_port)}
  Publer page     {stack.url}/plugin/publer   (Browse > Publer: posts, workspace and account ids)
  DAGs:
{_dag_lines()}
  Airflow's output: {stack.log_path}

Trigger a DAG in the UI (Dags > example_publer_quickstart > Trigger). Press Ctrl-C to stop.""",
        flush=True,
    )
    try:
        while True:
            time.sleep(1)
            if stack.process is None or stack.process.poll() is not None:
                print(f"airflow standalone exited; see {stack.log_path}", file=sys.stderr)
                return 1
    except KeyboardInterrupt:
        print("\nStopping Airflow and the sandbox...", flush=True)
        return 0
    finally:
        stack.stop()
        print("Stopped.")


def _connection_note(stack: AirflowStack, sandbox_port: int) -> str:
    """What the banner says about ``publer_default``: stored now, or kept from an earlier start."""
    if stack.connection_added:
        return (
            f"  Connection publer_default -> the sandbox (API key {SANDBOX_API_KEY}, workspace "
            f"{SANDBOX_WORKSPACE_ID}),\n"
            f"  stored in Admin > Connections (host http://127.0.0.1, port {sandbox_port}, path api/v1):\n"
            "  edit it there (e.g. your real API key) and the DAGs use what you typed; Test checks it."
        )
    return (
        "  Connection publer_default: kept as it is in Admin > Connections (this home already had one);\n"
        f"  the sandbox listens on port {sandbox_port}. Delete it there and restart to get the sandbox's."
    )


def _dag_lines() -> str:
    """One line per example DAG; the scheduled ones say that they start paused."""
    lines = []
    for dag_id in EXAMPLE_DAG_IDS:
        note = "   (paused: runs every Monday once unpaused)" if dag_id in SCHEDULED_EXAMPLE_DAG_IDS else ""
        lines.append(f"    {dag_id}{note}")
    for dag_id in REVIEWED_EXAMPLE_DAG_IDS:
        lines.append(f"    {dag_id}   (waits for your approval: Browse > Required Actions)")
    return "\n".join(lines)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    sys.exit(main())
