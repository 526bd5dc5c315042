"""Imports that moved between Airflow 3.1 and 3.3, resolved once."""

from __future__ import annotations

try:  # Airflow 3.2+
    from airflow.sdk.exceptions import (
        AirflowException,
        AirflowFailException,
        AirflowSensorTimeout,
        AirflowSkipException,
    )
except ImportError:  # Airflow 3.1
    from airflow.exceptions import (  # type: ignore[no-redef]
        AirflowException,
        AirflowFailException,
        AirflowSensorTimeout,
        AirflowSkipException,
    )

__all__ = ["AirflowException", "AirflowFailException", "AirflowSensorTimeout", "AirflowSkipException"]
