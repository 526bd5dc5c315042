"""Text as each network counts it: X by twitter-text's weights, Bluesky by graphemes."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.networks import Counting
from airflow_provider_publer.text_length import (
    count_characters,
    grapheme_count,
    text_length,
    x_weighted_length,
)
from airflow_provider_publer.validation import validate_post_update, validate_posts

NOW = datetime(2030, 1, 1, 12, tzinfo=timezone.utc)
ACCOUNT_ID = "63c675b54e299e9cf2b667ea"
HINDI = ("\u092d\u093e\u0930\u0924 " * 75).strip()  # ("भारत " * 75).strip()


def _post(key: str, text: str) -> list[dict[str, Any]]:
    return [{"networks": {key: {"type": "status", "text": text}}, "accounts": [{"id": ACCOUNT_ID}]}]


def test_bluesky_counts_graphemes() -> None:
    """299 graphemes, 374 code points: Bluesky accepts it (its limit is 300 graphemes)."""
    assert len(HINDI) == 374
    assert grapheme_count(HINDI) == 299
    assert validate_posts(_post("bluesky", HINDI), now=NOW)[0]["networks"]["bluesky"]["text"] == HINDI
    with pytest.raises(PublerValidationError, match="is 303 characters long but Bluesky allows at most 300"):
        validate_posts(_post("bluesky", HINDI + " \u092d\u093e\u0930\u0924"), now=NOW)


@pytest.mark.parametrize(
    ("text", "weight"),
    [
        ("\U0001f60a" * 200, 400),  # each emoji weighs 2
        ("\u306e" * 150, 300),  # so does each CJK character
        ("a" * 280, 280),
        ("\u306e" * 140, 280),
        ("\U0001f468\u200d\U0001f469\u200d\U0001f467", 2),  # a joined family is one emoji
        ("\U0001f1fa\U0001f1f8", 2),  # a flag is one emoji
        ("\u00a9", 1),  # a text-style symbol in the weight-1 ranges
        ("e\u0301", 1),  # NFC: one character
        ("caf\u00e9 \u2014 \u201cquoted\u201d", 15),  # punctuation of the general ranges weighs 1
        ("see https://example.com/" + "x" * 100, 4 + 23),  # a link weighs 23
        ("see https://a.co.", 4 + 23 + 1),  # trailing punctuation is not part of the link
        ("see www.example.com/page", 4 + 23),
        ("file.py", 7),  # may be a link: counts at most 23, never more than itself
    ],
)
def test_x_counts_by_twitter_texts_weights(text: str, weight: int) -> None:
    assert x_weighted_length(text) == weight
    assert text_length(text, Counting.WEIGHTED) == weight


@pytest.mark.parametrize("text", ["\U0001f60a" * 200, "\u306e" * 150])
def test_what_x_refuses_is_not_sent(text: str) -> None:
    """Counted in code points these were 200 and 150: accepted, sent, and then failed at Publer."""
    with pytest.raises(PublerValidationError, match=r"characters long but X allows at most 280"):
        validate_posts(_post("twitter", text), now=NOW)


def test_what_x_accepts_is_not_refused() -> None:
    validate_posts(_post("twitter", "\u306e" * 140), now=NOW)
    validate_posts(_post("twitter", "a" * 250 + " https://example.com/" + "x" * 300), now=NOW)


def test_the_lower_bound_is_never_more_than_any_networks_count() -> None:
    for text in (HINDI, "\U0001f60a" * 10, "a b https://example.com/long/path", "\u306e" * 9):
        assert count_characters(text) <= grapheme_count(text)
        assert count_characters(text) <= x_weighted_length(text)


def test_updates_are_checked_with_the_same_rules_when_the_network_is_known() -> None:
    """Before: an update checked no text limit at all."""
    with pytest.raises(PublerValidationError) as caught:
        validate_post_update({"text": "\U0001f60a" * 200}, network="twitter")
    assert caught.value.field == "post.text"
    assert "is 400 characters long but X allows at most 280" in str(caught.value)
    assert validate_post_update({"text": HINDI}, network="bluesky") == {"text": HINDI}
    assert validate_post_update({"text": "\U0001f60a" * 200}) == {
        "text": "\U0001f60a" * 200
    }  # network unknown
