"""Tests of the typed post models: what they send, what they accept, the published schema and example."""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pendulum
import pytest
from pydantic import ValidationError

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.models import (
    AccountSchedule,
    Comment,
    Delay,
    DeleteCallback,
    Details,
    Document,
    LinkPreview,
    MediaItem,
    NetworkContent,
    Post,
    Range,
    Recurring,
    Recycling,
    ShareCallback,
    count_characters,
    main,
    post_json_schema,
    post_json_schema_text,
)
from airflow_provider_publer.validation import validate_posts
from tests.bad_inputs import ACCOUNT_ID, LATER, MEDIA_ID, NOW, OTHER_ACCOUNT_ID, valid_post

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA_FILE = REPO_ROOT / "docs" / "post-schema.json"
SNIPPET = REPO_ROOT / "docs" / "snippets" / "models_example.py"
MODELS_DOC = REPO_ROOT / "docs" / "models.md"


def _full_post() -> Post:
    return Post(
        networks={
            "facebook": NetworkContent(
                type="photo",
                text="Hello",
                media=[MediaItem(id=MEDIA_ID, type="photo", alt_text="A cat")],
                first_comment=None,
            ),
            "instagram": NetworkContent(
                type="video",
                media=[MediaItem(path="https://example.com/v.mp4", thumbnail="https://example.com/t.png")],
                details=Details(type="reel"),
                first_comment="First!",
            ),
            "linkedin": NetworkContent(
                type="document", text="Deck", document=Document(id=MEDIA_ID, title="Q3")
            ),
            "twitter": NetworkContent(type="link", text="Read", link=LinkPreview(url="https://example.com")),
        },
        accounts=[
            AccountSchedule(
                id=ACCOUNT_ID,
                scheduled_at=pendulum.datetime(2030, 1, 1, 14, tz="Europe/Berlin"),
                labels=["launch"],
                share=ShareCallback(account_ids=[OTHER_ACCOUNT_ID], after=Delay(duration=1, unit="Hour")),
                comments=[Comment(text="More soon", delay=Delay(duration=5, unit="Minute"))],
                delete=DeleteCallback(hide=True, delay=Delay(duration=7, unit="Day")),
            ),
        ],
        recycling=Recycling(solo=True, gap=2, gap_freq="Week", start_date="2030-06-01"),
        labels=["campaign"],
    )


def test_to_publer_writes_publers_json() -> None:
    body = _full_post().to_publer()
    assert body["accounts"] == [
        {
            "id": ACCOUNT_ID,
            "scheduled_at": "2030-01-01T14:00:00+01:00",
            "labels": ["launch"],
            "share": {"account_ids": [OTHER_ACCOUNT_ID], "after": {"duration": 1, "unit": "Hour"}},
            "comments": [{"text": "More soon", "delay": {"duration": 5, "unit": "Minute"}}],
            "delete": {"hide": True, "delay": {"duration": 7, "unit": "Day"}},
        }
    ]
    assert body["networks"]["facebook"] == {
        "type": "photo",
        "text": "Hello",
        "media": [{"id": MEDIA_ID, "type": "photo", "alt_text": "A cat"}],
    }
    assert body["networks"]["instagram"]["firstComment"] == "First!"  # Publer's own name
    assert "first_comment" not in json.dumps(body)
    assert body["recycling"] == {"solo": True, "gap": 2, "gap_freq": "Week", "start_date": "2030-06-01"}
    assert json.loads(json.dumps(body)) == body


def test_a_model_goes_through_validation_as_its_json() -> None:
    post = _full_post()
    assert validate_posts([post], now=NOW) == [post.to_publer()]


