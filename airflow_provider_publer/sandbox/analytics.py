"""Deterministic analytics in Publer's documented shapes (reference §11), computed from posts.

The sandbox has no audience, so its numbers are made up, but predictably: every figure is
a function of ids and dates only (SHA-256 of them), and the functions here are public so
a test can compute what an endpoint will answer:

* :func:`post_numbers` — the metrics of one published post, from its id, network and type;
* :func:`followers` — an account's followers on a day;
* :func:`best_time_scores`, :func:`hashtag_records`, :func:`member_rows`,
  :func:`chart_series` — what the aggregate endpoints answer for a set of posts.

Only ``published`` posts have analytics; each post counts on the UTC day (and hour) of its
``scheduled_at``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pendulum

from airflow_provider_publer.sandbox.models import Post, as_utc, iso

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: Networks whose posts report ``saves``; posts on others leave the metric out, as Publer does.
SAVES_NETWORKS = frozenset({"facebook", "instagram", "pinterest", "tiktok"})
VIDEO_TYPES = frozenset({"video", "reel", "short", "story"})
HASHTAG = re.compile(r"#(\w+)")
_EPOCH = date(2020, 1, 1)

#: Analytics ``account_type`` of an account, by (provider, type) or by provider (reference §11).
_ACCOUNT_TYPES: dict[tuple[str, str | None], str] = {
    ("facebook", None): "fb_page",
    ("instagram", None): "ig_business",
    ("twitter", None): "twitter",
    ("linkedin", "profile"): "in_profile",
    ("linkedin", None): "in_page",
    ("youtube", None): "youtube",
    ("tiktok", None): "tiktok",
    ("google", None): "google",
    ("pinterest", "personal"): "pin_personal",
    ("pinterest", None): "pin_business",
    ("threads", None): "threads",
    ("wordpress", None): "wordpress_oauth",
    ("mastodon", None): "mastodon",
    ("bluesky", None): "bluesky",
}
ACCOUNT_TYPES = tuple(dict.fromkeys(_ACCOUNT_TYPES.values()))

#: metric id -> (name, tooltip) of a post's ``analytics`` entries.
METRICS: dict[str, tuple[str, str]] = {
    "reach": ("Reach", "The number of unique people who saw the post"),
    "engagement": ("Engagement", "Reactions, comments, shares and saves of the post"),
    "engagement_rate": ("Engagement Rate", "Engagement divided by reach, in percent"),
    "likes": ("Likes", "Reactions to the post"),
    "comments": ("Comments", "Comments on the post"),
    "shares": ("Shares", "Times the post was shared"),
    "saves": ("Saves", "Times the post was saved"),
    "video_views": ("Video Views", "Times the post's video was watched"),
    "link_clicks": ("Link Clicks", "Clicks on the post's link"),
    "post_clicks": ("Post Clicks", "Clicks anywhere on the post"),
    "click_through_rate": ("Click Through Rate", "Link clicks divided by reach, in percent"),
    "reach_rate": ("Reach Rate", "Reach divided by followers, in percent"),
}


@dataclass(frozen=True)
class Chart:
    """One chart of ``GET /analytics/charts``."""

    id: str
    title: str
    group_id: str  # growth | insights | demographics
    tooltip: str
    type: str  # vertical | horizontal | side_by_side
    last_value: bool  # the headline is the last day's value (not the period's total)
    show_percentage: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "group_id": self.group_id,
            "tooltip": self.tooltip,
            "type": self.type,
            "last_value": self.last_value,
            "show_percentage": self.show_percentage,
        }


CHARTS: dict[str, Chart] = {
    c.id: c
    for c in (
        Chart("followers", "Followers", "growth", "Followers at the end of each day", "vertical", True),
        Chart("net_followers", "Net Followers", "growth", "Followers gained minus lost", "vertical", False),
        Chart("posts", "Posts", "insights", "Posts published each day", "vertical", False),
        Chart("reach", "Reach", "insights", "Unique people who saw your posts", "vertical", False),
        Chart(
            "engagement", "Engagement", "insights", "Reactions, comments, shares, saves", "vertical", False
        ),
        Chart(
            "engagement_rate", "Engagement Rate", "insights", "Engagement / reach", "vertical", False, True
        ),
        Chart("video_views", "Video Views", "insights", "Views of your videos", "vertical", False),
        Chart("link_clicks", "Link Clicks", "insights", "Clicks on your links", "vertical", False),
        Chart("audience_age", "Age", "demographics", "Followers by age", "horizontal", False, True),
        Chart(
            "audience_gender", "Gender", "demographics", "Followers by gender", "side_by_side", False, True
        ),
        Chart(
            "audience_country", "Countries", "demographics", "Followers by country", "horizontal", False, True
        ),
    )
}
_BASE_CHARTS = ("followers", "net_followers", "posts", "reach", "engagement", "engagement_rate")
_VIDEO_CHART_TYPES = frozenset({"fb_page", "ig_business", "tiktok", "youtube", "twitter"})
_LINK_CHART_TYPES = frozenset({"fb_page", "in_page", "in_profile", "twitter", "pin_business", "google"})
_DEMOGRAPHIC_TYPES = frozenset({"fb_page", "ig_business", "in_page", "tiktok", "youtube"})
_DEMOGRAPHICS: dict[str, tuple[str, ...]] = {
    "audience_age": ("13-17", "18-24", "25-34", "35-44", "45-54", "55-64", "65+"),
    "audience_gender": ("female", "male", "other"),
    "audience_country": ("US", "GB", "DE", "FR", "IN", "BR"),
}


def day_string(day: date) -> str:
    """``YYYY-MM-DD`` of a day (pendulum formats it, as every date the sandbox writes)."""
    return pendulum.Date(day.year, day.month, day.day).to_date_string()


def day_bounds(day: date) -> tuple[pendulum.DateTime, pendulum.DateTime]:
    """The first and the last microsecond of a UTC day."""
    start = pendulum.datetime(day.year, day.month, day.day, tz=pendulum.UTC)
    return start, start.add(days=1).subtract(microseconds=1)


def _hash(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


def account_type(account: Mapping[str, Any]) -> str | None:
    """The analytics ``account_type`` of an account (``fb_page``, ...), or None (e.g. Telegram)."""
    provider, kind = str(account.get("provider")), account.get("type")
    return _ACCOUNT_TYPES.get((provider, kind)) or _ACCOUNT_TYPES.get((provider, None))


def charts_for(kind: str) -> list[Chart]:
    """The charts an ``account_type`` offers, in catalogue order."""
    wanted = set(_BASE_CHARTS)
    if kind in _VIDEO_CHART_TYPES:
        wanted.add("video_views")
    if kind in _LINK_CHART_TYPES:
        wanted.add("link_clicks")
    if kind in _DEMOGRAPHIC_TYPES:
        wanted.update(_DEMOGRAPHICS)
    return [c for c in CHARTS.values() if c.id in wanted]


# -- one post -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostNumbers:
    """The metrics of one published post. ``has_engagement`` / ``has_saves`` say whether
    ``post_insights`` includes those two metrics (Publer leaves them out of some posts)."""

    reach: int
    likes: int
    comments: int
    shares: int
    saves: int
    video_views: int
    link_clicks: int
    post_clicks: int
    has_engagement: bool
    has_saves: bool

    @property
    def engagement(self) -> int:
        return self.likes + self.comments + self.shares + self.saves


def post_numbers(post_id: str, network: str | None, post_type: str) -> PostNumbers:
    """The metrics of a post, from its id (SHA-256), network and type.

    Reach is 100 to 10,000; likes 2-10 % of reach; comments 5-20 % and shares 0-10 % of
    likes; saves 0-7 % of likes on :data:`SAVES_NETWORKS` only; video views 30-70 % of
    reach on :data:`VIDEO_TYPES` only; link clicks 0-3 % and post clicks 1-5 % of reach.
    ``engagement`` is absent from every fourth post or so (hash divisible by 4).
    """
    h = _hash("post", post_id)
    reach = 100 + h % 9901
    likes = reach * (2 + (h >> 14) % 9) // 100
    has_saves = network in SAVES_NETWORKS
    return PostNumbers(
        reach=reach,
        likes=likes,
        comments=likes * (5 + (h >> 20) % 16) // 100,
        shares=likes * ((h >> 26) % 11) // 100,
        saves=likes * ((h >> 32) % 8) // 100 if has_saves else 0,
        video_views=reach * (30 + (h >> 38) % 41) // 100 if post_type in VIDEO_TYPES else 0,
        link_clicks=reach * ((h >> 44) % 4) // 100,
        post_clicks=reach * (1 + (h >> 50) % 5) // 100,
        has_engagement=h % 4 != 0,
        has_saves=has_saves,
    )


def followers(account_id: str, day: date) -> int:
    """An account's followers at the end of ``day``: a base of 1,000-9,999, three more each day
    since 2020-01-01, plus 0-9 of daily noise."""
    base = 1000 + _hash("base", account_id) % 9000
    return base + 3 * (day - _EPOCH).days + _hash("followers", account_id, day_string(day)) % 10


def _percent(part: int, whole: int) -> float:
    return round(part * 100 / whole, 2) if whole else 0.0


def _day(post: Post) -> pendulum.Date:
    return as_utc(post.scheduled_at or post.created_at).date()


def metric_values(post: Post) -> dict[str, int | float]:
    """Every metric of a published post (including those its ``analytics`` object leaves out)."""
    n = post_numbers(post.id, post.network, post.type)
    return {
        "reach": n.reach,
        "engagement": n.engagement,
        "engagement_rate": _percent(n.engagement, n.reach),
        "likes": n.likes,
        "comments": n.comments,
        "shares": n.shares,
        "saves": n.saves,
        "video_views": n.video_views,
        "link_clicks": n.link_clicks,
        "post_clicks": n.post_clicks,
        "click_through_rate": _percent(n.link_clicks, n.reach),
        "reach_rate": _percent(n.reach, followers(post.account_id or "", _day(post))),
    }


def post_analytics(post: Post) -> dict[str, dict[str, Any]]:
    """The ``analytics`` object of one post in ``post_insights``: ``{metric: {name, value, tooltip}}``,
    without ``engagement`` when not ``has_engagement`` and without ``saves`` when not ``has_saves``."""
    n = post_numbers(post.id, post.network, post.type)
    values = metric_values(post)
    if not n.has_engagement:
        del values["engagement"]
    if not n.has_saves:
        del values["saves"]
    return {k: {"name": METRICS[k][0], "value": v, "tooltip": METRICS[k][1]} for k, v in values.items()}


def insight_item(post: Post) -> dict[str, Any]:
    """One post of ``post_insights`` or ``hashtag_performing_posts``."""
    return {
        "id": post.id,
        "text": post.text,
        "type": post.type,
        "account_id": post.account_id,
        "network": post.network,
        "url": post.url,
        "scheduled_at": iso(post.scheduled_at),
        "post_link": post.post_link,
        "analytics": post_analytics(post),
    }


POST_SORTS = (
    "scheduled_at",
    "reach",
    "engagement",
    "engagement_rate",
    "click_through_rate",
    "reach_rate",
    "postType",
    "likes",
    "video_views",
    "comments",
    "shares",
    "saves",
    "link_clicks",
    "post_clicks",
)


def sort_posts(posts: list[Post], sort_by: str, descending: bool) -> list[Post]:
    """Sort posts for ``post_insights`` by one of :data:`POST_SORTS`, ties by post id.

    A metric sorts by its value even on posts whose ``analytics`` leave it out.
    """

    def key(post: Post) -> tuple[Any, str]:
        if sort_by == "scheduled_at":
            return (iso(post.scheduled_at) or "", post.id)
        if sort_by == "postType":
            return (post.type, post.id)
        return (metric_values(post)[sort_by], post.id)

    return sorted(posts, key=key, reverse=descending)


# -- aggregates ---------------------------------------------------------------------------------


def best_time_scores(account_id: str, posts: Iterable[Post]) -> dict[str, list[int]]:
    """``best_times``: per weekday (``monday`` ... ``sunday``), 24 hourly scores (UTC hours).

    A score is a baseline of 0-9 (hash of account, weekday and hour) plus 10 per published
    post at that weekday and hour, at most 100.
    """
    counts: dict[tuple[int, int], int] = {}
    for post in posts:
        when = as_utc(post.scheduled_at or post.created_at)
        slot = (when.weekday(), when.hour)
        counts[slot] = counts.get(slot, 0) + 1
    return {
        name: [
            min(100, _hash("best", account_id, name, str(hour)) % 10 + 10 * counts.get((index, hour), 0))
            for hour in range(24)
        ]
        for index, name in enumerate(WEEKDAYS)
    }


HASHTAG_SORTS = ("posts", "reach", "likes", "comments", "shares", "video_views")


def hashtags(text: str) -> list[str]:
    """The distinct hashtags of a text, lower-cased with their ``#``, in order of appearance."""
    return list(dict.fromkeys(f"#{tag.lower()}" for tag in HASHTAG.findall(text)))


