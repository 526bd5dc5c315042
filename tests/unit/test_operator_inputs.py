"""What the operators accept before anything is sent: output paths written where they say, ids and
files from mapped tasks, look-alike posts a lost answer could not tell apart. No request is made."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.ids import id_list as ids_list
from airflow_provider_publer.operators.common import flat_items
from airflow_provider_publer.operators.output import check_output_path
from airflow_provider_publer.operators.publer import PublerPostInsightsOperator, _file_list
from airflow_provider_publer.reconcile import twins


@pytest.mark.parametrize(
    "path",
    [
        "s3://my-bucket/insights-{from_}.jsonl",
        "file:///data/insights.jsonl",
        "gs://bucket/x.jsonl",
        " abfs://c@a.dfs.core.windows.net/x.jsonl",
    ],
)
def test_an_output_path_string_with_a_scheme_is_refused_with_the_fix(path):
    with pytest.raises(PublerValidationError) as caught:
        check_output_path(path)
    assert caught.value.field == "output_path"
    assert "ObjectStoragePath(" in str(caught.value)
    assert "worker's own disk" in str(caught.value)


@pytest.mark.parametrize("path", [None, "", "/data/insights.jsonl", "out/x-{from_}.jsonl", "C:/data/x.jsonl"])
def test_local_paths_and_no_path_are_taken(path):
    assert check_output_path(path) == path


def test_the_insights_operator_checks_its_output_path_before_any_request():
    """The check runs before the hook exists: the task's connection is never even read."""
    operator = PublerPostInsightsOperator(
        task_id="t", account_ids=["a"], from_="2030-01-01", to="2030-01-02", output_path="s3://b/x.jsonl"
    )
    from airflow_provider_publer.compat import AirflowFailException

    with pytest.raises(AirflowFailException, match=r"Nothing was sent to Publer\. output_path:"):
        operator.execute({})
    assert "hook" not in vars(operator)


class Lazy(Sequence):
    """Stands for Airflow's LazyXComSequence: a Sequence that is not a list."""

    def __init__(self, items):
        self._items = list(items)

    def __getitem__(self, index):
        return self._items[index]

    def __len__(self):
        return len(self._items)


def test_a_mapped_tasks_output_of_ids_or_of_lists_of_ids_is_one_list():
    assert ids_list(Lazy(["a", "b"])) == ["a", "b"]
    assert ids_list(Lazy([["a"], ["b", "c"]])) == ["a", "b", "c"]
    assert ids_list([["a"], "b", ("c",)]) == ["a", "b", "c"]
    assert ids_list("a") == ["a"]
    assert flat_items({"id": "m"}) == {"id": "m"}
    assert flat_items(Lazy([[{"id": "m1"}], [{"id": "m2"}]])) == [{"id": "m1"}, {"id": "m2"}]


def test_files_from_a_mapped_task_are_one_flat_list_of_paths(tmp_path):
    assert _file_list(Lazy([[str(tmp_path / "a.png")], [tmp_path / "b.png"]])) == [
        str(tmp_path / "a.png"),
        str(tmp_path / "b.png"),
    ]
    assert _file_list(Path("x.png")) == ["x.png"]
    assert _file_list(None) == []


def _post(text, account="acc", when=None):
    account_item = {"id": account, **({"scheduled_at": when} if when else {})}
    return {"networks": {"facebook": {"type": "status", "text": text}}, "accounts": [account_item]}


def test_identical_undated_posts_for_one_account_are_twins_naming_their_rows():
    posts = [_post("P"), _post("Q"), _post("P"), _post("P", account="other")]
    assert twins(posts, publish_now=True) == [["posts[0].accounts[0]", "posts[2].accounts[0]"]]
    assert twins(posts, state="draft") == [["posts[0].accounts[0]", "posts[2].accounts[0]"]]


def test_dated_posts_are_never_twins():
    """Two posts at one minute on one account are refused by validation (Publer's gap rule)."""
    when = "2031-01-01T09:00:00+00:00"
    assert twins([_post("P", when=when), _post("P", when=when)]) == []


def test_an_update_takes_its_one_id_from_a_mapped_tasks_output():
    from airflow_provider_publer.validation import validate_post_id

    assert validate_post_id(Lazy([["abc"]])) == "abc"
    assert validate_post_id("abc") == "abc"
    with pytest.raises(PublerValidationError, match="must be one post id"):
        validate_post_id(["a", "b"])  # two ids: refused, naming both


def test_a_mapping_given_as_ids_is_refused():
    from airflow_provider_publer.validation import validate_post_ids

    with pytest.raises(PublerValidationError, match="got dict"):
        validate_post_ids({"id": "abc"})
    assert validate_post_ids(Lazy([["a"], ["b"]])) == ["a", "b"]


@pytest.mark.parametrize(
    ("name", "mapped"),
    [
        ("PublerSchedulePostOperator", {"posts": ["a.csv", "b.csv"]}),
        ("PublerUploadMediaOperator", {"files": [["a.png"], ["b.png"]]}),
        ("PublerUpdatePostOperator", {"post_id": ["p1", "p2"]}),
        ("PublerDeletePostsOperator", {"post_ids": [["p1"], ["p2"]]}),
        ("PublerPostInsightsOperator", {"account_ids": [["a1"], ["a2"]]}),
    ],
)
def test_a_mapped_operator_keeps_airflows_defaults(name: str, mapped: dict) -> None:
    """A mapped task's defaults come from the ``__init__`` of every class up to BaseOperator's; the
    operators' shared base must not hand Airflow BaseOperator's ``inlets=None`` (the task would then
    fail to start: ``'NoneType' object is not iterable``)."""
    from datetime import datetime, timezone

    from airflow.sdk import DAG

    from airflow_provider_publer.operators import publer as operators

    operator = getattr(operators, name)
    extra = {"post": {"text": "x"}} if name == "PublerUpdatePostOperator" else {}
    with DAG(f"mapped_{name}", schedule=None, start_date=datetime(2025, 1, 1, tzinfo=timezone.utc)):
        task = operator.partial(task_id="t", **extra).expand(**mapped)
    assert task.inlets == []
    assert task.outlets == []
    assert task.executor_config == {}
