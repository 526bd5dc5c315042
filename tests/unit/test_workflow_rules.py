"""Pure rules of the media, update, delete, post-state and insights workflow: what validation refuses
before anything is sent, how each documented form of Publer's answers is read, and how the post
sensor judges where posts stand. No HTTP, no Airflow task."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest
from airflow.sdk import ObjectStoragePath

from airflow_provider_publer.compat import AirflowException, AirflowFailException, AirflowSensorTimeout
from airflow_provider_publer.exceptions import PublerAPIError, PublerValidationError
from airflow_provider_publer.job_outcomes import (
    judge_posts,
    judge_posts_event,
    post_outcome,
    posts_failure_message,
)
from airflow_provider_publer.responses import (
    PublerJobResult,
    media_item,
    media_job_errors,
    media_job_media,
    metric_value,
    parse_deleted_ids,
    parse_media,
    parse_post_detail,
    post_base_state,
    post_error,
)
from airflow_provider_publer.validation import (
    interval_days,
    validate_account_ids,
    validate_date_range,
    validate_media_file,
    validate_media_urls,
    validate_post_ids,
    validate_post_update,
    validate_target_state,
)

# -- media files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.jpg", "photo"),
        ("a.JPEG", "photo"),
        ("a.png", "photo"),
        ("a.gif", "gif"),
        ("a.MOV", "video"),
        ("a.pptx", "document"),
    ],
)
def test_every_listed_format_is_taken_with_its_kind(tmp_path, name, kind):
    path = tmp_path / name
    path.write_bytes(b"data")
    checked = validate_media_file(path)
    assert (checked.name, checked.size, checked.kind) == (name, 4, kind)
    assert checked.read() == b"data"


def test_an_object_storage_path_is_read_through_its_filesystem(tmp_path):
    (tmp_path / "launch.png").write_bytes(b"png")
    checked = validate_media_file(ObjectStoragePath(f"file://{tmp_path}/launch.png"))
    assert isinstance(checked.source, ObjectStoragePath)
    assert (checked.name, checked.size, checked.read(), checked.content_type) == (
        "launch.png",
        3,
        b"png",
        "image/png",
    )
    with pytest.raises(PublerValidationError, match="does not exist"):
        validate_media_file(ObjectStoragePath(f"file://{tmp_path}/missing.png"))


def test_the_name_given_decides_the_format(tmp_path):
    path = tmp_path / "download"
    path.write_bytes(b"x")
    assert validate_media_file(path, name="poster.png").kind == "photo"
    with pytest.raises(PublerValidationError, match=r"files\[3\]: .*'\.webp', a format Publer does not take"):
        validate_media_file(path, name="poster.webp", field="files[3]")


def test_the_size_limit_is_publers_200_mb(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(b"x" * 11)
    assert validate_media_file(path, max_bytes=11).size == 11
    with pytest.raises(PublerValidationError, match=r"over Publer's .* limit for direct uploads .*urls="):
        validate_media_file(path, max_bytes=10)


def test_urls_are_http_and_each_gets_a_name():
    assert validate_media_urls("https://example.com/x/") == [{"url": "https://example.com/x/", "name": "x"}]
    assert validate_media_urls(["http://example.com"]) == [{"url": "http://example.com", "name": "media"}]
    with pytest.raises(PublerValidationError, match=r"urls\[1\]: must be an http\(s\) URL.*files="):
        validate_media_urls(["https://example.com/a.png", "file:///tmp/a.png"])
    with pytest.raises(PublerValidationError, match=r"urls\[0\]: .*got str 'https://exa mple.com/a.png'"):
        validate_media_urls(["https://exa mple.com/a.png"])


# -- updates, ids, dates, states ----------------------------------------------------------------


def test_an_update_is_copied_to_json_with_its_wrapper_removed():
    when = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
    body = {
        "post": {"text": "Hi", "media": [{"id": "m1"}], "link": {"url": "https://x.com"}, "labels": ["a"]}
    }
    assert validate_post_update(body) == body["post"]
    with pytest.raises(PublerValidationError, match=r"post\.excerpt: is a set"):
        validate_post_update({"excerpt": {when}})


@pytest.mark.parametrize(
    ("value", "expected"),
    [("p1", ["p1"]), (["p1", "p2", "p1"], ["p1", "p2"]), (("p1",), ["p1"])],
)
def test_post_ids_one_or_many_without_duplicates(value, expected):
    assert validate_post_ids(value) == expected


@pytest.mark.parametrize(
    ("value", "field", "match"),
    [
        (None, "post_ids", "non-empty list of post ids"),
        ([], "post_ids", "non-empty list"),
        (["p1", ""], "post_ids[1]", "non-empty string"),
        (["p1", None], "post_ids[1]", "got None"),
        ({"id": "p1"}, "post_ids", "got dict"),
    ],
)
def test_bad_post_ids_name_the_index(value, field, match):
    with pytest.raises(PublerValidationError, match=match) as info:
        validate_post_ids(value)
    assert info.value.field == field


def test_account_ids_take_ids_or_the_accounts_themselves():
    accounts = [{"id": "a1", "name": "Page"}, {"id": "a2"}]
    assert validate_account_ids(accounts) == ["a1", "a2"]
    assert validate_account_ids("a1") == ["a1"]
    with pytest.raises(PublerValidationError, match=r"account_ids\[0\]"):
        validate_account_ids([" a1"])


def test_date_ranges():
    assert validate_date_range("2030-01-01", "2030-01-01") == ("2030-01-01", "2030-01-01")
    assert validate_date_range(date(2030, 1, 1), "2030-01-02T23:59:00+05:00") == ("2030-01-01", "2030-01-02")
    with pytest.raises(PublerValidationError, match=r"from_: 2030-01-03 is after to=2030-01-02; swap them"):
        validate_date_range("2030-01-03", "2030-01-02")
    with pytest.raises(PublerValidationError, match=r"to: '2030-13-01' is not a date"):
        validate_date_range("2030-01-01", "2030-13-01")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2030-01-07T00:00:00+00:00", "2030-01-14T00:00:00+00:00", ("2030-01-07", "2030-01-13")),
        ("2030-01-07T00:00:00+00:00", "2030-01-07T00:00:00+00:00", ("2030-01-07", "2030-01-07")),
        ("2030-01-07T06:00:00+00:00", "2030-01-08T06:00:00+00:00", ("2030-01-07", "2030-01-08")),
    ],
    ids=["weekly", "zero-length", "not-at-midnight"],
)
def test_a_data_interval_becomes_the_days_it_covers(start, end, expected):
    assert interval_days(start, end) == expected


def test_target_states():
    assert validate_target_state("published") == "published"
    with pytest.raises(PublerValidationError, match='did you mean "published"'):
        validate_target_state("publish")


# -- Publer's answers ---------------------------------------------------------------------------

UPLOADED = {
    "id": "m1",
    "path": "https://cdn/x.png",
    "thumbnail": "https://cdn/t.png",
    "type": "photo",
    "width": 3,
}


@pytest.mark.parametrize(
    ("payload", "ids"),
    [
        ([UPLOADED, {"id": "m2"}], ["m1", "m2"]),
        (UPLOADED, ["m1"]),
        ({"media": [UPLOADED]}, ["m1"]),
        ([], []),
        (None, []),
    ],
    ids=["list", "single-object", "under-media", "empty-list", "none"],
)
def test_a_media_jobs_payload_in_every_form(payload, ids):
    result = PublerJobResult(job_id="j", status="complete", payload=payload)
    assert [m["id"] for m in media_job_media(result)] == ids


def test_a_failed_media_jobs_reasons():
    result = PublerJobResult(job_id="j", status="failed", payload={"errors": ["Could not download media"]})
    assert media_job_errors(result) == ["Could not download media"]


def test_an_upload_answer_without_id_is_an_error():
    with pytest.raises(PublerAPIError, match="holds no media id"):
        parse_media({"success": True, "data": {}})
    with pytest.raises(PublerAPIError, match="unexpected answer to a post update"):
        parse_post_detail(["x"])


def test_media_items_for_a_post():
    assert media_item(UPLOADED) == {
        "id": "m1",
        "path": "https://cdn/x.png",
        "thumbnail": "https://cdn/t.png",
        "type": "photo",
    }
    listed = {
        "id": "m1",
        "type": "photo",
        "caption": None,
        "thumbnails": [{"id": "m1", "small": "s", "real": "r"}],
    }
    assert media_item(listed) == {"id": "m1", "type": "photo", "thumbnail": "r"}


@pytest.mark.parametrize(
    ("metric", "value"),
    [
        ({"name": "Reach", "value": 10, "tooltip": "t"}, 10),
        ({"name": "Rate", "value": 2.5}, 2.5),
        ({"name": "Reach"}, None),
        (7, 7),
        ("1,200", 1200),
        ("4.5%", 4.5),
        ("n/a", None),
        (None, None),
        (True, None),
    ],
)
def test_metric_values(metric, value):
    assert metric_value(metric) == value


def test_deleted_ids_in_every_form():
    assert parse_deleted_ids({"deleted_ids": ["a", "b"]}) == ["a", "b"]
    assert parse_deleted_ids({"success": True, "data": {"deleted_ids": ["a"]}}) == ["a"]
    assert parse_deleted_ids(None) == []


def test_post_states_and_reasons():
    assert post_base_state({"state": "published_posted"}) == "published"
    assert post_base_state({}) == ""
    assert post_error({"state": "failed", "error": "Token expired"}) == "Token expired"
    assert post_error({"errors": ["a", "b"]}) == "a; b"
    assert post_error({"state": "failed"}) is None


# -- judging posts ------------------------------------------------------------------------------

LISTED = {
    "p1": {
        "id": "p1",
        "state": "published",
        "post_link": "https://fb.com/1",
        "account_id": "a",
        "network": "facebook",
    },
    "p2": {"id": "p2", "state": "failed", "error": "Token expired", "account_id": "b", "network": "linkedin"},
    "p3": {"id": "p3", "state": "scheduled"},
}


def test_judge_posts_sorts_done_failed_and_pending():
    progress = judge_posts(["p1", "p2", "p3", "p4"], LISTED, "published")
    assert [p["id"] for p in progress.done] == ["p1"]
    assert [p["id"] for p in progress.failed] == ["p2"]
    assert progress.pending == ["p3", "p4"]
    assert not progress.finished
    message = posts_failure_message(progress)
    assert "post p2 (account b, linkedin, scheduled_at ?): Token expired" in message
    assert "2 other post(s) were not published yet" in message


def test_a_failed_post_without_reason_says_so():
    progress = judge_posts(["p"], {"p": {"id": "p", "state": "failed"}}, "published")
    assert "Publer gave no reason" in posts_failure_message(progress)
    assert post_outcome(progress.failed[0])["error"] is None


def test_awaiting_failed_makes_failed_posts_done():
    progress = judge_posts(["p2"], LISTED, "failed")
    assert progress.finished
    assert progress.outcomes() == [
        {
            "id": "p2",
            "account_id": "b",
            "network": "linkedin",
            "state": "failed",
            "post_link": None,
            "scheduled_at": None,
            "type": None,
            "text": None,
            "error": "Token expired",
        }
    ]


def test_only_an_explicit_success_event_succeeds():
    assert judge_posts_event({"status": "success", "posts": [{"id": "p1"}]}) == [{"id": "p1"}]
    with pytest.raises(AirflowFailException, match="Token expired"):
        judge_posts_event({"status": "failed", "message": "post p2: Token expired"})
    with pytest.raises(AirflowSensorTimeout):
        judge_posts_event({"status": "timeout", "message": "late"})
    with pytest.raises(AirflowFailException, match="HTTP 401"):
        judge_posts_event({"status": "error", "message": "HTTP 401"})
    for event in (None, {"status": "success"}, {"status": "odd"}):
        with pytest.raises(AirflowException):
            judge_posts_event(event)
