"""The matching rules that keep a re-submission from posting twice and from taking a look-alike for
one of its own posts (pure, no I/O)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from airflow_provider_publer.reconcile import intended_posts, match

SINCE = datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc)
NOW = SINCE + timedelta(minutes=3)
A, B = "63c675b54e299e9cf2b667ea", "63c675d74e299e9cf2b667eb"


def post(text, *accounts, network="facebook", kind="status", media=None):
    block = {"type": kind, "text": text}
    if media:
        block["media"] = media
    return {"networks": {network: block}, "accounts": [dict(a) for a in accounts]}


def existing(post_id, account, text, scheduled_at, state="scheduled", **extra):
    return {
        "id": post_id,
        "account_id": account,
        "text": text,
        "scheduled_at": scheduled_at,
        "state": state,
        **extra,
    }


def run(posts, listed, *, state="scheduled", publish_now=False, preexisting=None):
    entries = intended_posts(posts, state=state, publish_now=publish_now)
    return match(posts, entries, listed, since=SINCE, now=NOW, preexisting=preexisting)


def test_scheduled_post_matches_same_account_same_minute_same_text():
    posts = [post("Hi", {"id": A, "scheduled_at": "2030-01-02T14:00:00+02:00"})]
    found = run(posts, [existing("p1", A, "Hi", "2030-01-02T12:00:00.000+00:00")])
    assert found.complete
    assert found.found_post_ids == ["p1"]
    assert found.remaining_posts == []


def test_other_text_or_time_or_account_does_not_match():
    posts = [post("Hi", {"id": A, "scheduled_at": "2030-01-02T12:00:00+00:00"})]
    others = [
        existing("p1", A, "Other text", "2030-01-02T12:00:00+00:00"),
        existing("p2", A, "Hi", "2030-01-02T12:05:00+00:00"),
        existing("p3", B, "Hi", "2030-01-02T12:00:00+00:00"),
    ]
    found = run(posts, others)
    assert not found.complete
    assert found.remaining_posts == posts


def test_partially_found_post_keeps_only_missing_accounts():
    posts = [
        post(
            "Hi",
            {"id": A, "scheduled_at": "2030-01-02T12:00:00Z"},
            {"id": B, "scheduled_at": "2030-01-02T12:00:00Z"},
        )
    ]
    found = run(posts, [existing("p1", A, "Hi", "2030-01-02T12:00:00Z")])
    assert [a["id"] for a in found.remaining_posts[0]["accounts"]] == [B]
    assert posts[0]["accounts"][1]["id"] == B  # input untouched
    assert len(posts[0]["accounts"]) == 2


def test_publish_now_matches_a_post_published_since_the_first_send():
    posts = [post("Live!", {"id": A})]
    old = existing("old", A, "Live!", "2029-12-31T10:00:00Z", state="published")
    new = existing("new", A, "Live!", "2030-01-01T12:01:00Z", state="published")
    assert not run(posts, [old], publish_now=True).complete
    assert run(posts, [old, new], publish_now=True).found_post_ids == ["new"]


def test_publish_now_never_takes_tomorrows_scheduled_look_alike():
    """Regression: a post with the same text scheduled for tomorrow was taken for the publish-now
    post after a 5xx Publer had not acted on; the task reported success and nothing was published."""
    posts = [post("Launch day!", {"id": A})]
    tomorrow = existing("tomorrow", A, "Launch day!", "2030-01-02T12:00:00Z", state="scheduled")
    found = run(posts, [tomorrow], publish_now=True)
    assert not found.complete
    assert found.missing
    assert not found.found
    assert found.remaining_posts == posts


@pytest.mark.parametrize(
    ("listed", "why"),
    [
        (existing("p", A, "Hi", "2030-01-01T12:01:00Z", state="draft"), "a draft is not a published post"),
        (
            existing("p", A, "Hi", "2030-01-01T12:01:00Z", state="published", network="twitter"),
            "another network",
        ),
        (existing("p", A, "Hi", "2030-01-01T12:01:00Z", state="published", type="photo"), "another type"),
        (existing("p", B, "Hi", "2030-01-01T12:01:00Z", state="published"), "another account"),
    ],
)
def test_a_post_this_submission_could_not_have_created_never_matches(listed, why):
    posts = [post("Hi", {"id": A})]
    found = run(posts, [listed], publish_now=True)
    assert not found.found, why
    assert not found.ambiguous, why


def test_a_look_alike_without_the_media_is_not_the_post_with_media():
    posts = [post("Hi", {"id": A}, kind="photo", media=[{"id": "m1"}])]
    bare = existing("p", A, "Hi", "2030-01-01T12:01:00Z", state="published", has_media=False)
    assert not run(posts, [bare], publish_now=True).found
    with_media = existing("q", A, "Hi", "2030-01-01T12:01:00Z", state="published", has_media=True)
    assert run(posts, [with_media], publish_now=True).found_post_ids == ["q"]


def test_a_publish_now_look_alike_without_a_time_is_ambiguous_not_success():
    posts = [post("Hi", {"id": A})]
    found = run(posts, [existing("p", A, "Hi", None, state="published")], publish_now=True)
    assert not found.complete
    assert not found.found
    [doubt] = found.ambiguous
    assert "cannot be told" in doubt.describe()
    assert "p" in doubt.describe()


def test_undated_posts_match_only_what_did_not_exist_before_the_first_send():
    """Auto-scheduled posts (no scheduled_at): Publer picks the time, so age decides."""
    posts = [post("Evergreen", {"id": A})]
    before = existing("before", A, "Evergreen", "2030-01-05T09:00:00Z")
    ours = existing("ours", A, "Evergreen", "2030-01-06T09:00:00Z")
    found = run(posts, [before, ours], preexisting=["before"])
    assert found.found_post_ids == ["ours"]
    assert not run(posts, [before], preexisting=["before"]).complete


def test_undated_posts_without_a_snapshot_are_ambiguous():
    posts = [post("Evergreen", {"id": A})]
    found = run(posts, [existing("x", A, "Evergreen", "2030-01-05T09:00:00Z")], preexisting=None)
    assert found.ambiguous
    assert not found.complete


def test_drafts_match_drafts_only():
    posts = [post("Idea", {"id": A})]
    draft = existing("d", A, "Idea", None, state="draft_private")
    scheduled = existing("s", A, "Idea", "2030-01-05T09:00:00Z", state="scheduled")
    assert run(posts, [scheduled], state="draft", preexisting=[]).missing
    assert run(posts, [draft], state="draft", preexisting=[]).found_post_ids == ["d"]


def test_default_block_covers_every_network_and_details_type_counts():
    posts = [
        {
            "networks": {
                "default": {
                    "type": "video",
                    "text": "Clip",
                    "media": [{"id": "m"}],
                    "details": {"type": "reel"},
                }
            },
            "accounts": [{"id": A, "scheduled_at": "2030-01-02T12:00:00Z"}],
        }
    ]
    reel = existing("r", A, "Clip", "2030-01-02T12:00:00Z", network="instagram", type="reel", has_media=True)
    assert run(posts, [reel]).found_post_ids == ["r"]


def test_each_existing_post_is_used_once():
    posts = [post("Same", {"id": A}), post("Same", {"id": A})]
    one = existing("p1", A, "Same", "2030-01-01T12:01:00Z", state="published")
    found = run(posts, [one], publish_now=True)
    assert len(found.found) == 1
    assert len(found.missing) == 1


def test_whitespace_differences_do_not_matter():
    posts = [post("Hello   world\n", {"id": A, "scheduled_at": "2030-01-02T12:00:00Z"})]
    found = run(posts, [existing("p1", A, "Hello world", "2030-01-02T12:00:30Z")])
    assert found.complete
