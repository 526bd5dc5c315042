"""PublerApprovePostsOperator without a server: its form, what an answer returns, and an Airflow without HITL.

The request really waiting in Airflow, answered through the REST API and in the browser, is
tested in ``tests/system/test_approval.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from airflow_provider_publer.compat import AirflowFailException
from airflow_provider_publer.operators.approval import (
    XCOM_APPROVAL,
    XCOM_IN_REVIEW,
    PublerApprovePostsOperator,
)
from airflow_provider_publer.review import post_texts
from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS
from airflow_provider_publer.validation import validate_posts

WHEN = datetime(2031, 3, 3, 9, 0, tzinfo=timezone.utc)
REVIEWER = {"id": "7", "name": "Rita Reviewer"}


def _posts() -> list[dict[str, Any]]:
    return validate_posts(
        [
            {
                "networks": {network: {"type": "status", "text": f"Hello {network}"}},
                "accounts": [
                    {
                        "id": SANDBOX_ACCOUNT_IDS[network],
                        "scheduled_at": (WHEN + timedelta(hours=i)).isoformat(),
                    }
                ],
            }
            for i, network in enumerate(("facebook", "twitter", "linkedin"))
        ]
    )


class FakeTI:
    """What execute_complete uses of the task instance: XCom in and out."""

    map_index = -1

    def __init__(self, in_review: list[dict[str, Any]]) -> None:
        self.xcom = {XCOM_IN_REVIEW: in_review}

    def xcom_pull(self, *, task_ids: str, key: str, map_indexes: int) -> Any:
        return self.xcom.get(key)

    def xcom_push(self, *, key: str, value: Any) -> None:
        self.xcom[key] = value


def _answer(option: str, **params: Any) -> dict[str, Any]:
    return {
        "chosen_options": [option],
        "params_input": {
            "approve": params.get("approve", []),
            "texts": params.get("texts", {}),
            "reason": params.get("reason", ""),
        },
        "responded_at": datetime(2031, 3, 1, 12, 0, tzinfo=timezone.utc),
        "responded_by_user": REVIEWER,
    }


def _complete(event: dict[str, Any]) -> tuple[Any, FakeTI]:
    op = PublerApprovePostsOperator(task_id="approve", posts=[])
    ti = FakeTI(_posts())
    return op.execute_complete({"ti": ti, "task": op}, event), ti


def test_the_form_is_fixed_when_the_dag_is_parsed_and_nothing_is_approved_by_default():
    op = PublerApprovePostsOperator(task_id="approve", posts="calendar.csv")
    assert op.options == ["Approve", "Reject"]
    assert op.defaults is None  # a timeout never approves unless the DAG author says so
    assert set(op.params.keys()) == {"approve", "texts", "reason"}
    assert op.posts_file == "calendar.csv"
    assert {"posts", "subject", "body"} <= set(op.template_fields)


def test_params_of_the_dag_author_are_refused():
    with pytest.raises(ValueError, match="defines its own form"):
        PublerApprovePostsOperator(task_id="approve", posts=[], params={"x": 1})


def test_invalid_posts_are_never_shown_for_approval():
    bad = [
        {
            "networks": {"twitter": {"type": "status", "text": "x" * 300}},
            "accounts": [{"id": SANDBOX_ACCOUNT_IDS["twitter"]}],
        }
    ]
    op = PublerApprovePostsOperator(task_id="approve", posts=bad)
    with pytest.raises(
        AirflowFailException, match=r"Nothing was asked for approval.*posts\[0\]\.networks\.twitter\.text"
    ):
        op._checked_posts()


def test_approve_all_returns_the_posts_and_records_who_and_when():
    posts = _posts()
    result, ti = _complete(_answer("Approve", approve=["1", "2", "3"], texts=post_texts(posts)))
    assert result == posts
    assert ti.xcom[XCOM_APPROVAL] == {
        "decision": "approved",
        "responded_by": REVIEWER,
        "responded_at": "2031-03-01T12:00:00+00:00",
        "timed_out": False,
        "reason": None,
        "approved": [1, 2, 3],
        "rejected": [],
        "edited": [],
    }


def test_approve_some_with_an_edit_and_a_reason():
    posts = _posts()
    texts = {**post_texts(posts), "1.facebook": "Hello, edited"}
    result, ti = _complete(
        _answer("Approve", approve=["1", "3"], texts=texts, reason="X is paused this week")
    )
    assert [p["networks"] for p in result] == [
        {"facebook": {"type": "status", "text": "Hello, edited"}},
        posts[2]["networks"],
    ]
    record = ti.xcom[XCOM_APPROVAL]
    assert record["approved"] == [1, 3]
    assert record["rejected"] == [{"post": 2, "reason": "X is paused this week"}]
    assert record["edited"] == ["1.facebook"]


def test_an_invalid_edit_fails_the_task_naming_the_field_and_sends_nothing():
    texts = {**post_texts(_posts()), "2.twitter": "y" * 281}
    with pytest.raises(AirflowFailException) as err:
        _complete(_answer("Approve", approve=["1", "2"], texts=texts))
    assert "The answer of Rita Reviewer (id 7) is refused and nothing was sent to Publer" in str(err.value)
    assert "texts['2.twitter'] (post 2)" in str(err.value)


def test_reject_returns_no_post_and_records_the_reason():
    result, ti = _complete(_answer("Reject", reason="wrong campaign"))
    assert result == []
    record = ti.xcom[XCOM_APPROVAL]
    assert record["decision"] == "rejected"
    assert record["rejected"] == [{"post": n, "reason": "wrong campaign"} for n in (1, 2, 3)]


def test_a_timeout_without_defaults_fails_and_sends_nothing():
    op = PublerApprovePostsOperator(task_id="approve", posts=[], response_timeout=timedelta(minutes=5))
    event = {"error": "The timeout has passed", "error_type": "timeout"}
    with pytest.raises(
        AirflowFailException, match=r"No answer within the response timeout \(0:05:00\): nothing was sent"
    ):
        op.execute_complete({"ti": FakeTI(_posts()), "task": op}, event)


# -- an Airflow without human-in-the-loop ---------------------------------------------------------

_WITHOUT_HITL = """
import sys
sys.modules["airflow.providers.standard.operators.hitl"] = None  # as on an Airflow without it
"""


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(_WITHOUT_HITL + code)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"},
        timeout=120,
    )


def test_without_human_in_the_loop_the_import_names_the_versions_needed(tmp_path: Path):
    done = _python(
        "from airflow_provider_publer.operators.approval import PublerApprovePostsOperator\n", tmp_path
    )
    assert done.returncode == 1
    assert (
        "ImportError: PublerApprovePostsOperator needs Airflow's human-in-the-loop operators: "
        "Airflow 3.1 or newer with apache-airflow-providers-standard 1.8.0 or newer"
    ) in done.stderr


def test_without_human_in_the_loop_the_dag_file_fails_to_parse_with_that_error(tmp_path: Path):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "reviewed.py").write_text(
        "from airflow.sdk import DAG\n"
        "from airflow_provider_publer.operators.approval import PublerApprovePostsOperator\n"
        "with DAG('reviewed', schedule=None):\n"
        "    PublerApprovePostsOperator(task_id='approve', posts=[])\n"
    )
    done = _python(
        f"""
try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 3.1
    from airflow.models.dagbag import DagBag
import json
bag = DagBag(dag_folder={str(dags)!r})
print(json.dumps({{"dags": sorted(bag.dag_ids), "errors": bag.import_errors}}))
""",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["dags"] == []
    (error,) = result["errors"].values()
    assert "needs Airflow's human-in-the-loop operators: Airflow 3.1 or newer" in error
