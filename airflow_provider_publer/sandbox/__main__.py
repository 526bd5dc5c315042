"""Command line of the sandbox: serve it until SIGINT/SIGTERM, or print a running sandbox's state.

    python -m airflow_provider_publer.sandbox [serve] [--port 8765] [--style envelope] ...
    python -m airflow_provider_publer.sandbox state --url http://127.0.0.1:8765/api/v1

Serving prints one line, ``Publer sandbox listening on http://HOST:PORT/api/v1 (API key: ...)``,
so scripts can wait for it and read the port (``--port 0`` picks a free one).
Options given on the command line override those of ``--config file.json``.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from airflow_provider_publer.sandbox.config import SandboxConfig
from airflow_provider_publer.sandbox.faults import API_PREFIX
from airflow_provider_publer.sandbox.server import SandboxServer

DEFAULT_PORT = 8765

#: CLI option (argparse dest) -> SandboxConfig field, for the options that map one to one.
_CONFIG_OPTIONS = {
    "style": "response_style",
    "job_latency": "job_latency",
    "rate_limit": "rate_limit",
    "rate_window": "rate_window",
    "plan": "plan",
    "db": "db_path",
    "page_echo": "page_echo",
    "past_end": "past_end",
    "publish_time_scale": "publish_time_scale",
    "max_upload_bytes": "max_upload_bytes",
}
_FAULT_OPTIONS = {
    "fault_5xx": "rate_5xx",
    "fault_429": "rate_429",
    "fault_slow": "rate_slow",
    "fault_drop": "rate_drop",
    "fault_seed": "seed",
    "slow_seconds": "slow_seconds",
    "fault_path": "paths",
    "fault_method": "methods",
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m airflow_provider_publer.sandbox`` and ``publer-sandbox``."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["state"]:
        return state_command(args[1:])
    if args[:1] == ["serve"]:
        args = args[1:]
    return serve_command(args)


# -- serve --------------------------------------------------------------------------------------


def serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="publer-sandbox",
        description="Serve a local Publer-compatible API. 'state --url URL' prints a sandbox's state.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0 picks a free port")
    parser.add_argument(
        "--config", type=Path, help="JSON file with SandboxConfig fields (faults as an object)"
    )
    parser.add_argument("--api-key", action="append", dest="api_keys", help="accepted API key (repeatable)")
    parser.add_argument("--style", choices=("flat", "envelope"), help="response style (default flat)")
    parser.add_argument("--job-latency", type=float, help="seconds a job stays 'working' (default 1)")
    parser.add_argument("--plan", choices=("free", "professional", "business"))
    parser.add_argument("--no-rate-limit", action="store_true", help="turn the request limit off")
    parser.add_argument("--rate-limit", type=int, help="requests per window per API key (default 100)")
    parser.add_argument("--rate-window", type=float, help="window in seconds (default 120)")
    parser.add_argument("--db", help="persist posts and jobs in this SQLite file")
    parser.add_argument("--log-level", default="warning", help="uvicorn log level")
    _add_behaviour_options(parser)
    _add_fault_options(parser)
    return parser


def _add_behaviour_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("server behaviours")
    group.add_argument(
        "--page-echo", choices=("zero", "one", "none"), help="page key of paged lists (default zero)"
    )
    group.add_argument(
        "--past-end", choices=("empty", "last"), help="what a page past the end holds (default empty)"
    )
    group.add_argument(
        "--publish-time-scale", type=float, help="scheduled posts go live this much faster (default 1)"
    )
    group.add_argument(
        "--fail-account",
        action="append",
        metavar="ID[=REASON]",
        help="posts of this account fail when they go live (repeatable)",
    )
    group.add_argument(
        "--approval-account",
        action="append",
        metavar="ID",
        help="published posts of this account were published with approval (repeatable)",
    )
    group.add_argument(
        "--echo-credentials",
        action="store_true",
        help="401 and injected 5xx answers quote the Authorization header",
    )
    group.add_argument("--max-upload-bytes", type=int, help="direct upload limit (default 200 MB)")


def _add_fault_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fault injection (shares of /api/v1 requests)")
    group.add_argument("--fault-5xx", type=float, help="answered 500/502/503 without processing")
    group.add_argument("--fault-429", type=float, help="answered 429 without processing")
    group.add_argument("--fault-slow", type=float, help="delayed by --slow-seconds")
    group.add_argument("--fault-drop", type=float, help="processed, then the response is lost")
    group.add_argument("--fault-seed", type=int, help="seed of the fault sequence (default 0)")
    group.add_argument("--slow-seconds", type=float)
    group.add_argument("--fault-path", action="append", help="only paths starting with this (repeatable)")
    group.add_argument("--fault-method", action="append", help="only this HTTP method (repeatable)")


def build_config(args: argparse.Namespace) -> SandboxConfig:
    """The config file's values, overridden by every option given on the command line."""
    data: dict[str, Any] = json.loads(args.config.read_text()) if args.config else {}
    faults: dict[str, Any] = dict(data.get("faults") or {})
    data.update(
        {
            field: getattr(args, opt)
            for opt, field in _CONFIG_OPTIONS.items()
            if getattr(args, opt) is not None
        }
    )
    faults.update(
        {field: getattr(args, opt) for opt, field in _FAULT_OPTIONS.items() if getattr(args, opt) is not None}
    )
    if args.api_keys:
        data["api_keys"] = args.api_keys
    if args.no_rate_limit:
        data["rate_limit_enabled"] = False
    if args.echo_credentials:
        data["echo_credentials"] = True
    if args.fail_account:
        fail_accounts = dict(data.get("fail_accounts") or {})
        for item in args.fail_account:
            account_id, _, reason = item.partition("=")
            fail_accounts[account_id.strip()] = reason.strip()
        data["fail_accounts"] = fail_accounts
    if args.approval_account:
        data["approval_accounts"] = [*(data.get("approval_accounts") or []), *args.approval_account]
    data["faults"] = faults
    return SandboxConfig.from_dict(data)


