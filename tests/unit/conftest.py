"""Fixtures of the hook's unit tests (requests-mock for the sync session), shared by
``test_hook.py`` and ``test_hook_workflow.py``; those modules use ``publer_conn`` for every test."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
import requests_mock as rm

from airflow_provider_publer import retries
from airflow_provider_publer.hooks.publer import PublerHook
from tests.conftest import publer_conn_json


@pytest.fixture
def publer_conn(monkeypatch: pytest.MonkeyPatch) -> None:
    """The documented test connection, and a fresh pacing budget for every test."""
    monkeypatch.setenv("AIRFLOW_CONN_PUBLER_DEFAULT", publer_conn_json())
    retries._BUDGETS.clear()


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the hook asked for (it sleeps through this recorder instead)."""
    return []


@pytest.fixture
def hook(sleeps: list[float]) -> Iterator[PublerHook]:
    hook = PublerHook(sleep=sleeps.append, max_retries=3)
    yield hook
    hook.close()


@pytest.fixture
def api() -> Iterator[rm.Mocker]:
    with rm.Mocker() as mocker:
        yield mocker


@pytest.fixture
def async_sleeps(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits this test's coroutines asked ``asyncio.sleep`` for, recorded instead of waited.

    ``sleep(0)`` (a yield) and the event loops of other threads (a sandbox server that another test
    of the session still runs, say) keep the real sleep, so only the test's own waits are counted.
    """
    real_sleep = asyncio.sleep
    thread = threading.current_thread()
    slept: list[float] = []

    async def sleep(delay: float, result: object = None) -> object:
        if delay <= 0 or threading.current_thread() is not thread:
            return await real_sleep(delay, result)
        slept.append(delay)
        return result

    monkeypatch.setattr(asyncio, "sleep", sleep)
    return slept