def test_models_and_dicts_can_be_mixed() -> None:
    as_model = Post(
        networks={"facebook": NetworkContent(type="status", text="Hello from Airflow")},
        accounts=[AccountSchedule(id=ACCOUNT_ID, scheduled_at=LATER)],
    )
    as_dict = valid_post(accounts=[{"id": OTHER_ACCOUNT_ID, "scheduled_at": LATER}])
    nested = valid_post(
        networks={"facebook": NetworkContent(type="status", text="Hi")},
        accounts=[AccountSchedule(id=ACCOUNT_ID, scheduled_at=datetime(2030, 1, 1, 14, tzinfo=timezone.utc))],
    )
    result = validate_posts([as_model, as_dict, nested], now=NOW)
    assert result[0] == valid_post()
    assert result[1] == as_dict
    assert result[2] == valid_post(
        networks={"facebook": {"type": "status", "text": "Hi"}},
        accounts=[{"id": ACCOUNT_ID, "scheduled_at": "2030-01-01T14:00:00+00:00"}],
    )


def test_request_rules_apply_to_models_too() -> None:
    """The one-minute gap is a rule of the request, not of a post: it holds across models and dicts."""
    first = Post(
        networks={"facebook": NetworkContent(type="status", text="One")},
        accounts=[AccountSchedule(id=ACCOUNT_ID, scheduled_at=LATER)],
    )
    with pytest.raises(
        PublerValidationError, match=r"^posts\[1\]\.accounts\[0\]\.scheduled_at: .*one minute gap"
    ):
        validate_posts([first, valid_post(accounts=[{"id": ACCOUNT_ID, "scheduled_at": LATER}])], now=NOW)


def test_a_single_model_is_not_a_list() -> None:
    with pytest.raises(PublerValidationError, match=r"^posts: is a single post .* wrap it"):
        validate_posts(Post.model_validate(valid_post()), now=NOW)


def test_unknown_fields_are_kept_everywhere() -> None:
    data = valid_post(
        networks={
            "facebook": {"type": "status", "text": "Hi", "new_option": {"a": 1}, "details": {"x": True}}
        },
        accounts=[{"id": ACCOUNT_ID, "scheduled_at": LATER, "future_flag": True}],
        brand_new_setting=[1, 2],
    )
    post = Post.model_validate(data)
    assert post.networks["facebook"].model_extra == {"new_option": {"a": 1}}
    assert post.to_publer() == data
    assert validate_posts([data], now=NOW) == [data]


def test_scheduled_at_is_an_aware_pendulum_instant() -> None:
    account = AccountSchedule(id=ACCOUNT_ID, scheduled_at="2030-01-01T13:00:00.5Z")
    assert isinstance(account.scheduled_at, pendulum.DateTime)
    assert account.scheduled_at == datetime(2030, 1, 1, 13, 0, 0, 500000, tzinfo=timezone.utc)
    assert account.to_publer() == {"id": ACCOUNT_ID, "scheduled_at": "2030-01-01T13:00:00+00:00"}


def test_dates_of_scheduling_options_are_kept_as_publer_writes_them() -> None:
    recurring = Recurring(start_date="2030-06-05T13:29+02:00", repeat="weekly", days_of_week=[0, 3])
    assert recurring.to_publer()["start_date"] == "2030-06-05T13:29+02:00"
    window = Range(start_date=pendulum.datetime(2030, 6, 5, 13, 29, tz="Europe/Berlin"))
    assert window.to_publer() == {"start_date": "2030-06-05T13:29:00+02:00"}


@pytest.mark.parametrize(
    ("build", "words"),
    [
        (lambda: NetworkContent(type="status"), 'a "status" post needs non-empty text'),
        (lambda: NetworkContent(type="photo", text="Hi"), 'a "photo" post needs a non-empty media list'),
        (lambda: MediaItem(type="photo"), 'needs "id" .* or "path"'),
        (lambda: AccountSchedule(id=ACCOUNT_ID + " "), "contains whitespace; copy the id exactly"),
        (lambda: AccountSchedule(id=ACCOUNT_ID, scheduled_at=datetime(2030, 1, 1)), "has no timezone"),
        (lambda: Post(networks={"x": NetworkContent(text="Hi")}), 'use "twitter" for X'),
        (lambda: Post(networks={"twitter": NetworkContent(text="a" * 281)}), "X allows at most 280"),
        (lambda: Post(networks={"facebook": NetworkContent(text="Hi")}, auto=True), '"range"'),
    ],
)
def test_models_refuse_what_publer_would_refuse(build: Any, words: str) -> None:
    with pytest.raises(ValidationError, match=words):
        build()


