"""One error policy: each exception says whether it is transient, and every decision reads that.

The hook's retries, the operators' Airflow retry-or-fail choice and the sensors' "not yet" all
agree, error class by error class (HTTP 501 included, on which they once disagreed).
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from airflow_provider_publer.compat import AirflowException, AirflowFailException
from airflow_provider_publer.exceptions import (
    PublerAPIError,
    PublerAuthenticationError,
    PublerConfigurationError,
    PublerConnectError,
    PublerError,
    PublerNotFoundError,
    PublerOutcomeUnknownError,
    PublerPermissionError,
    PublerRateLimitError,
    PublerServerError,
    PublerTimeoutError,
    PublerTransientError,
    PublerValidationError,
    is_transient,
)
from airflow_provider_publer.job_outcomes import check_job
from airflow_provider_publer.operators.base import airflow_error
from airflow_provider_publer.retries import is_retryable

CASES: list[tuple[PublerError, bool]] = [
    (PublerTransientError("lost"), True),
    (PublerConnectError("refused"), True),
    (PublerTimeoutError("slow"), True),
    (PublerRateLimitError(429, ["busy"], retry_after=3), True),
    (PublerServerError(500, ["oops"]), True),
    (PublerServerError(502, ["bad gateway"]), True),
    (PublerServerError(503, ["unavailable"]), True),
    (PublerServerError(501, ["not implemented"]), False),
    (PublerAuthenticationError(401, ["bad key"]), False),
    (PublerPermissionError(403, ["no scope"]), False),
    (PublerNotFoundError(404, ["no job"]), False),
    (PublerAPIError(422, ["invalid"]), False),
    (PublerValidationError("bad", field="posts"), False),
    (PublerConfigurationError("no key"), False),
    (PublerOutcomeUnknownError("sent, answer lost"), False),
]


@pytest.mark.parametrize(("error", "transient"), CASES, ids=lambda v: type(v).__name__ if v else "")
def test_every_decision_reads_the_errors_own_word(error: PublerError, transient: bool) -> None:
    assert error.transient is transient
    assert is_transient(error) is transient
    assert is_retryable(error) is transient
    kind = airflow_error(error)
    assert type(kind) is (AirflowException if transient else AirflowFailException)
    assert str(error) in str(kind)


@pytest.mark.parametrize(("error", "transient"), CASES, ids=lambda v: type(v).__name__ if v else "")
def test_a_job_check_waits_on_transient_errors_and_fails_on_the_rest(
    error: PublerError, transient: bool
) -> None:
    class Hook:
        def get_job_status(self, job_id: str, workspace_id: Any) -> Any:
            raise error

    if transient:
        assert check_job(Hook(), "job-1", None, logging.getLogger("test")) is None  # type: ignore[arg-type]
    else:
        with pytest.raises(AirflowFailException):
            check_job(Hook(), "job-1", None, logging.getLogger("test"))  # type: ignore[arg-type]


def test_other_exceptions_are_not_transient() -> None:
    assert not is_transient(ValueError("x"))
    assert not is_transient(KeyError("x"))
