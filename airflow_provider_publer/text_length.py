"""A post's text length as each network counts it, and the check against its limit.

Why this module exists: networks do not count characters the same way, and a count that is
wrong either way hurts: too high refuses a post the network accepts, too low sends a post the
network refuses (Publer reports it only later, as a failed job). Each network's row in
:mod:`~airflow_provider_publer.networks` names its :class:`~airflow_provider_publer.networks.Counting`:

- ``WEIGHTED`` (X): twitter-text's published weighting (configuration v3): the text is NFC
  normalised; code points in the ranges of Latin, Cyrillic, Greek... and general punctuation
  weigh 1, every other code point (CJK, most other scripts) 2; an emoji sequence weighs 2
  however many code points it has; a link weighs 23 (t.co). A link with a scheme (or ``www.``)
  always counts 23; a word that only may be a link (``example.com``) counts at most 23, so an
  unsure guess never refuses a post X accepts. The Python ports of twitter-text on PyPI are
  unmaintained (the newest, twitter-text-parser 3.0.0 of 2023, imports ``pkg_resources``, gone
  from current environments); the weighting is a published table, applied here to the grapheme
  clusters of the maintained ``regex`` module.
- ``GRAPHEMES`` (Bluesky): user-perceived characters, Unicode extended grapheme clusters
  (``regex``'s ``\\X``), as Bluesky's ``maxGraphemes`` counts them.
- ``LOWER_BOUND``: networks whose rule Publer does not publish: grapheme clusters, a word that
  may be a link as at most 23. No network counts fewer, so nothing a network accepts is refused.

``regex`` is imported on first use, not when a DAG file is parsed.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from typing import Any

from airflow_provider_publer.networks import Counting, network

__all__ = [
    "LINK_WEIGHT",
    "X_MAX_WEIGHTED_LENGTH",
    "count_characters",
    "grapheme_count",
    "text_length",
    "text_limit_problem",
    "x_weighted_length",
]

#: X counts every link as 23 characters (t.co); other networks may shorten links too.
LINK_WEIGHT = 23

#: twitter-text configuration v3: ``maxWeightedTweetLength``, ``scale``, ``defaultWeight`` and the
#: code point ranges that weigh ``100`` (one character).
X_MAX_WEIGHTED_LENGTH = 280
_X_SCALE = 100
_X_DEFAULT_WEIGHT = 200
_X_RANGES = ((0, 4351, 100), (8192, 8205, 100), (8208, 8223, 100), (8242, 8247, 100))

#: Inside a word, what may make it a link: a scheme, or a dot followed by two letters (``example.com``).
_LINK_MARK = re.compile(r"://|\.[^\W\d_]{2}")
_WORD = re.compile(r"\S+")
#: A link X always counts as 23: with a scheme or ``www.``; trailing punctuation is not part of it.
_SURE_LINK = re.compile(r"(?i)(?:https?://|www\.)\S+?(?=[.,:;!?)\]'\"]*$)")


@cache
def _regex() -> Any:
    import regex  # third-party, maintained: Unicode grapheme clusters (\X) and emoji properties

    return regex


@cache
def _clusters() -> Any:
    return _regex().compile(r"\X")


@cache
def _emoji() -> Any:
    return _regex().compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3")


def grapheme_count(text: str) -> int:
    """User-perceived characters: Unicode extended grapheme clusters (how Bluesky counts)."""
    return len(_clusters().findall(text))


def _code_point_weight(char: str) -> int:
    point = ord(char)
    for start, end, weight in _X_RANGES:
        if start <= point <= end:
            return weight
    return _X_DEFAULT_WEIGHT


def _x_weight(word: str) -> int:
    """The weight of a word (in hundredths) by twitter-text's rules; links are the caller's."""
    total = 0
    for cluster in _clusters().findall(word):
        weight = sum(_code_point_weight(char) for char in cluster)
        if _emoji().search(cluster):
            weight = min(weight, _X_DEFAULT_WEIGHT)  # one emoji sequence counts as one emoji
        total += weight
    return total


def x_weighted_length(text: str) -> int:
    """The length X gives ``text``: twitter-text's weighted length (configuration v3)."""
    text = unicodedata.normalize("NFC", text)
    total, position = 0, 0
    for word in _WORD.finditer(text):
        total += _x_weight(text[position : word.start()])  # the spaces before the word
        position = word.end()
        sure = _SURE_LINK.match(word.group())
        if sure:
            total += LINK_WEIGHT * _X_SCALE + _x_weight(word.group()[sure.end() :])
        elif _LINK_MARK.search(word.group()):
            total += min(LINK_WEIGHT * _X_SCALE, _x_weight(word.group()))  # may be a link: at most 23
        else:
            total += _x_weight(word.group())
    total += _x_weight(text[position:])
    return total // _X_SCALE


def count_characters(text: str) -> int:
    """A lower bound of the characters any network counts in ``text``.

    Grapheme clusters after NFC normalisation (a letter and its accents, an emoji with its skin
    tone or joined family, a flag: one each); a word that may be a link counts at most 23 (X
    counts every link as 23). No network counts less.
    """
    text = unicodedata.normalize("NFC", text)
    return sum(
        min(grapheme_count(word), LINK_WEIGHT) if _LINK_MARK.search(word) else grapheme_count(word)
        for word in _WORD.findall(text)
    ) + sum(grapheme_count(space) for space in _WORD.split(text))


def text_length(text: str, counting: Counting) -> int:
    """``text``'s length as a network that counts by ``counting`` counts it."""
    if counting is Counting.WEIGHTED:
        return x_weighted_length(text)
    if counting is Counting.GRAPHEMES:
        return grapheme_count(text)
    return count_characters(text)


def text_limit_problem(
    key: str, text: str | None, *, details_type: str | None = None, parse_mode: str | None = None
) -> str | None:
    """What is wrong with ``text`` on network ``key`` (too long, as that network counts), else ``None``.

    :param key: the network key (``twitter``...); networks without a documented limit pass.
    :param text: the text; ``None`` passes.
    :param details_type: the block's ``details.type`` (X Premium's ``long_post`` has a longer limit).
    :param parse_mode: Telegram's ``parseMode``: the limit counts the text after the markup is
        removed, so marked-up text is not checked.
    """
    row = network(key)
    if row is None or row.text_limit is None or text is None or (key == "telegram" and parse_mode):
        return None
    limit, more = row.text_limit, ""
    if row.long_text_limit:
        kind, longer = row.long_text_limit
        if details_type == kind:
            limit = longer
        else:
            more = f' ({longer:,} with "details": {{"type": "{kind}"}})'
    length = text_length(text, row.counting)
    if length <= limit:
        return None
    return (
        f"is {length:,} characters long but {row.name} allows at most {limit:,}{more}; shorten it. "
        f"Counted as {row.name} counts: {row.counting.description}"
    )