def hashtag_records(posts: Sequence[Post]) -> list[dict[str, Any]]:
    """``hashtag_insights`` records, by hashtag (unsorted): sums of the posts' metrics.

    ``hashtag_score`` is engagement per reach in percent, rounded, at most 100;
    ``recent_posts`` the (up to) three latest posts with the hashtag.
    """
    grouped: dict[str, list[Post]] = {}
    for post in posts:
        for tag in hashtags(post.text):
            grouped.setdefault(tag, []).append(post)
    records = []
    for tag, tagged in grouped.items():
        numbers = [post_numbers(p.id, p.network, p.type) for p in tagged]
        sums = {
            name: sum(getattr(n, name) for n in numbers)
            for name in (
                "reach",
                "likes",
                "comments",
                "shares",
                "engagement",
                "video_views",
                "link_clicks",
                "post_clicks",
                "saves",
            )
        }
        latest = sorted(tagged, key=lambda p: (iso(p.scheduled_at) or "", p.id), reverse=True)[:3]
        records.append(
            {
                "hashtag": tag,
                "posts": len(tagged),
                **sums,
                "hashtag_score": min(100, round(sums["engagement"] * 100 / sums["reach"]))
                if sums["reach"]
                else 0,
                "recent_posts": [
                    {
                        "id": p.id,
                        "text": p.text,
                        "post_link": p.post_link,
                        "scheduled_at": iso(p.scheduled_at),
                    }
                    for p in latest
                ],
            }
        )
    return records