def serve_command(argv: Sequence[str]) -> int:
    args = serve_parser().parse_args(argv)
    try:
        config = build_config(args)
        server = SandboxServer(config, host=args.host, port=args.port, log_level=args.log_level).start()
    except (OSError, ValueError, TypeError) as err:
        print(f"publer-sandbox: {err}", file=sys.stderr)
        return 2
    print(f"Publer sandbox listening on {server.url} (API key: {', '.join(config.api_keys)})", flush=True)
    try:
        _wait_for_signal()
    finally:
        server.stop()
    return 0


def _wait_for_signal() -> None:
    stop = threading.Event()

    def handle(signum: int, frame: object) -> None:
        stop.set()

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
    while not stop.wait(0.5):
        pass


# -- state --------------------------------------------------------------------------------------


def state_command(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="publer-sandbox state", description="Print a running sandbox's state."
    )
    parser.add_argument(
        "--url", default=f"http://127.0.0.1:{DEFAULT_PORT}", help="server root or API base URL"
    )
    args = parser.parse_args(argv)
    try:
        with urllib.request.urlopen(state_url(args.url), timeout=10) as response:
            state = json.load(response)
    except (urllib.error.URLError, OSError, ValueError) as err:
        print(f"publer-sandbox: could not read the state at {args.url}: {err}", file=sys.stderr)
        return 1
    print(json.dumps(state, indent=2, sort_keys=True))
    return 0


def state_url(url: str) -> str:
    """``.../sandbox/state`` of a sandbox given its root or its API base URL."""
    root = url.rstrip("/")
    if root.endswith(API_PREFIX):
        root = root[: -len(API_PREFIX)]
    return f"{root}/sandbox/state"


if __name__ == "__main__":
    sys.exit(main())
