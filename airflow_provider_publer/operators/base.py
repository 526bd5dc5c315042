"""What every Publer operator and sensor shares: its hook, its workspace, and how Publer's trouble
becomes Airflow's.

Why this module exists: each task needs the same plumbing (a hook built from the task's
connection and workspace, input checked before anything is sent, hook calls whose errors
become an Airflow retry or a failure for good). Written once here, every operator and sensor
behaves alike, and the transient-or-not decision is the one of
:func:`airflow_provider_publer.exceptions.is_transient`.

Cheap to import at DAG parse time: the hook loads when a task first uses it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.compat import AirflowException, AirflowFailException
from airflow_provider_publer.exceptions import (
    PublerConfigurationError,
    PublerError,
    PublerOutcomeUnknownError,
    PublerValidationError,
    is_transient,
)

if TYPE_CHECKING:
    from airflow_provider_publer.hooks.publer import PublerHook

#: How every task failure that happened before any request begins.
NOTHING_SENT = "Nothing was sent to Publer."


def airflow_error(err: PublerError, prefix: str = "") -> AirflowException:
    """Publer's trouble as Airflow's: transient trouble lets Airflow retry the task
    (``AirflowException``); anything else fails it for good (``AirflowFailException``).

    :param err: the provider's error.
    :param prefix: text put before the error's message (what was being done).
    """
    kind = AirflowException if is_transient(err) else AirflowFailException
    return kind(f"{prefix}{err}")


def checked(check: Callable[..., Any]) -> Any:
    """Run a validation: bad input fails the task without retries, saying nothing was sent."""
    try:
        return check()
    except PublerValidationError as err:
        raise AirflowFailException(f"{NOTHING_SENT} {err}") from None


class PublerTaskMixin:
    """The plumbing of the provider's operators and sensors (mixed in before Airflow's base class).

    Subclasses set ``publer_conn_id`` and ``workspace_id`` in their ``__init__``.
    """

    publer_conn_id: str
    workspace_id: str | None

    @cached_property
    def hook(self) -> PublerHook:
        """The task's hook: its connection and workspace (built when the task first uses it)."""
        from airflow_provider_publer.hooks.publer import PublerHook

        return PublerHook(publer_conn_id=self.publer_conn_id, workspace_id=self.workspace_id or None)

    def _workspace(self) -> str:
        """The workspace the task acts in: its own, else the connection's default."""
        try:
            return self.hook.resolve_workspace(self.workspace_id or None)
        except (PublerConfigurationError, PublerValidationError) as err:
            raise AirflowFailException(f"{NOTHING_SENT} {err}") from None

    @staticmethod
    def _checked(check: Callable[..., Any]) -> Any:
        """Run a validation; bad input fails the task without retries, with nothing sent."""
        return checked(check)

    def _call(self, func: Callable[..., Any], what: str = "") -> Any:
        """Run a hook call; Publer's trouble becomes Airflow's retry (transient) or failure (the rest).

        A request whose outcome is unknown (:class:`PublerOutcomeUnknownError`) is raised as it is:
        the caller that sent it decides (it reconciles instead of sending again).
        """
        try:
            return func()
        except PublerOutcomeUnknownError:
            raise
        except PublerError as err:
            raise airflow_error(err, what) from None


__all__ = ["NOTHING_SENT", "PublerTaskMixin", "airflow_error", "checked"]
