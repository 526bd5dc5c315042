"""Tests of the bulk post validation: every bad input is refused, every documented form accepted."""

from __future__ import annotations

import copy
import json
import os
import re
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pendulum
import pytest

from airflow_provider_publer import timestamps
from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.validation import (
    BULK_STATES,
    MAX_POSTS_PER_REQUEST,
    NETWORK_KEYS,
    to_publer_timestamp,
    validate_id,
    validate_posts,
    validate_workspace_id,
)
from tests.bad_inputs import (
    ACCOUNT_ID,
    BAD_INPUTS,
    DROP,
    LATER,
    MEDIA_ID,
    NOW,
    OTHER_ACCOUNT_ID,
    BadInput,
    account,
    facebook,
    valid_post,
)

REPO_ROOT = Path(__file__).resolve().parents[2]


def _one(post: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    kwargs.setdefault("now", NOW)
    (result,) = validate_posts([post], **kwargs)
    return result


def _at(value: Any, account_id: str = ACCOUNT_ID) -> dict[str, Any]:
    return valid_post(accounts=[account(id=account_id, scheduled_at=value)])


# -- the catalogue of bad inputs -------------------------------------------------------------------


def test_catalogue_has_enough_distinct_entries() -> None:
    ids = [bad.id for bad in BAD_INPUTS]
    assert len(ids) >= 34
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.id)
def test_bad_input_is_refused(bad: BadInput) -> None:
    with pytest.raises(PublerValidationError) as caught:
        validate_posts(bad.posts, now=NOW, **bad.kwargs)
    err = caught.value
    assert err.field is not None
    assert bad.field in err.field
    assert str(err).startswith(f"{err.field}: ")
    assert re.search(bad.match, str(err)), str(err)


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.id)
def test_bad_input_is_refused_with_the_real_clock(bad: BadInput) -> None:
    """The operator validates without ``now``: every entry must fail the same way."""
    with pytest.raises(PublerValidationError) as caught:
        validate_posts(bad.posts, **bad.kwargs)
    assert caught.value.field is not None
    assert bad.field in caught.value.field


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.id)
def test_bad_input_is_not_mutated(bad: BadInput) -> None:
    before = repr(bad.posts)
    with pytest.raises(PublerValidationError):
        validate_posts(bad.posts, now=NOW, **bad.kwargs)
    assert repr(bad.posts) == before


def test_post_errors_name_the_post_index() -> None:
    posts = [valid_post(), valid_post(), valid_post(networks={"facebok": facebook()})]
    with pytest.raises(PublerValidationError, match=r"^posts\[2\]\.networks\.facebok: "):
        validate_posts(posts, now=NOW)


# -- timestamps ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2030, 1, 1, 13, 0, tzinfo=timezone.utc), "2030-01-01T13:00:00+00:00"),
        (datetime(2030, 1, 1, 13, 0, 5, 999999, tzinfo=timezone.utc), "2030-01-01T13:00:05+00:00"),
        (
            datetime(2030, 1, 1, 18, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "2030-01-01T18:30:00+05:30",
        ),
        (pendulum.datetime(2030, 1, 1, 14, tz="Europe/Berlin"), "2030-01-01T14:00:00+01:00"),
        (pendulum.datetime(2030, 7, 1, 8, tz="America/New_York"), "2030-07-01T08:00:00-04:00"),
        (pendulum.datetime(2030, 1, 1, 13, tz="UTC"), "2030-01-01T13:00:00+00:00"),
        ("2030-01-01T13:00:00Z", "2030-01-01T13:00:00+00:00"),
        ("2030-01-01T13:00:00+00:00", "2030-01-01T13:00:00+00:00"),
        ("2030-01-01T15:00:00.123+02:00", "2030-01-01T15:00:00+02:00"),
        (" 2030-01-01T13:00:00-03:00 ", "2030-01-01T13:00:00-03:00"),
        (datetime(2030, 1, 1, 13, 0, tzinfo=timezone(timedelta(seconds=30))), "2030-01-01T12:59:30+00:00"),
    ],
)
def test_to_publer_timestamp_canonical_form(value: Any, expected: str) -> None:
    assert to_publer_timestamp(value, field="x") == expected