def member_rows(
    members: Sequence[Mapping[str, Any]], posts_by_member: Mapping[str, Sequence[Post]]
) -> list[dict[str, Any]]:
    """``GET /analytics/members``: per member, posts, engagements, reach and accounts.

    ``reach`` is left out for a member without a published post in the range (Publer
    documents that it may be absent).
    """
    rows = []
    for member in members:
        posts = posts_by_member.get(str(member["id"]), ())
        numbers = [post_numbers(p.id, p.network, p.type) for p in posts]
        row: dict[str, Any] = {
            "engagements": sum(n.engagement for n in numbers),
            "posts": len(posts),
            "account_ids": sorted({p.account_id for p in posts if p.account_id}),
            "user": {k: member.get(k) for k in ("id", "name", "picture")},
        }
        if posts:
            row["reach"] = sum(n.reach for n in numbers)
        rows.append(row)
    return rows


def days(start: date, end: date) -> list[pendulum.Date]:
    """Every day from ``start`` to ``end``, both included."""
    first = pendulum.Date(start.year, start.month, start.day)
    return [first.add(days=i) for i in range((end - start).days + 1)]


def chart_series(
    chart_id: str, account_id: str, period: Sequence[date], posts: Sequence[Post]
) -> dict[str, Any]:
    """One chart of ``chart_data`` over ``period`` (consecutive days) from the account's posts.

    Daily charts answer ``{"data": [{"date", "value"}], "last_value", "total"}``: ``posts``
    counts the day's published posts, ``reach`` / ``engagement`` / ``video_views`` /
    ``link_clicks`` sum :func:`post_numbers`, ``engagement_rate`` is engagement / reach in
    percent, ``followers`` is :func:`followers` and ``net_followers`` its daily change.
    ``last_value`` is the last day's value, ``total`` the sum over the period (absent for
    followers and rates). Demographic charts answer ``{"data": [{"label", "value"}]}``,
    shares in percent summing to 100.
    """
    if chart_id in _DEMOGRAPHICS:
        return {"data": _demographics(chart_id, account_id)}
    by_day: dict[date, list[PostNumbers]] = {}
    for post in posts:
        by_day.setdefault(_day(post), []).append(post_numbers(post.id, post.network, post.type))
    values = [_daily_value(chart_id, account_id, day, by_day.get(day, [])) for day in period]
    series: dict[str, Any] = {
        "data": [{"date": day_string(day), "value": v} for day, v in zip(period, values, strict=True)],
        "last_value": values[-1] if values else 0,
    }
    if chart_id not in ("followers", "engagement_rate"):
        series["total"] = sum(values)
    return series


