"""The matching rules that keep a re-submission from posting twice (pure, no I/O)."""

from __future__ import annotations

from datetime import datetime, timezone

from airflow_provider_publer.reconcile import intended_posts, match

SINCE = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
A, B = "63c675b54e299e9cf2b667ea", "63c675d74e299e9cf2b667eb"


def post(text, *accounts):
    return {
        "networks": {"facebook": {"type": "status", "text": text}},
        "accounts": [dict(a) for a in accounts],
    }


def existing(post_id, account, text, scheduled_at):
    return {
        "id": post_id,
        "account_id": account,
        "text": text,
        "scheduled_at": scheduled_at,
        "state": "scheduled",
    }


def test_scheduled_post_matches_same_account_same_minute_same_text():
    posts = [post("Hi", {"id": A, "scheduled_at": "2030-01-01T14:00:00+02:00"})]
    found = match(
        posts, intended_posts(posts), [existing("p1", A, "Hi", "2030-01-01T12:00:00.000+00:00")], since=SINCE
    )
    assert found.complete
    assert found.found_post_ids == ["p1"]
    assert found.remaining_posts == []


def test_other_text_or_time_or_account_does_not_match():
    posts = [post("Hi", {"id": A, "scheduled_at": "2030-01-01T12:00:00+00:00"})]
    others = [
        existing("p1", A, "Other text", "2030-01-01T12:00:00+00:00"),
        existing("p2", A, "Hi", "2030-01-01T12:05:00+00:00"),
        existing("p3", B, "Hi", "2030-01-01T12:00:00+00:00"),
    ]
    found = match(posts, intended_posts(posts), others, since=SINCE)
    assert not found.complete
    assert found.remaining_posts == posts


def test_partially_found_post_keeps_only_missing_accounts():
    posts = [
        post(
            "Hi",
            {"id": A, "scheduled_at": "2030-01-01T12:00:00Z"},
            {"id": B, "scheduled_at": "2030-01-01T12:00:00Z"},
        )
    ]
    found = match(
        posts, intended_posts(posts), [existing("p1", A, "Hi", "2030-01-01T12:00:00Z")], since=SINCE
    )
    assert [a["id"] for a in found.remaining_posts[0]["accounts"]] == [B]
    assert posts[0]["accounts"][1]["id"] == B  # input untouched
    assert len(posts[0]["accounts"]) == 2


def test_publish_now_matches_by_text_since_the_run_started():
    posts = [post("Live!", {"id": A})]
    old = existing("old", A, "Live!", "2029-12-31T10:00:00Z")
    new = existing("new", A, "Live!", "2030-01-01T12:03:00Z")
    assert not match(posts, intended_posts(posts), [old], since=SINCE).complete
    assert match(posts, intended_posts(posts), [old, new], since=SINCE).found_post_ids == ["new"]


def test_each_existing_post_is_used_once():
    posts = [post("Same", {"id": A}), post("Same", {"id": A})]
    one = existing("p1", A, "Same", "2030-01-01T12:01:00Z")
    found = match(posts, intended_posts(posts), [one], since=SINCE)
    assert len(found.found) == 1
    assert len(found.missing) == 1


def test_whitespace_differences_do_not_matter():
    posts = [post("Hello   world\n", {"id": A, "scheduled_at": "2030-01-01T12:00:00Z"})]
    found = match(
        posts, intended_posts(posts), [existing("p1", A, "Hello world", "2030-01-01T12:00:30Z")], since=SINCE
    )
    assert found.complete
