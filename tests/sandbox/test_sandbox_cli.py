"""The command line: serve prints its one line and stops on SIGTERM; 'state' prints a sandbox's state."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import httpx

from airflow_provider_publer.sandbox import SANDBOX_WORKSPACE_ID
from airflow_provider_publer.sandbox.__main__ import build_config, serve_parser, state_url

ROOT = Path(__file__).resolve().parents[2]
LINE = re.compile(r"^Publer sandbox listening on (http://127\.0\.0\.1:\d+/api/v1) \(API key: (.+)\)$")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def _sandbox_cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "airflow_provider_publer.sandbox", *args]


def test_serve_prints_its_line_serves_and_stops_on_sigterm():
    proc = subprocess.Popen(
        _sandbox_cli(
            "--port", "0", "--api-key", "cli-key-123", "--style", "envelope", "--job-latency", "0.1"
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(),
    )
    try:
        assert proc.stdout is not None
        match = LINE.match(proc.stdout.readline().strip())
        assert match, "no 'listening' line"
        url, key = match.groups()
        assert key == "cli-key-123"
        headers = {"Authorization": f"Bearer-API {key}", "Publer-Workspace-Id": SANDBOX_WORKSPACE_ID}
        assert "accounts" in httpx.get(url + "/accounts", headers=headers).json()
        state = subprocess.run(
            _sandbox_cli("state", "--url", url), capture_output=True, text=True, env=_env(), check=True
        )
        assert json.loads(state.stdout)["requests"]["total"] == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=20)
    assert code == 0


def test_state_command_reports_an_unreachable_sandbox():
    result = subprocess.run(
        _sandbox_cli("state", "--url", "http://127.0.0.1:9"), capture_output=True, text=True, env=_env()
    )
    assert result.returncode == 1
    assert "could not read the state" in result.stderr


def test_command_line_overrides_the_config_file(tmp_path):
    config_file = tmp_path / "sandbox.json"
    config_file.write_text(
        json.dumps(
            {"job_latency": 5, "rate_limit": 7, "faults": {"rate_5xx": 0.5, "seed": 4}, "plan": "free"}
        )
    )
    args = serve_parser().parse_args(
        ["--config", str(config_file), "--job-latency", "0.5", "--fault-drop", "0.25", "--no-rate-limit"]
    )
    config = build_config(args)
    assert (config.job_latency, config.rate_limit, config.rate_limit_enabled, config.plan) == (
        0.5,
        7,
        False,
        "free",
    )
    assert (config.faults.rate_5xx, config.faults.rate_drop, config.faults.seed) == (0.5, 0.25, 4)


def test_state_url_accepts_root_or_api_base():
    assert state_url("http://h:1/api/v1/") == "http://h:1/sandbox/state"
    assert state_url("http://h:1") == "http://h:1/sandbox/state"


def test_behaviour_options_from_the_file_and_the_command_line(tmp_path):
    config_file = tmp_path / "sandbox.json"
    config_file.write_text(
        json.dumps(
            {
                "page_echo": "none",
                "past_end": "last",
                "fail_accounts": {"a1": "from the file", "a2": "kept"},
                "approval_accounts": ["b1"],
                "publish_time_scale": 10,
            }
        )
    )
    args = serve_parser().parse_args(
        [
            "--config", str(config_file), "--page-echo", "one", "--publish-time-scale", "120",
            "--fail-account", "a1=Token expired", "--fail-account", "a3", "--approval-account", "b2",
            "--echo-credentials", "--max-upload-bytes", "1024",
        ]
    )  # fmt: skip
    config = build_config(args)
    assert (config.page_echo, config.past_end, config.publish_time_scale) == ("one", "last", 120.0)
    assert config.fail_accounts == {"a1": "Token expired", "a2": "kept", "a3": ""}
    assert config.approval_accounts == ("b1", "b2")
    assert (config.echo_credentials, config.max_upload_bytes) == (True, 1024)
    defaults = build_config(serve_parser().parse_args([]))
    assert (defaults.page_echo, defaults.past_end, defaults.publish_time_scale) == ("zero", "empty", 1.0)
    assert (defaults.fail_accounts, defaults.approval_accounts, defaults.echo_credentials) == ({}, (), False)
