"""Every per-network fact the provider uses, in one table: one row per Publer network.

Why this module exists: a network's key, its name, the wrong keys people write for it, its
text limit and how it counts text, its daily post limits, the fields Publer lets change after
publishing and its analytics account types used to live in five modules; adding a network to
one table alone raised a ``KeyError`` in another. Now each of those tables is derived from
:data:`NETWORKS`, so adding a network is one :class:`Network` row (plus its tests).

The facts come from Publer's docs (reference §3 daily limits, §5.7 editable after publishing,
§6.5 network keys and text limits, §11 analytics account types). How each network counts text
is in :mod:`airflow_provider_publer.text_length`.

Standard library only: this is imported at DAG parse time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "ANALYTICS_ACCOUNT_TYPES",
    "DAILY_POST_LIMITS",
    "DEFAULT_KEY",
    "NETWORKS",
    "NETWORK_ALIASES",
    "NETWORK_KEYS",
    "NETWORK_NAMES",
    "PLANS",
    "TEXT_LIMITS",
    "Counting",
    "Network",
    "editable_after_publishing",
    "editable_after_publishing_summary",
    "network",
    "text_limits_table",
]

#: Publer's plans, in the order of :attr:`Network.daily_limits`' columns.
PLANS = ("free", "professional", "business")

#: The ``networks`` key whose block goes to every account without a block of its own network.
DEFAULT_KEY = "default"


class Counting(str, Enum):
    """How a network counts a post's text (see :mod:`~airflow_provider_publer.text_length`)."""

    #: X: twitter-text's weighted length (most CJK characters and emoji weigh 2, every link 23).
    WEIGHTED = "weighted"
    #: User-perceived characters (Unicode extended grapheme clusters), as Bluesky counts them.
    GRAPHEMES = "graphemes"
    #: The network's own rule is not published: graphemes with a link as at most 23, the fewest
    #: any rule counts, so that nothing the network accepts is refused.
    LOWER_BOUND = "lower_bound"

    @property
    def description(self) -> str:
        """How the count works, as the docs' limits table says it."""
        return _COUNTING_WORDS[self]


_COUNTING_WORDS = {
    Counting.WEIGHTED: (
        "twitter-text's weights, where X counts emoji and CJK characters double and every link as 23"
    ),
    Counting.GRAPHEMES: "user-perceived characters (Unicode grapheme clusters), links as written",
    Counting.LOWER_BOUND: (
        "user-perceived characters (Unicode grapheme clusters), a link as at most 23: a lower bound of "
        "what the network counts, as Publer does not publish its rule, so nothing it accepts is refused"
    ),
}


@dataclass(frozen=True)
class Network:
    """One Publer network and every fact the provider knows about it.

    :param key: the key under ``posts[].networks`` (``twitter``, ``wordpress_oauth``...).
    :param name: the network's name as people say it (``X``, ``Google Business``).
    :param provider: the ``provider`` of its accounts in ``GET /accounts`` (``wordpress`` for both
        WordPress keys); the key when left empty.
    :param aliases: wrong keys people write for it, each with the fix the error shows.
    :param text_limit: the longest ``text`` Publer documents, ``None`` where Publer gives none.
    :param counting: how the network counts ``text`` against that limit.
    :param long_text_limit: ``(details.type, limit)`` of a longer form (X Premium's ``long_post``).
    :param daily_limits: posts per account in a rolling 24 hours on the free, professional and
        business plans, by account ``type`` (``""``: any type without a row of its own).
    :param editable_after_publishing: the fields of ``PUT /posts/{id}`` Publer can still change once
        the post is published (``labels`` live in Publer only, so they always can); ``None`` where
        Publer does not say.
    :param editable_note: what the field list cannot say (``title only for video posts``).
    :param analytics_account_types: the ``account_type`` values of ``GET /analytics/charts`` for its
        accounts.
    """

    key: str
    name: str
    provider: str = ""
    aliases: Mapping[str, str] = field(default_factory=dict)
    text_limit: int | None = None
    counting: Counting = Counting.LOWER_BOUND
    long_text_limit: tuple[str, int] | None = None
    daily_limits: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)
    editable_after_publishing: frozenset[str] | None = None
    editable_note: str = ""
    analytics_account_types: tuple[str, ...] = ()

    @property
    def account_provider(self) -> str:
        """The ``provider`` of this network's accounts in ``GET /accounts``."""
        return self.provider or self.key


