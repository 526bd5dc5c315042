"""Run a sandbox on loopback in a background thread, for tests, demos and the CLI.

The server binds its own socket first (port 0 picks a free port), so ``url`` is
known before uvicorn starts, and ``start()`` returns only once uvicorn accepts
connections. ``stop()`` asks uvicorn to exit and waits for the thread.
"""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType
from typing import Any

import uvicorn
from fastapi import FastAPI

from airflow_provider_publer.sandbox.app import create_app
from airflow_provider_publer.sandbox.config import FaultConfig, SandboxConfig
from airflow_provider_publer.sandbox.faults import API_PREFIX
from airflow_provider_publer.sandbox.runtime import SandboxRuntime

START_TIMEOUT = 15.0
STOP_TIMEOUT = 15.0


class SandboxServer:
    """A Publer sandbox served by uvicorn on ``host:port`` (``with SandboxServer() as s: s.url``)."""

    def __init__(
        self,
        config: SandboxConfig | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        log_level: str = "warning",
    ) -> None:
        self.config = config or SandboxConfig()
        self.host = host
        self.app: FastAPI = create_app(self.config)
        self._requested_port = port
        self._log_level = log_level
        self._socket: socket.socket | None = None
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------------

    def start(self) -> SandboxServer:
        """Bind, start uvicorn in a daemon thread and wait until it serves; returns self."""
        if self._thread is not None:
            raise RuntimeError("this SandboxServer was already started")
        self._socket = _bind(self.host, self._requested_port)
        uv_config = uvicorn.Config(
            self.app,
            log_level=self._log_level,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = uvicorn.Server(uv_config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, name="publer-sandbox", daemon=True
        )
        self._thread.start()
        self._wait_started()
        return self

    def _wait_started(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while not (self._server and self._server.started):
            if self._thread is None or not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the Publer sandbox did not start (see the uvicorn log above)")
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving and release the port and the SQLite file; safe to call twice."""
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(STOP_TIMEOUT)
        if self._socket is not None:
            self._socket.close()
        self.runtime.store.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    # -- where and what -------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the sandbox is not started")
        return int(self._socket.getsockname()[1])

    @property
    def base_url(self) -> str:
        """The server root, e.g. ``http://127.0.0.1:PORT`` (sandbox pages live under it)."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The Publer API base, e.g. ``http://127.0.0.1:PORT/api/v1``."""
        return f"{self.base_url}{API_PREFIX}"

    @property
    def runtime(self) -> SandboxRuntime:
        sandbox: SandboxRuntime = self.app.state.sandbox
        return sandbox

    def state_snapshot(self) -> dict[str, Any]:
        """What ``GET /sandbox/state`` returns, read directly (no HTTP request)."""
        return self.runtime.store.snapshot()

    def reset(self) -> None:
        """Clear posts, jobs, media and counters (what ``POST /sandbox/reset`` does)."""
        self.runtime.reset()

    def set_faults(self, faults: FaultConfig) -> None:
        """Switch fault injection while running; the seeded sequence restarts."""
        self.runtime.set_faults(faults)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    return sock