@pytest.mark.parametrize(
    ("value", "match"),
    [
        (datetime(2030, 1, 1, 13, 0), r"timezone-aware.*pendulum\.datetime.*'\+00:00' suffix"),
        ("2030-01-01T13:00:00", r"no timezone.*timezone-aware"),
        ("2030-01-01", r"no timezone"),
        ("next tuesday", r"not an ISO 8601 timestamp"),
        ("", r"not an ISO 8601 timestamp"),
        (date(2030, 1, 1), r"got date"),
        (None, r"got None"),
    ],
)
def test_to_publer_timestamp_refuses(value: Any, match: str) -> None:
    with pytest.raises(PublerValidationError, match=match) as caught:
        to_publer_timestamp(value, field="posts[0].accounts[0].scheduled_at")
    assert caught.value.field == "posts[0].accounts[0].scheduled_at"


def test_scheduled_at_aware_datetime_is_normalised() -> None:
    post = _one(_at(datetime(2030, 1, 1, 13, 0, 0, 500, tzinfo=timezone.utc)))
    assert post["accounts"][0]["scheduled_at"] == "2030-01-01T13:00:00+00:00"


def test_scheduled_at_pendulum_is_normalised() -> None:
    post = _one(_at(pendulum.datetime(2030, 1, 1, 15, 30, tz="Europe/Paris")))
    assert post["accounts"][0]["scheduled_at"] == "2030-01-01T15:30:00+01:00"


def test_scheduled_at_z_suffix_is_normalised() -> None:
    assert _one(_at("2030-01-01T13:00:00Z"))["accounts"][0]["scheduled_at"] == "2030-01-01T13:00:00+00:00"


def test_scheduled_at_exactly_one_minute_ahead_is_accepted() -> None:
    _one(_at(NOW + timedelta(minutes=1)))


def test_scheduled_at_less_than_one_minute_ahead_is_refused_showing_now() -> None:
    with pytest.raises(PublerValidationError) as caught:
        _one(_at(NOW + timedelta(seconds=59)))
    assert caught.value.field == "posts[0].accounts[0].scheduled_at"
    message = str(caught.value)
    assert "2030-01-01T12:00:59+00:00" in message
    assert "now is 2030-01-01T12:00:00+00:00" in message
    assert "at least one minute" in message


def test_min_lead_is_configurable() -> None:
    _one(_at(NOW + timedelta(seconds=10)), min_lead=timedelta(0))
    with pytest.raises(PublerValidationError, match="too soon"):
        _one(_at(NOW + timedelta(minutes=5)), min_lead=timedelta(minutes=10))


def test_naive_now_is_refused() -> None:
    with pytest.raises(PublerValidationError, match="timezone-aware"):
        validate_posts([valid_post()], now=datetime(2030, 1, 1))


def test_missing_scheduled_at_means_auto_schedule() -> None:
    post = _one(valid_post(accounts=[{"id": ACCOUNT_ID}]))
    assert post["accounts"] == [{"id": ACCOUNT_ID}]


def test_null_scheduled_at_is_dropped() -> None:
    post = _one(valid_post(accounts=[account(scheduled_at=None)]), publish_now=True)
    assert post["accounts"] == [{"id": ACCOUNT_ID}]


# -- the posts list --------------------------------------------------------------------------------


def test_json_string_posts_are_accepted() -> None:
    result = validate_posts(json.dumps([valid_post(), _at("2030-01-01T14:00:00Z")]), now=NOW)
    assert [p["accounts"][0]["scheduled_at"] for p in result] == [LATER, "2030-01-01T14:00:00+00:00"]


def test_tuples_become_lists() -> None:
    post = valid_post(accounts=(account(),))
    post["networks"]["facebook"] = {"type": "photo", "media": ({"id": MEDIA_ID},)}
    (result,) = validate_posts((post,), now=NOW)
    assert isinstance(result["accounts"], list)
    assert isinstance(result["networks"]["facebook"]["media"], list)