_LABELS = frozenset({"labels"})

#: The networks of ``posts[].networks`` (OpenAPI list, reference §6.5), one row each.
NETWORKS: tuple[Network, ...] = (
    Network(
        "facebook",
        "Facebook",
        daily_limits={"": (12, 24, 36)},
        editable_after_publishing=frozenset({"text", "title", "labels"}),
        editable_note="title only for video posts",
        analytics_account_types=("fb_page",),
    ),
    Network(
        "instagram",
        "Instagram",
        daily_limits={"": (15, 20, 25)},
        editable_after_publishing=_LABELS,
        analytics_account_types=("ig_business",),
    ),
    Network(
        "twitter",
        "X",
        aliases={"x": 'use "twitter" for X'},
        text_limit=280,
        counting=Counting.WEIGHTED,
        long_text_limit=("long_post", 25_000),
        daily_limits={"": (25, 50, 100)},
        editable_after_publishing=_LABELS,
        editable_note="polls not editable",
        analytics_account_types=("twitter",),
    ),
    Network(
        "linkedin",
        "LinkedIn",
        daily_limits={"": (10, 12, 14), "page": (12, 18, 24)},
        editable_after_publishing=frozenset({"text", "labels"}),
        analytics_account_types=("linkedin", "in_profile", "in_page"),
    ),
    Network(
        "pinterest",
        "Pinterest",
        daily_limits={"": (12, 24, 36)},
        editable_after_publishing=_LABELS,
        analytics_account_types=("pin_business", "pin_personal"),
    ),
    Network(
        "google",
        "Google Business Profile",
        aliases={"google_business": 'use "google"', "gmb": 'use "google"'},
        text_limit=1500,
        daily_limits={"": (5, 10, 15)},
        editable_after_publishing=frozenset({"text", "labels"}),
        analytics_account_types=("google",),
    ),
    Network(
        "youtube",
        "YouTube",
        daily_limits={"": (5, 10, 15)},
        editable_after_publishing=frozenset({"title", "text", "labels"}),
        editable_note="title at most 100 characters, description (text) at most 5,000",
        analytics_account_types=("youtube",),
    ),
    Network(
        "tiktok",
        "TikTok",
        daily_limits={"": (15, 20, 25)},
        analytics_account_types=("tiktok",),
    ),
    Network(
        "wordpress_oauth",
        "WordPress (hosted)",
        provider="wordpress",
        aliases={
            "wordpress": 'use "wordpress_oauth" (WordPress.com) or "wordpress_basic" (self-hosted WordPress)'
        },
        daily_limits={"": (12, 18, 24)},
        editable_after_publishing=frozenset({"title", "text", "labels"}),
        analytics_account_types=("wordpress_oauth",),
    ),
    Network(
        "wordpress_basic",
        "WordPress (self-hosted)",
        provider="wordpress",
        daily_limits={"": (12, 18, 24)},
        editable_after_publishing=frozenset({"title", "text", "labels"}),
    ),
    Network(
        "telegram",
        "Telegram",
        text_limit=4096,
        daily_limits={"": (5, 10, 15)},
        editable_after_publishing=frozenset({"text", "labels"}),
        editable_note="text of status and link posts only",
    ),
    Network(
        "mastodon",
        "Mastodon",
        # No text limit on purpose: Publer writes "500+", the default of instances that each set
        # their own limit, so 500 would refuse posts that many instances accept.
        daily_limits={"": (25, 50, 100)},
        editable_after_publishing=frozenset({"text", "title", "labels"}),
        analytics_account_types=("mastodon",),
    ),
    Network(
        "threads",
        "Threads",
        text_limit=500,
        daily_limits={"": (150, 200, 250)},
        editable_after_publishing=_LABELS,
        analytics_account_types=("threads",),
    ),
    Network(
        "bluesky",
        "Bluesky",
        text_limit=300,
        counting=Counting.GRAPHEMES,
        daily_limits={"": (25, 50, 100)},
        editable_after_publishing=_LABELS,
        analytics_account_types=("bluesky",),
    ),
)

