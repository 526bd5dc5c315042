"""One running sandbox's moving parts (config, store, rate limiter, fault injector) in one object.

The app factory builds it, the routes reach it through ``request.app.state.sandbox``,
and :class:`~airflow_provider_publer.sandbox.server.SandboxServer` uses it for
snapshots, resets and switching faults while the server runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from airflow_provider_publer.sandbox.config import RESPONSE_STYLES, FaultConfig, SandboxConfig
from airflow_provider_publer.sandbox.faults import FaultInjector
from airflow_provider_publer.sandbox.paging import (
    PAGE_ECHO_HEADER,
    PAGE_ECHOES,
    PAST_END_HEADER,
    PAST_ENDS,
    Paging,
)
from airflow_provider_publer.sandbox.ratelimit import SlidingWindowLimiter
from airflow_provider_publer.sandbox.shapes import STYLE_HEADER
from airflow_provider_publer.sandbox.state import SandboxStore


@dataclass
class SandboxRuntime:
    config: SandboxConfig
    store: SandboxStore
    limiter: SlidingWindowLimiter
    faults: FaultInjector

    @classmethod
    def build(cls, config: SandboxConfig) -> SandboxRuntime:
        return cls(
            config=config,
            store=SandboxStore(config),
            limiter=SlidingWindowLimiter(config.rate_limit, config.rate_window),
            faults=FaultInjector(config.faults),
        )

    def style_for(self, headers: Mapping[str, str]) -> str:
        """The response style of one request: ``X-Sandbox-Style`` when valid, else the config's."""
        wanted = (headers.get(STYLE_HEADER) or "").strip().lower()
        return wanted if wanted in RESPONSE_STYLES else self.config.response_style

    def paging_for(self, headers: Mapping[str, str]) -> Paging:
        """The paging behaviour of one request: the config's, or the ``X-Sandbox-Page-Echo`` and
        ``X-Sandbox-Past-End`` headers when they name a valid value."""
        echo = (headers.get(PAGE_ECHO_HEADER) or "").strip().lower()
        past_end = (headers.get(PAST_END_HEADER) or "").strip().lower()
        return Paging(
            echo=echo if echo in PAGE_ECHOES else self.config.page_echo,
            past_end=past_end if past_end in PAST_ENDS else self.config.past_end,
        )

    def set_faults(self, faults: FaultConfig) -> None:
        self.config.faults = faults
        self.faults.configure(faults)

    def reset(self) -> None:
        """Clear posts, jobs, media and counters, empty the rate-limit windows, restart the fault seed."""
        self.store.reset()
        self.limiter.reset()
        self.faults.reset()