def _daily_value(chart_id: str, account_id: str, day: date, numbers: list[PostNumbers]) -> int | float:
    if chart_id == "followers":
        return followers(account_id, day)
    if chart_id == "net_followers":
        return followers(account_id, day) - followers(
            account_id, pendulum.Date(day.year, day.month, day.day).subtract(days=1)
        )
    if chart_id == "posts":
        return len(numbers)
    if chart_id == "engagement_rate":
        return _percent(sum(n.engagement for n in numbers), sum(n.reach for n in numbers))
    return sum(int(getattr(n, chart_id)) for n in numbers)


def _demographics(chart_id: str, account_id: str) -> list[dict[str, Any]]:
    labels = _DEMOGRAPHICS[chart_id]
    weights = [1 + _hash("demo", account_id, chart_id, label) % 20 for label in labels]
    shares = [w * 100 // sum(weights) for w in weights]
    shares[0] += 100 - sum(shares)
    return [{"label": label, "value": share} for label, share in zip(labels, shares, strict=True)]


def in_range(post: Post, start: datetime | None, end: datetime | None) -> bool:
    when = post.scheduled_at
    if when is None:
        return start is None and end is None
    return (start is None or when >= start) and (end is None or when <= end)


# -- competitors --------------------------------------------------------------------------------

COMPETITORS_PER_ACCOUNT = 12
COMPETITOR_SORTS = (
    "followers",
    "reach",
    "engagement",
    "posts_count",
    "videos_count",
    "photos_count",
    "links_count",
    "statuses_count",
)


def competitors(account: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The competitors the sandbox tracks for an account: twelve of its network, ids from hashes."""
    account_id, provider = str(account["id"]), str(account.get("provider"))
    result = []
    for number in range(1, COMPETITORS_PER_ACCOUNT + 1):
        h = _hash("competitor", account_id, str(number))
        result.append(
            {
                "id": f"{h:016x}{number:08x}",
                "provider": provider,
                "name": f"Competitor {number:02d}",
                "social_id": str(h % 10**15),
                "picture": f"https://sandbox.publer.invalid/avatars/competitor-{number:02d}.png",
                "type": account.get("type"),
                "competitor_sync_in_queue": False,
                "username": f"competitor{number:02d}",
                "verified": h % 3 == 0,
            }
        )
    return result


def _row_account(
    account_id: str, name: str, provider: str, picture: str | None, mine: bool
) -> dict[str, Any]:
    return {
        "id": account_id,
        "name": name,
        "provider": provider,
        "competitor_sync_in_queue": False,
        "picture": picture,
        "my_account": mine,
    }


def competitor_row(competitor: Mapping[str, Any], first: date, last: date) -> dict[str, Any]:
    """A competitor's ``insights`` row over ``first``..``last``: counts per day of the period
    from hashes of its id, reach per post 200-999, engagement 1-8 % of reach."""
    period = (last - first).days + 1
    h = _hash("competitor-insights", str(competitor["id"]))
    counts = {
        "videos_count": period * ((h >> 4) % 2),
        "photos_count": period * (h % 3),
        "links_count": period * ((h >> 8) % 2),
        "statuses_count": period * ((h >> 12) % 3),
    }
    posts = sum(counts.values())
    reach = posts * (200 + (h >> 16) % 800)
    engagement = reach * (1 + (h >> 26) % 8) // 100
    return {
        "account": _row_account(
            str(competitor["id"]),
            str(competitor["name"]),
            str(competitor["provider"]),
            competitor.get("picture"),
            False,
        ),
        "followers": 500 + (h >> 32) % 50000,
        "followers_growth": period * ((h >> 48) % 7) - period,
        "engagement": engagement,
        "engagement_rate": _percent(engagement, reach),
        "reach": reach,
        "posts_count": posts,
        **counts,
    }


def own_row(account: Mapping[str, Any], posts: Sequence[Post], first: date, last: date) -> dict[str, Any]:
    """The account's own ``insights`` row (``my_account: true``) from its published posts."""
    account_id = str(account["id"])
    numbers = [post_numbers(p.id, p.network, p.type) for p in posts]
    reach, engagement = sum(n.reach for n in numbers), sum(n.engagement for n in numbers)
    before = pendulum.Date(first.year, first.month, first.day).subtract(days=1)
    return {
        "account": _row_account(
            account_id, str(account.get("name")), str(account.get("provider")), account.get("picture"), True
        ),
        "followers": followers(account_id, last),
        "followers_growth": followers(account_id, last) - followers(account_id, before),
        "engagement": engagement,
        "engagement_rate": _percent(engagement, reach),
        "reach": reach,
        "posts_count": len(posts),
        "videos_count": sum(p.type in VIDEO_TYPES for p in posts),
        "photos_count": sum(p.type in ("photo", "carousel") for p in posts),
        "links_count": sum(p.type == "link" for p in posts),
        "statuses_count": sum(p.type == "status" for p in posts),
    }
