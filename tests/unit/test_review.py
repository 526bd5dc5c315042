"""The approval preview, the reviewer's form and what an answer makes of the posts (no Airflow)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.review import (
    FULL_PREVIEW_POSTS,
    Preview,
    apply_answer,
    escape_markdown,
    post_texts,
)
from airflow_provider_publer.sandbox import SANDBOX_ACCOUNT_IDS, SANDBOX_ACCOUNTS
from airflow_provider_publer.validation import validate_posts

ACCOUNTS = {a["id"]: a for a in SANDBOX_ACCOUNTS}
FACEBOOK, X, LINKEDIN = (
    SANDBOX_ACCOUNT_IDS["facebook"],
    SANDBOX_ACCOUNT_IDS["twitter"],
    SANDBOX_ACCOUNT_IDS["linkedin"],
)
# 09:00 UTC on a day far enough ahead (a Monday), so every time check passes.
MONDAY = datetime(2031, 3, 3, 9, 0, tzinfo=timezone.utc)


def _post(account: str, network: str, text: str, when: datetime, **block: object) -> dict:
    return {
        "networks": {network: {"type": block.pop("type", "status"), "text": text, **block}},
        "accounts": [{"id": account, "scheduled_at": when.isoformat()}],
    }


@pytest.fixture
def posts() -> list[dict]:
    return validate_posts(
        [
            _post(FACEBOOK, "facebook", "Spring *collection* {{ ds }} <b>", MONDAY),
            _post(
                X,
                "twitter",
                "Drops tomorrow",
                MONDAY + timedelta(days=1),
                type="photo",
                media=[{"id": "m-1", "path": "https://cdn.example.com/launch.png", "type": "photo"}],
            ),
            _post(
                FACEBOOK,
                "facebook",
                "Read the lookbook",
                MONDAY + timedelta(hours=2),
                type="link",
                url="https://example.com/lookbook",
            ),
        ]
    )


def test_the_preview_shows_a_summary_then_each_post_by_day_in_the_stated_time_zone(posts):
    text = Preview(posts, accounts=ACCOUNTS, timezone="Europe/Berlin").markdown(intro="Launch week")
    lines = text.splitlines()
    assert lines[0] == "Launch week"
    assert "**3 posts** on **2 accounts**, Mon 2031-03-03 10:00 to Tue 2031-03-04 10:00" in text
    assert "Times in **Europe/Berlin**" in text
    # Days in order, posts in time order within a day; Berlin is UTC+1 in March.
    days = [line for line in lines if line.startswith("### ")]
    assert days == ["### Monday 2031-03-03 (2 posts)", "### Tuesday 2031-03-04 (1 post)"]
    headings = [line for line in lines if line.startswith("#### ")]
    assert headings == [
        "#### #1 · 10:00 · Sandbox Facebook Page · Facebook",
        "#### #3 · 12:00 · Sandbox Facebook Page · Facebook",
        "#### #2 · 10:00 · Sandbox X Profile · X",
    ]
    assert text.index("**3 posts**") < text.index("### Monday")


def test_the_preview_shows_texts_as_written_with_counts_thumbnails_and_links(posts):
    text = Preview(posts, accounts=ACCOUNTS).markdown()
    # Markdown and template syntax in a text are shown, never interpreted.
    assert r"> Spring \*collection\* \{\{ ds \}\} \<b\>" in text
    assert "14 / 280 characters on X (within the limit)" in text
    assert "[![photo](https://cdn.example.com/launch.png)](https://cdn.example.com/launch.png)" in text
    assert "Link: <https://example.com/lookbook>" in text
    assert "17 characters" in text  # Facebook: no limit to count against


def test_a_default_block_on_x_is_counted_against_x_and_flagged_over_its_limit():
    long_text = "word " * 70  # 350 characters: fine for Facebook, over X's 280
    posts = validate_posts(
        [
            {
                "networks": {"default": {"type": "status", "text": long_text}},
                "accounts": [
                    {"id": FACEBOOK, "scheduled_at": MONDAY.isoformat()},
                    {"id": X, "scheduled_at": MONDAY.isoformat()},
                ],
            }
        ]
    )
    text = Preview(posts, accounts=ACCOUNTS).markdown()
    assert "350 / 280 characters on X (**over the limit**)" in text
    assert "- **1 over a network's limit**" in text


def test_media_given_by_id_show_the_thumbnail_publer_lists():
    posts = validate_posts([_post(LINKEDIN, "linkedin", "New", MONDAY, type="photo", media=[{"id": "abc"}])])
    text = Preview(
        posts, accounts=ACCOUNTS, media_urls={"abc": "https://cdn.example.com/abc-small.png"}
    ).markdown()
    assert "(https://cdn.example.com/abc-small.png)" in text


def test_hundreds_of_posts_stay_readable_one_line_each_grouped_by_day():
    many = validate_posts(
        [
            _post(FACEBOOK, "facebook", f"Post number {i} " + "long " * 40, MONDAY + timedelta(hours=i))
            for i in range(300)
        ]
    )
    text = Preview(many, accounts=ACCOUNTS, posts_url="https://app.publer.com/").markdown()
    lines = text.splitlines()
    assert len(many) > FULL_PREVIEW_POSTS
    assert lines[0].startswith("**300 posts** on **1 account**")
    assert "[The posts already on Publer](https://app.publer.com/)" in text
    days = [line for line in lines if line.startswith("### ")]
    assert len(days) == 13
    assert days[0] == "### Monday 2031-03-03 (15 posts)"
    entries = [line for line in lines if line.startswith("- #")]
    assert len(entries) == 300
    assert entries[0].startswith("- #1 09:00 · Sandbox Facebook Page (Facebook): Post number 0 long")
    assert all(len(line) < 200 for line in entries)
    assert "#### " not in text


def test_choices_and_texts_name_each_post_by_number(posts):
    preview = Preview(posts, accounts=ACCOUNTS)
    assert preview.choices() == {
        "1": "#1 Mon 2031-03-03 09:00: Sandbox Facebook Page (Facebook)",
        "2": "#2 Tue 2031-03-04 09:00: Sandbox X Profile (X)",
        "3": "#3 Mon 2031-03-03 11:00: Sandbox Facebook Page (Facebook)",
    }
    assert post_texts(posts) == {
        "1.facebook": "Spring *collection* {{ ds }} <b>",
        "2.twitter": "Drops tomorrow",
        "3.facebook": "Read the lookbook",
    }


def test_an_unknown_account_shows_its_id():
    posts = validate_posts([_post("0123456789abcdef01234567", "facebook", "Hi", MONDAY)])
    assert "0123456789abcdef01234567" in Preview(posts, accounts=ACCOUNTS).markdown()


def test_escape_markdown_keeps_line_breaks():
    assert escape_markdown("a_b\n# c") == "a\\_b  \n\\# c"


# -- the answer ------------------------------------------------------------------------------------


def test_approve_all_returns_every_post_unchanged(posts):
    decision = apply_answer(posts, None, None)
    assert decision.posts == posts
    assert (decision.approved, decision.rejected, decision.edited) == ([1, 2, 3], [], [])
    assert apply_answer(posts, ["1", "2", "3"], post_texts(posts)).posts == posts


def test_approve_some_returns_only_those_in_order(posts):
    decision = apply_answer(posts, ["3", "#1"], None)
    assert decision.posts == [posts[0], posts[2]]
    assert (decision.approved, decision.rejected) == ([1, 3], [2])


def test_an_edited_text_is_what_comes_out_and_only_that(posts):
    texts = {**post_texts(posts), "2.twitter": "Drops tomorrow at 10!"}
    decision = apply_answer(posts, None, texts)
    assert decision.posts[1]["networks"]["twitter"]["text"] == "Drops tomorrow at 10!"
    assert decision.posts[0] == posts[0]
    assert decision.posts[2] == posts[2]
    assert decision.edited == ["2.twitter"]
    assert posts[1]["networks"]["twitter"]["text"] == "Drops tomorrow"  # the input is not changed


def test_an_invalid_edit_is_refused_naming_the_text_and_the_post(posts):
    texts = {**post_texts(posts), "2.twitter": "x" * 281}
    with pytest.raises(PublerValidationError) as err:
        apply_answer(posts, ["2", "3"], texts)
    assert err.value.field == "texts['2.twitter'] (post 2)"
    assert "281 characters long but X allows at most 280" in str(err.value)


def test_an_edit_of_a_post_left_out_is_not_checked_nor_sent(posts):
    texts = {**post_texts(posts), "2.twitter": "x" * 281}
    decision = apply_answer(posts, ["1"], texts)
    assert decision.posts == [posts[0]]
    assert decision.edited == []


@pytest.mark.parametrize(
    ("approve", "texts", "field", "words"),
    [
        (["4"], None, "approve", "'4' is not a post number; choose among 1 to 3"),
        (["first"], None, "approve", "'first' is not a post number"),
        ({"1": True}, None, "approve", "must be a list of post numbers"),
        (None, {"9.facebook": "x"}, "texts", "'9.facebook', which is no text of these posts"),
        (None, {"1.facebook": 5}, "texts['1.facebook']", "must be text, got int"),
        (None, ["x"], "texts", "must be an object"),
    ],
)
def test_a_malformed_answer_names_the_field(posts, approve, texts, field, words):
    with pytest.raises(PublerValidationError) as err:
        apply_answer(posts, approve, texts)
    assert err.value.field == field
    assert words in str(err.value)


def test_a_post_whose_time_passed_during_the_review_is_refused(posts):
    with pytest.raises(PublerValidationError, match=r"post 1: posts\[0\]\.accounts\[0\]\.scheduled_at"):
        apply_answer(posts, ["1"], None, now=MONDAY + timedelta(minutes=30))


def test_approving_no_post_approves_nothing(posts):
    decision = apply_answer(posts, [], None)
    assert (decision.posts, decision.approved, decision.rejected) == ([], [], [1, 2, 3])


def test_the_summary_links_the_content_calendar_in_airflow() -> None:
    """The provider's Publer page in the Airflow UI shows each post's state: the preview links it."""
    from airflow_provider_publer.review import Preview

    preview = Preview([], calendar_url="http://airflow.example/plugin/publer")
    assert "[The content calendar in Airflow (Browse > Publer)](http://airflow.example/plugin/publer)" in (
        preview.markdown()
    )
    assert "content calendar in Airflow" not in Preview([]).markdown()