_BY_KEY: dict[str, Network] = {row.key: row for row in NETWORKS}


def network(key: str) -> Network | None:
    """The row of a network key, ``None`` for ``default`` or a key Publer does not have."""
    return _BY_KEY.get(key)


# -- the tables derived from the rows ---------------------------------------------------------------

#: Keys accepted under ``posts[].networks``: every row's key, and ``default``.
NETWORK_KEYS: frozenset[str] = frozenset(_BY_KEY) | {DEFAULT_KEY}

#: The network's name by key, for messages.
NETWORK_NAMES: dict[str, str] = {row.key: row.name for row in NETWORKS}

#: Wrong keys people write -> the fix the error shows.
NETWORK_ALIASES: dict[str, str] = {alias: fix for row in NETWORKS for alias, fix in row.aliases.items()}

#: Text limits Publer documents (Content Types > Text Posts), by network key.
TEXT_LIMITS: dict[str, int] = {row.key: row.text_limit for row in NETWORKS if row.text_limit is not None}


def _daily_post_limits() -> dict[str, tuple[int, int, int]]:
    limits: dict[str, tuple[int, int, int]] = {}
    for row in NETWORKS:
        for account_type, per_plan in row.daily_limits.items():
            name = f"{row.account_provider}_{account_type}" if account_type else row.account_provider
            limits.setdefault(name, per_plan)
    return limits


#: Publer's daily post limits per account (rolling 24 h): ``provider`` or ``provider_type`` (the
#: account's ``provider`` and ``type`` in ``GET /accounts``) -> (free, professional, business).
DAILY_POST_LIMITS: dict[str, tuple[int, int, int]] = _daily_post_limits()

#: ``account_type`` values of ``GET /analytics/charts`` (reference §11).
ANALYTICS_ACCOUNT_TYPES: frozenset[str] = frozenset(
    account_type for row in NETWORKS for account_type in row.analytics_account_types
)


def editable_after_publishing(key: str | None) -> frozenset[str] | None:
    """The fields Publer can change on a published post of network ``key``; ``None`` if unknown."""
    row = network(key or "")
    return None if row is None else row.editable_after_publishing


def editable_after_publishing_summary(*, grouped: bool = True) -> str:
    """What can change after publishing, network by network, in one sentence (for error hints).

    :param grouped: networks that allow the same changes share one entry
        (``Instagram, Pinterest: labels only``); otherwise each network has its own.
    """
    entries: list[tuple[str, str]] = []
    for row in NETWORKS:
        fields = row.editable_after_publishing
        if fields is None or row.key.startswith("wordpress_basic"):
            continue  # one WordPress entry is enough; unknown networks are not claimed
        name = "WordPress" if row.key.startswith("wordpress") else row.name
        changes = sorted(fields - _LABELS)
        words = " and ".join(changes) + " (and labels)" if changes else "labels only"
        if row.editable_note:
            words += f", {row.editable_note}"
        entries.append((name, words))
    if not grouped:
        return "; ".join(f"{name}: {words}" for name, words in entries)
    groups: dict[str, list[str]] = {}
    for name, words in entries:
        groups.setdefault(words, []).append(name)
    return "; ".join(f"{', '.join(names)}: {words}" for words, names in groups.items())


def text_limits_table() -> str:
    """The limits table of the docs (docs/models.md), written from :data:`NETWORKS`."""
    lines = ["| Network key | Limit | How it is counted |", "|---|---|---|"]
    for row in NETWORKS:
        if row.text_limit is None:
            continue
        limit = f"{row.text_limit:,}"
        if row.long_text_limit:
            kind, longer = row.long_text_limit
            limit += f'; {longer:,} with `"details": {{"type": "{kind}"}}`'
        if row.key == "telegram":
            limit += " (not checked with `parseMode`: the markup does not count)"
        lines.append(f"| `{row.key}` ({row.name}) | {limit} | {row.counting.description} |")
    return "\n".join(lines)