def test_input_is_not_mutated_and_result_is_a_deep_copy() -> None:
    when = pendulum.datetime(2030, 1, 1, 13, tz="UTC")
    posts = [valid_post(accounts=[account(scheduled_at=when, labels=("a", "b")), {"id": OTHER_ACCOUNT_ID}])]
    snapshot = copy.deepcopy(posts)
    result = validate_posts(posts, now=NOW)
    assert posts == snapshot
    assert posts[0]["accounts"][0]["scheduled_at"] is when
    result[0]["networks"]["facebook"]["text"] = "changed"
    assert posts[0]["networks"]["facebook"]["text"] == "Hello from Airflow"
    assert result[0]["accounts"][0] == {"id": ACCOUNT_ID, "scheduled_at": LATER, "labels": ["a", "b"]}


def test_result_is_json_serialisable() -> None:
    post = valid_post(
        recycling={"solo": True, "gap": 2, "gap_freq": "Week", "start_date": date(2030, 6, 1)},
        accounts=[account(scheduled_at=datetime(2030, 1, 1, 13, tzinfo=timezone.utc))],
    )
    result = validate_posts([post], now=NOW)
    assert json.loads(json.dumps(result, allow_nan=False)) == result
    assert result[0]["recycling"]["start_date"] == "2030-06-01"


def test_max_posts_per_request_is_accepted_one_more_is_not() -> None:
    assert MAX_POSTS_PER_REQUEST == 500
    posts = [valid_post(accounts=[account(scheduled_at=NOW + timedelta(minutes=2 + i))]) for i in range(500)]
    assert len(validate_posts(posts, now=NOW)) == 500
    with pytest.raises(PublerValidationError, match="at most 500"):
        validate_posts([*posts, valid_post(accounts=[{"id": ACCOUNT_ID}])], now=NOW)


def test_a_caller_that_splits_requests_may_lift_the_limit() -> None:
    posts = [valid_post(accounts=[account(scheduled_at=NOW + timedelta(minutes=2 + i))]) for i in range(501)]
    assert len(validate_posts(posts, now=NOW, max_posts=None)) == 501
    with pytest.raises(PublerValidationError, match=r"^posts: has 3 posts but Publer accepts at most 2 per"):
        validate_posts(posts[:3], now=NOW, max_posts=2)
    with pytest.raises(PublerValidationError, match="one minute gap"):  # the gap holds across batches
        validate_posts([*posts, valid_post()], now=NOW, max_posts=None)


# -- networks and content types --------------------------------------------------------------------


def test_multi_network_post_publish_now() -> None:
    """Publer's full example (§6.6): two networks, two accounts, publish now."""
    post = {
        "networks": {
            "facebook": {"type": "photo", "text": "Hello", "media": [{"id": MEDIA_ID, "type": "photo"}]},
            "linkedin": {"type": "status", "text": "Hello LinkedIn"},
        },
        "accounts": [{"id": ACCOUNT_ID}, {"id": OTHER_ACCOUNT_ID}],
    }
    assert _one(post, publish_now=True) == post


@pytest.mark.parametrize("key", ["wordpress_oauth", "wordpress_basic"])
def test_wordpress_article(key: str) -> None:
    block = {
        "type": "article",
        "title": "Release notes",
        "content": [{"id": "b1", "type": "paragraph", "data": {"text": "Hi"}}],
        "featured_media": {"path": "https://example.com/cover.png"},
    }
    assert _one(valid_post(networks={key: block}))["networks"][key] == block


