"""Imports that moved between Airflow 3.1 and 3.3, resolved once."""

from __future__ import annotations

try:  # Airflow 3.2+
    from airflow.sdk.exceptions import AirflowException, AirflowFailException
except ImportError:  # Airflow 3.1
    from airflow.exceptions import AirflowException, AirflowFailException  # type: ignore[no-redef]

__all__ = ["AirflowException", "AirflowFailException"]
