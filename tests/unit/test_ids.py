"""One id check for every id the provider sends, and id lists as XCom gives them (mapped tasks)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, overload

import pytest

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.ids import (
    id_list,
    validate_account_ids,
    validate_id,
    validate_post_id,
    validate_post_ids,
    validate_workspace_id,
)
from airflow_provider_publer.models import AccountSchedule, MediaItem

POST_ID = "66db83154e299efa19a2d8eb"


class LazySequence(Sequence[Any]):
    """Like Airflow's ``LazyXComSequence``: a ``Sequence`` that is not a list."""

    def __init__(self, items: list[Any]) -> None:
        self._items = items

    @overload
    def __getitem__(self, index: int) -> Any: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Any]: ...
    def __getitem__(self, index: int | slice) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._items)

    def __repr__(self) -> str:
        return "LazyXComSequence(<unevaluated length>)"


@pytest.mark.parametrize(
    "value",
    [
        POST_ID,  # a Mongo ObjectId, as Publer's ids are
        "12345",  # a numeric (PostgreSQL) id
        "external-0",  # the media ids of Publer's docs next to a path
        "job_1",
    ],
)
def test_the_ids_publer_uses_pass(value: str) -> None:
    assert validate_id(value, field="post_id") == value


@pytest.mark.parametrize(
    ("value", "char", "effect"),
    [
        (f"{POST_ID}?x=1", "'?'", "start a query string"),
        ("abc#frag", "'#'", "start a fragment"),
        (f"{POST_ID}/comments", "'/'", "add a path segment"),
        ("abc%2F", "'%'", "start an escape"),
        ("a&b", "'&'", "another query parameter"),
        ("..", "'.'", ""),
        ("abc\u00e9", "'é'", ""),
    ],
)
def test_characters_publer_ids_never_hold_are_refused(value: str, char: str, effect: str) -> None:
    with pytest.raises(PublerValidationError) as caught:
        validate_id(value, field="post_id")
    message = str(caught.value)
    assert caught.value.field == "post_id"
    assert f"contains {char}, which Publer's ids never hold" in message
    assert effect in message
    assert message.endswith("Copy the id exactly as GET /posts lists it")


@pytest.mark.parametrize("field", ["account_id", "workspace_id", "post_id", "job_id", "ids[0] (media_id)"])
def test_every_kind_of_id_gets_the_same_check(field: str) -> None:
    for bad in ("abc#frag", "abc?x=1", "abc ", "abc\u200b", "", None, "None", "x" * 129):
        with pytest.raises(PublerValidationError) as caught:
            validate_id(bad, field=field)
        assert caught.value.field == field


def test_the_models_use_the_same_check() -> None:
    with pytest.raises(ValueError, match="contains '#'"):
        AccountSchedule(id="abc#frag")
    with pytest.raises(ValueError, match="contains '\\?'"):
        MediaItem(id=f"{POST_ID}?x=1")
    assert MediaItem(id="external-0", path="https://example.com/a.png").id == "external-0"
    with pytest.raises(PublerValidationError, match="contains '#'"):
        validate_workspace_id("ws#1")


def test_none_from_xcom_names_the_fix() -> None:
    with pytest.raises(PublerValidationError, match="got 'None'; if it comes from XCom"):
        validate_id("None", field="job_id")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (POST_ID, [POST_ID]),
        ([POST_ID, "p2"], [POST_ID, "p2"]),
        (LazySequence([POST_ID, "p2"]), [POST_ID, "p2"]),  # a mapped task's output
        (LazySequence([[POST_ID, "p2"], ["p3"]]), [POST_ID, "p2", "p3"]),  # a list per map index
        ([[POST_ID], (["p2"],)], [POST_ID, "p2"]),
        ([{"id": POST_ID}, {"id": "p2", "name": "x"}], [POST_ID, "p2"]),  # the objects themselves
    ],
)
def test_id_lists_are_flattened(value: Any, expected: list[str]) -> None:
    assert validate_post_ids(value) == expected
    assert validate_account_ids(value) == expected


def test_any_iterable_of_ids_works() -> None:
    assert validate_post_ids(iter([POST_ID])) == [POST_ID]
    assert validate_account_ids(iter([[POST_ID]])) == [POST_ID]


def test_id_list_keeps_strings_whole_and_nones_for_the_check() -> None:
    assert id_list("abc") == ["abc"]
    assert id_list([None, ["a"]]) == [None, "a"]
    with pytest.raises(PublerValidationError) as caught:
        validate_post_ids(LazySequence([["p1"], [None]]))
    assert caught.value.field == "post_ids[1]"


def test_a_lazy_sequence_is_not_read_as_one_id() -> None:
    """Before: ``job_id: 'LazyXComSequence(<unevaluated length>)' contains whitespace``."""
    with pytest.raises(PublerValidationError) as caught:
        validate_post_ids(LazySequence([f"{POST_ID}?x=1"]))
    assert caught.value.field == "post_ids[0]"
    assert "LazyXComSequence" not in str(caught.value)


def test_one_post_id_from_a_sequence_of_one() -> None:
    assert validate_post_id(LazySequence([[POST_ID]])) == POST_ID
    with pytest.raises(PublerValidationError, match="must be one post id"):
        validate_post_id(LazySequence([POST_ID, "p2"]))
    with pytest.raises(PublerValidationError, match="contains '#'"):
        validate_post_id("abc#frag")


@pytest.mark.parametrize("value", [None, [], LazySequence([]), "None", 5, {"id": "p1"}])
def test_no_ids_is_refused(value: Any) -> None:
    with pytest.raises(PublerValidationError, match="non-empty list of post ids") as caught:
        validate_post_ids(value)
    assert caught.value.field == "post_ids"