@pytest.mark.parametrize(
    "block",
    [
        {"type": "status", "text": "Hi"},
        {"text": "no type given"},
        {"type": "photo", "media": [{"path": "https://example.com/a.png"}]},
        {"type": "video", "text": "", "media": [{"id": MEDIA_ID}], "details": {"type": "reel"}},
        {"type": "carousel", "text": "Set", "media": [{"id": "external-0", "path": "https://e.com/1.png"}]},
        {"type": "link", "text": "Read", "url": "https://example.com"},
        {"type": "link", "text": "Read", "link": {"url": "https://example.com"}},
        {"type": "poll", "text": "Which?", "options": ["A", "B"], "duration": 1},
        {"type": "document", "text": "PDF", "document": {"id": MEDIA_ID, "title": "Deck"}},
        {"type": "pdf", "text": "PDF", "media": [{"id": MEDIA_ID, "type": "document"}]},
        {"type": "story", "media": [{"id": MEDIA_ID}]},
        {"type": "a_type_publer_adds_later", "whatever": 1},
    ],
)
def test_documented_content_types_are_accepted(block: dict[str, Any]) -> None:
    assert _one(valid_post(networks={"facebook": block}))["networks"]["facebook"] == block


def test_every_network_key_is_accepted() -> None:
    networks = {key: {"type": "status", "text": "Hi"} for key in NETWORK_KEYS}
    assert set(_one(valid_post(networks=networks))["networks"]) == NETWORK_KEYS


def test_public_constants() -> None:
    networks = "facebook instagram twitter linkedin pinterest google youtube tiktok wordpress_oauth"
    networks += " wordpress_basic telegram mastodon threads bluesky default"
    states = "scheduled draft draft_private draft_public recurring auto recycle publish"
    assert set(networks.split()) == NETWORK_KEYS
    assert set(states.split()) == BULK_STATES


# -- states, drafts and ideas ----------------------------------------------------------------------


@pytest.mark.parametrize("state", sorted(BULK_STATES - {"recurring"}))
def test_every_state_is_accepted(state: str) -> None:
    _one(valid_post(), state=state)


@pytest.mark.parametrize("state", ["draft", "draft_private", "draft_public"])
@pytest.mark.parametrize("accounts", [DROP, []])
def test_idea_without_accounts_with_networks_default(state: str, accounts: Any) -> None:
    post = valid_post(networks={"default": {"type": "status", "text": "An idea"}}, accounts=accounts)
    result = _one(post, state=state)
    assert result["networks"] == {"default": {"type": "status", "text": "An idea"}}
    assert result.get("accounts", []) == []


def test_drafts_are_not_checked_against_the_clock_or_each_other() -> None:
    past = "2020-01-01T12:00:00+00:00"
    posts = [_at(past), _at(past)]
    assert len(validate_posts(posts, state="draft", now=NOW)) == 2


def test_accounts_still_required_for_scheduled_posts_with_default() -> None:
    with pytest.raises(PublerValidationError, match="is missing") as caught:
        _one(valid_post(networks={"default": {"type": "status", "text": "Hi"}}, accounts=DROP))
    assert caught.value.field == "posts[0].accounts"


@pytest.mark.parametrize(
    "recurring",
    [
        {"start_date": "2030-06-05T13:29+02:00", "end_date": "2030-07-21T13:29+02:00", "repeat": "weekly"},
        {"frequency": "Week", "repeat_every": 1, "weekdays": ["Monday"], "start_date": "2030-06-05"},
    ],
)
def test_recurring_v2_and_v1_forms(recurring: dict[str, Any]) -> None:
    post = valid_post(accounts=[{"id": ACCOUNT_ID}], recurring=recurring)
    assert _one(post, state="recurring")["recurring"] == recurring


def test_datetimes_in_recurring_and_range_are_converted() -> None:
    start = pendulum.datetime(2030, 6, 5, 13, 29, tz="Europe/Berlin")
    post = valid_post(
        accounts=[{"id": ACCOUNT_ID}],
        recurring={"start_date": start, "repeat": "daily", "repeat_rate": 1},
    )
    assert _one(post, state="recurring")["recurring"]["start_date"] == "2030-06-05T13:29:00+02:00"
    auto = valid_post(accounts=[{"id": ACCOUNT_ID}], auto=True, range={"start_date": start})
    assert _one(auto)["range"] == {"start_date": "2030-06-05T13:29:00+02:00"}


