"""The trigger that waits for a Publer job in the triggerer.

It only waits: each check is the hook's async ``aget_job_status`` (httpx, parsed by
the same normalisation as the sync path). Between checks it sleeps; transient
trouble (network, 5xx, 429) backs off instead of failing; the deadline is
wall-clock time, because the triggerer that resumes the wait may be another
host. It yields exactly one event, with JSON-compatible content only.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_publer.constants import DEFAULT_CONN_ID
from airflow_provider_publer.exceptions import (
    PublerError,
    PublerRateLimitError,
    PublerServerError,
    PublerTransientError,
)
from airflow_provider_publer.hooks.publer import PublerHook
from airflow_provider_publer.responses import backoff_delay


class PublerJobTrigger(BaseTrigger):
    """Poll ``GET /job_status/{id}`` until the job finishes or ``end_time`` passes.

    Events: ``{"status": "success", "result": {...}}``, ``{"status": "failed", "result": {...}}``,
    ``{"status": "timeout", "message": ...}`` or ``{"status": "error", "message": ...}``.

    :param job_id: Publer job id.
    :param publer_conn_id: Airflow connection of type ``publer``.
    :param workspace_id: workspace of the job; defaults to the connection's.
    :param poll_interval: seconds between two checks.
    :param end_time: UNIX time after which the trigger gives up.
    """

    def __init__(
        self,
        job_id: str,
        end_time: float,
        publer_conn_id: str = DEFAULT_CONN_ID,
        workspace_id: str | None = None,
        poll_interval: float = 30.0,
    ) -> None:
        super().__init__()
        self.job_id = job_id
        self.end_time = end_time
        self.publer_conn_id = publer_conn_id
        self.workspace_id = workspace_id
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "job_id": self.job_id,
                "end_time": self.end_time,
                "publer_conn_id": self.publer_conn_id,
                "workspace_id": self.workspace_id,
                "poll_interval": self.poll_interval,
            },
        )

    def _hook(self) -> PublerHook:
        # Retries inside one check stay short: the trigger's own loop is the long wait.
        return PublerHook(publer_conn_id=self.publer_conn_id, workspace_id=self.workspace_id, max_retries=0)

    async def run(self) -> AsyncIterator[TriggerEvent]:
        hook = self._hook()
        try:
            yield await self._wait(hook)
        finally:
            await hook.aclose()

    async def _wait(self, hook: PublerHook) -> TriggerEvent:
        failures_in_a_row = 0
        while True:
            delay = self.poll_interval
            try:
                result = await hook.aget_job_status(self.job_id, self.workspace_id)
            except PublerRateLimitError as err:
                failures_in_a_row += 1
                delay = max(delay, err.retry_after or backoff_delay(failures_in_a_row, self.poll_interval))
                self.log.warning("Publer rate limit while checking job %s; waiting %.0fs", self.job_id, delay)
            except (PublerTransientError, PublerServerError) as err:
                failures_in_a_row += 1
                delay = max(delay, backoff_delay(failures_in_a_row, self.poll_interval, cap=300.0))
                self.log.warning(
                    "Could not check Publer job %s (%s); retrying in %.0fs", self.job_id, err, delay
                )
            except PublerError as err:
                return TriggerEvent({"status": "error", "message": str(err), "job_id": self.job_id})
            else:
                failures_in_a_row = 0
                if result.is_finished:
                    status = "success" if result.is_success else "failed"
                    return TriggerEvent({"status": status, "result": result.to_dict(), "job_id": self.job_id})
                self.log.info("Publer job %s is %s", self.job_id, result.status)
            remaining = self.end_time - time.time()
            if remaining <= 0:
                return TriggerEvent(
                    {
                        "status": "timeout",
                        "job_id": self.job_id,
                        "message": f"Publer job {self.job_id} did not finish before the sensor's timeout.",
                    }
                )
            await asyncio.sleep(min(delay, remaining))