def test_none_means_not_given() -> None:
    block = NetworkContent(type="status", text="Hi", url=None, details=None)
    assert block.to_publer() == {"type": "status", "text": "Hi"}


def test_publers_full_example_reads_and_writes_unchanged() -> None:
    """Publer's publish-now example with two networks (Create Posts page)."""
    example = {
        "networks": {
            "facebook": {"type": "photo", "text": "Hello", "media": [{"id": MEDIA_ID, "type": "photo"}]},
            "linkedin": {"type": "status", "text": "Hello LinkedIn"},
        },
        "accounts": [{"id": ACCOUNT_ID}, {"id": OTHER_ACCOUNT_ID}],
    }
    assert Post.model_validate(example).to_publer() == example


@pytest.mark.parametrize(
    ("text", "count"),
    [
        ("hello", 5),
        ("\U0001f600" * 3, 3),
        ("\u65e5\u672c\u8a9e", 3),  # CJK: X counts these double, this count is a lower bound
        ("e\u0301", 1),  # e and a combining accent: one character after NFC
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467", 1),  # a family joined by zero-width joiners
        ("\U0001f44d\U0001f3fd", 1),  # a thumb with a skin tone
        ("\u2764\ufe0f", 1),  # a heart with its emoji variation selector
        ("\U0001f1fa\U0001f1f8\U0001f1eb\U0001f1f7", 2),  # two flags
        ("see https://example.com/" + "x" * 100, 4 + 23),
        ("a.b", 3),
    ],
)
def test_count_characters(text: str, count: int) -> None:
    assert count_characters(text) == count


# -- the published schema and example --------------------------------------------------------------


def test_schema_file_is_up_to_date() -> None:
    """Regenerate with: python -m airflow_provider_publer.models docs/post-schema.json"""
    assert SCHEMA_FILE.read_text(encoding="utf-8") == post_json_schema_text()


def test_schema_describes_the_body_publer_receives() -> None:
    schema = post_json_schema()
    assert schema["required"] == ["networks"]
    assert schema["additionalProperties"] is True
    account = schema["$defs"]["AccountSchedule"]
    assert account["required"] == ["id"]
    assert account["properties"]["scheduled_at"]["format"] == "date-time"
    assert "firstComment" in schema["$defs"]["NetworkContent"]["properties"]
    assert '"null"' not in json.dumps(schema)  # optional fields are omitted, never sent as null


def test_the_module_writes_the_schema(tmp_path: Path) -> None:
    target = tmp_path / "schema.json"
    main([str(target)])
    assert target.read_text(encoding="utf-8") == post_json_schema_text()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    run = subprocess.run(
        [sys.executable, "-m", "airflow_provider_publer.models"], env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout == post_json_schema_text()


def test_the_documented_example_runs_and_its_posts_validate() -> None:
    example = runpy.run_path(str(SNIPPET))
    dag = example["dag"]
    assert sorted(dag.task_ids) == ["schedule_digest", "schedule_spring_release", "weekly_digest"]
    assert validate_posts(example["posts"], now=NOW) == example["posts"]
    assert (
        validate_posts([example["spring_release"], example["behind_the_scenes"]], now=NOW) == example["posts"]
    )
    digest = example["weekly_digest"].function(data_interval_end=pendulum.datetime(2030, 1, 7, tz="UTC"))
    assert validate_posts(digest, now=NOW)[0]["accounts"][0]["scheduled_at"] == "2030-01-08T08:00:00+00:00"


def test_the_docs_include_the_example_and_the_schema() -> None:
    doc = MODELS_DOC.read_text(encoding="utf-8")
    assert '```python\n--8<-- "docs/snippets/models_example.py"\n```' in doc
    assert '```json\n--8<-- "docs/post-schema.json"\n```' in doc