@pytest.mark.parametrize("state", ["scheduled", "publish"])
def test_publish_now_states(state: str) -> None:
    _one(valid_post(accounts=[{"id": ACCOUNT_ID}]), state=state, publish_now=True)


# -- the one-minute gap ----------------------------------------------------------------------------


def test_same_account_one_minute_apart_is_accepted() -> None:
    posts = [_at(LATER), _at("2030-01-01T13:01:00+00:00")]
    assert len(validate_posts(posts, now=NOW)) == 2


def test_two_accounts_at_the_same_time_are_accepted() -> None:
    posts = [_at(LATER), _at(LATER, OTHER_ACCOUNT_ID)]
    assert len(validate_posts(posts, now=NOW)) == 2


def test_two_accounts_in_one_post_at_the_same_time_are_accepted() -> None:
    post = valid_post(accounts=[account(), account(id=OTHER_ACCOUNT_ID)])
    assert len(_one(post)["accounts"]) == 2


def test_same_account_59_seconds_apart_is_refused_quoting_publer() -> None:
    posts = [_at("2030-01-01T13:00:59+00:00"), _at(LATER)]
    with pytest.raises(PublerValidationError) as caught:
        validate_posts(posts, now=NOW)
    assert caught.value.field == "posts[0].accounts[0].scheduled_at"
    assert "posts[1].accounts[0].scheduled_at" in str(caught.value)
    assert "A one minute gap is required between posts" in str(caught.value)


# -- workspace id ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [None, ""])
def test_workspace_id_absent(value: Any) -> None:
    assert validate_workspace_id(value) is None


def test_workspace_id_valid() -> None:
    assert validate_workspace_id("5f8d7a62c9e77e001f36e3a1") == "5f8d7a62c9e77e001f36e3a1"


@pytest.mark.parametrize("value", ["  ", "5f8d 7a62", "5f8d7a62\n", 123, ["5f8d7a62"]])
def test_workspace_id_invalid(value: Any) -> None:
    with pytest.raises(PublerValidationError, match=r"^workspace_id: ") as caught:
        validate_workspace_id(value)
    assert caught.value.field == "workspace_id"


# -- import cost -----------------------------------------------------------------------------------


def test_module_imports_nothing_heavy() -> None:
    """pendulum and pydantic are imported by Airflow anyway; Airflow and httpx must not be, and the
    models are built on the first validation, not when a DAG file imports the operator."""
    code = (
        "import sys, airflow_provider_publer.validation\n"
        "heavy = {'airflow', 'httpx'} & {m.split('.')[0] for m in sys.modules}\n"
        "assert not heavy, heavy\n"
        "assert 'airflow_provider_publer.models' not in sys.modules\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)


def test_to_publer_timestamp_is_still_importable_from_validation() -> None:
    assert to_publer_timestamp is timestamps.to_publer_timestamp


# -- ids -------------------------------------------------------------------------------------------

ID_FIELDS = {
    "posts[0].accounts[0].id": "GET /accounts",
    "workspace_id": "GET /workspaces",
    "job_id": "Publer returned it",
    "post_id": "GET /posts",
    "media_id": "media library",
    "some_id": "Publer lists it",
}


@pytest.mark.parametrize("field", ID_FIELDS)
def test_validate_id_returns_an_exact_id(field: str) -> None:
    assert validate_id(ACCOUNT_ID, field=field) == ACCOUNT_ID
    assert validate_id("external-0", field=field) == "external-0"


@pytest.mark.parametrize("field", ID_FIELDS)
@pytest.mark.parametrize(
    ("value", "words"),
    [
        (ACCOUNT_ID + " ", "contains whitespace"),
        (" " + ACCOUNT_ID, "contains whitespace"),
        (ACCOUNT_ID + "\n", "contains whitespace"),
        ("63c675b5 4e299e9c", "contains whitespace"),
        (ACCOUNT_ID + "\u00a0", "contains whitespace"),
        (ACCOUNT_ID + "\u200b", "contains an invisible or control character"),
        (ACCOUNT_ID + "\x00", "contains an invisible or control character"),
        ("\ufeff" + ACCOUNT_ID, "contains an invisible or control character"),
    ],
)
def test_validate_id_refuses_whitespace_and_control_characters(field: str, value: str, words: str) -> None:
    with pytest.raises(PublerValidationError) as caught:
        validate_id(value, field=field)
    assert caught.value.field == field
    assert str(caught.value) == f"{field}: {value!r} {words}; copy the id exactly as {_where(field)}"


def _where(field: str) -> str:
    return {
        "posts[0].accounts[0].id": "GET /accounts lists it",
        "workspace_id": "GET /workspaces lists it",
        "job_id": "Publer returned it",
        "post_id": "GET /posts lists it",
        "media_id": "Publer's media library lists it",
        "some_id": "Publer lists it",
    }[field]


@pytest.mark.parametrize("value", [None, "", "   ", 12345, ["abc"]])
def test_validate_id_refuses_what_is_not_an_id(value: Any) -> None:
    with pytest.raises(PublerValidationError, match=r"^job_id: must be a non-empty string \(the job_id "):
        validate_id(value, field="job_id")


def test_account_id_with_a_trailing_space_is_not_sent() -> None:
    """Publer answers such an id with "Account not found"; workspace ids were refused already."""
    with pytest.raises(PublerValidationError, match="contains whitespace; copy the id exactly") as caught:
        _one(valid_post(accounts=[account(id=ACCOUNT_ID + " ")]))
    assert caught.value.field == "posts[0].accounts[0].id"


def test_workspace_and_account_ids_are_refused_alike() -> None:
    messages = []
    for check in (
        lambda: validate_workspace_id(ACCOUNT_ID + " "),
        lambda: _one(valid_post(accounts=[account(id=ACCOUNT_ID + " ")])),
    ):
        with pytest.raises(PublerValidationError) as caught:
            check()
        messages.append(str(caught.value).split(": ", 1)[1].split(";")[0])
    assert messages == [f"{ACCOUNT_ID + ' '!r} contains whitespace"] * 2


def test_media_ids_and_shared_account_ids_are_exact_too() -> None:
    photo = {"type": "photo", "media": [{"id": MEDIA_ID + "\t"}]}
    with pytest.raises(PublerValidationError, match=r"^posts\[0\]\.networks\.facebook\.media\[0\]\.id: "):
        _one(valid_post(networks={"facebook": photo}))
    share = {"account_ids": [OTHER_ACCOUNT_ID, OTHER_ACCOUNT_ID + " "]}
    with pytest.raises(PublerValidationError, match=r"^posts\[0\]\.accounts\[0\]\.share\.account_ids\[1\]: "):
        _one(valid_post(accounts=[account(share=share)]))


def test_a_media_item_with_a_path_may_have_an_empty_id() -> None:
    block = {"type": "photo", "media": [{"id": "", "path": "https://example.com/a.png"}]}
    assert _one(valid_post(networks={"facebook": block}))["networks"]["facebook"] == block


# -- text limits -----------------------------------------------------------------------------------


def _text(key: str, text: str, **block: Any) -> dict[str, Any]:
    return valid_post(networks={key: {"type": "status", "text": text, **block}})


@pytest.mark.parametrize(
    ("key", "limit", "name"),
    [
        ("twitter", 280, "X"),
        ("telegram", 4096, "Telegram"),
        ("threads", 500, "Threads"),
        ("bluesky", 300, "Bluesky"),
        ("google", 1500, "Google Business Profile"),
    ],
)
def test_text_limit_of_each_network(key: str, limit: int, name: str) -> None:
    _one(_text(key, "a" * limit))
    with pytest.raises(PublerValidationError) as caught:
        _one(_text(key, "a" * (limit + 1)))
    assert caught.value.field == f"posts[0].networks.{key}.text"
    assert f"is {limit + 1:,} characters long but {name} allows at most {limit:,}" in str(caught.value)
    assert f"Counted as {name} counts: " in str(caught.value)
    if key not in ("twitter", "bluesky"):  # X and Bluesky publish their rule; the others a lower bound
        assert "lower bound" in str(caught.value)


def test_400_emoji_are_too_many_for_x() -> None:
    with pytest.raises(PublerValidationError) as caught:
        _one(_text("twitter", "\U0001f600" * 400))
    assert "is 800 characters long but X allows at most 280" in str(caught.value)  # each emoji weighs 2
    assert "X counts emoji and CJK characters double" in str(caught.value)
    assert '"details": {"type": "long_post"}' in str(caught.value)


def test_x_long_posts_have_25000_characters() -> None:
    _one(_text("twitter", "a" * 25_000, details={"type": "long_post"}))
    with pytest.raises(PublerValidationError, match="at most 25,000;"):
        _one(_text("twitter", "a" * 25_001, details={"type": "long_post"}))


@pytest.mark.parametrize("key", ["mastodon", "facebook", "linkedin", "instagram", "default"])
def test_no_limit_is_invented_where_publer_gives_none(key: str) -> None:
    """Mastodon's "500+" is the smallest instance limit, not Publer's; the others are unknown."""
    _one(_text(key, "a" * 5000))


def test_telegram_markup_does_not_count() -> None:
    _one(_text("telegram", "<b>" + "a" * 4090 + "</b>", parseMode="HTML"))


def test_links_count_as_at_most_23_characters() -> None:
    """X counts every link as 23 (t.co): a tweet with a long link must not be refused."""
    link = "https://example.com/" + "x" * 200
    _one(_text("twitter", "a" * 250 + " " + link))
    _one(_text("twitter", "a" * 250 + " example.com/" + "x" * 200))
    with pytest.raises(PublerValidationError, match="is 281 characters long"):
        _one(_text("twitter", "a" * 257 + " " + link))


def test_joined_emoji_and_flags_count_once() -> None:
    """A family emoji or a flag is one character to a reader; counting code points would refuse too much."""
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    flag = "\U0001f1fa\U0001f1f8"
    thumbs = "\U0001f44d\U0001f3fd"
    accented = "e\u0301"
    _one(_text("bluesky", (family + flag + thumbs + accented) * 75))
    with pytest.raises(PublerValidationError, match="is 304 characters long"):
        _one(_text("bluesky", (family + flag + thumbs + accented) * 76))


# -- how far ahead ---------------------------------------------------------------------------------


def test_year_9999_is_refused_naming_the_limit() -> None:
    with pytest.raises(PublerValidationError) as caught:
        _one(_at("9999-12-31T23:59:59+00:00"))
    assert caught.value.field == "posts[0].accounts[0].scheduled_at"
    assert str(caught.value).endswith(
        "9999-12-31T23:59:59+00:00 is too far ahead: Publer schedules at most 5 years ahead (Business "
        "plan; Free 7 days, Professional 1 year), so the latest accepted time is "
        "2035-01-01T12:00:00+00:00. Pick an earlier time"
    )


def test_five_years_ahead_is_accepted_one_second_more_is_not() -> None:
    _one(_at("2035-01-01T12:00:00+00:00"))
    _one(_at("2035-01-01T13:00:00+01:00"))
    with pytest.raises(PublerValidationError, match="too far ahead"):
        _one(_at("2035-01-01T12:00:01+00:00"))


def test_the_limit_counts_from_the_clock_when_now_is_in_the_past() -> None:
    """The operator passes a past ``now`` on retries to skip the lead check; the limit must not shrink."""
    past = datetime(1970, 1, 1, tzinfo=timezone.utc)
    _one(_at(LATER), now=past)
    with pytest.raises(PublerValidationError, match="too far ahead"):
        _one(_at("9999-12-31T23:59:59-01:00"), now=past)


def test_drafts_are_not_held_to_the_limit() -> None:
    _one(_at("9999-12-31T23:59:59+00:00"), state="draft")
