"""A dry run of a submission: what it would create, what Publer already holds, what Publer would refuse.

``PublerSchedulePostOperator(dry_run=True)`` validates everything, then reads (never writes)
Publer: the posts it already holds for the accounts and the period of the calendar, the
workspace's plan (``GET /workspaces``) and the accounts' networks (``GET /accounts``). From
those it predicts the per-account failures a real submission would meet, which Publer reports
only after the fact, in the job's result:

- "There's another post at this time": a post less than a minute from an existing post (or
  from another post of the calendar) on the same account;
- "Daily post limit reached": more posts in a rolling 24 hours than the plan allows the
  account's network (the table of Publer's rate-limit docs, :data:`DAILY_POST_LIMITS`).

It also refuses, as Publer would, a post for an account the workspace does not have
("Resource does not exist") or whose network has no content block ("No content provided for
<network>"). Posts already on Publer (same account, minute and text) are predicted as the run
will treat them: with ``skip_existing=True`` the run does not send them (``already_there``);
without it the run sends them again and Publer refuses them for the one-minute gap (``refused``).

Every (post, account) pair is in exactly one category: ``would_create + already_there +
refused_total == pairs``, and the log says the same figures.
"""

from __future__ import annotations

import bisect
from collections import defaultdict, deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_publer import networks
from airflow_provider_publer.reconcile import (
    SAME_MINUTE,
    IntendedPost,
    intended_posts,
    match,
)
from airflow_provider_publer.timestamps import now_utc, parse_optional_timestamp, to_publer_timestamp
from airflow_provider_publer.validation import GAP_RULE, MAX_POSTS_PER_REQUEST

if TYPE_CHECKING:
    from airflow_provider_publer.hooks.publer import PublerHook

DAY = timedelta(hours=24)
PLANS = ("free", "professional", "business")

#: Publer's daily post limits per account (rolling 24 h): network -> (free, professional, business).
#: LinkedIn pages and profiles differ; "linkedin" is the profile row, "linkedin_page" the page row.
#: One row per network in :mod:`airflow_provider_publer.networks`.
DAILY_POST_LIMITS: dict[str, tuple[int, int, int]] = networks.DAILY_POST_LIMITS
DAILY_LIMIT_RULE = "Daily post limit reached for this account"

#: At most this many refusals are listed in the return value (the log has them all).
REPORTED_REFUSALS = 200


@dataclass
class DryRunReport:
    """What a submission would do. ``to_dict()`` is the operator's (small) return value."""

    posts: int
    pairs: int
    requests: int
    would_create: int = 0
    already_there: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": True,
            "posts": self.posts,
            "pairs": self.pairs,
            "requests": self.requests,
            "would_create": self.would_create,
            "already_there": len(self.already_there),
            "refused": self.refused[:REPORTED_REFUSALS],
            "refused_total": len(self.refused),
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        """The report for the task log, one line each."""
        lines = [
            f"Dry run: {self.posts} post(s), {self.pairs} (post, account) pair(s), "
            f"{self.requests} request(s); nothing was sent.",
            f"Would create {self.would_create} post(s); {len(self.already_there)} already on Publer; "
            f"{len(self.refused)} would be refused.",
        ]
        lines += [f"  already on Publer: {a['where']} -> post {a['post_id']}" for a in self.already_there]
        lines += [
            f"  would be refused: {r['where']} (account {r['account_id']}): {r['reason']}"
            for r in self.refused
        ]
        lines += [f"  note: {n}" for n in self.notes]
        return lines


def dry_run(
    hook: PublerHook,
    posts: Sequence[Mapping[str, Any]],
    *,
    state: str,
    publish_now: bool,
    workspace_id: str,
    plan: str | None = None,
    max_posts_per_request: int = MAX_POSTS_PER_REQUEST,
    skip_existing: bool = False,
) -> DryRunReport:
    """Predict a submission of validated ``posts`` from what Publer holds; sends nothing.

    :param skip_existing: the run skips posts Publer already holds (predict them as
        ``already_there``); otherwise it sends them again and Publer refuses them.
    :param plan: ``free``, ``professional`` or ``business``; by default the workspace's plan as
        ``GET /workspaces`` lists it.
    """
    entries = intended_posts(posts, state=state, publish_now=publish_now)
    report = DryRunReport(
        posts=len(posts), pairs=len(entries), requests=-(-len(posts) // max_posts_per_request)
    )
    accounts = {str(a.get("id")): a for a in hook.list_accounts(workspace_id)}
    report.refused += _account_problems(entries, accounts)
    unusable = {r["where"] for r in report.refused}
    entries = [e for e in entries if _where(e) not in unusable]
    dated = [e for e in entries if e.scheduled_at is not None]
    now = now_utc()
    drafts = state.startswith("draft")
    existing = _existing(hook, dated, now, workspace_id) if skip_existing or not drafts else []
    found = match(posts, dated, existing, since=now, now=now, preexisting=[])
    if drafts:
        if skip_existing:
            report.already_there += [
                {"where": f"posts[{p}].accounts[{a}]", "post_id": str(post.get("id"))}
                for (p, a), post in sorted(found.found.items())
            ]
        report.would_create = len(entries) - len(report.already_there)
        report.notes.append("drafts take no publishing slot: no gap or daily limit applies")
        return report
    for (post_index, account_index), post in sorted(found.found.items()):
        where = f"posts[{post_index}].accounts[{account_index}]"
        if skip_existing:
            report.already_there.append({"where": where, "post_id": str(post.get("id"))})
            continue
        # The run sends it again (skip_existing is off), and Publer refuses it for the gap.
        report.refused.append(
            {
                "where": where,
                "account_id": str(post.get("account_id")),
                "reason": f"{GAP_RULE} (the same post is already on Publer: post {post.get('id')}; "
                "skip_existing=True would not send it)",
            }
        )
    new = [e for e in dated if (e.post_index, e.account_index) not in found.found]
    there = {str(p.get("id")) for p in found.found.values()}
    active = [p for p in existing if _counts(p) and str(p.get("id")) not in there]
    report.refused += _gaps(new, active)
    report.refused += _daily_limits(new, active, accounts, hook, workspace_id, plan, report.notes)
    undated = len(entries) - len(dated)
    if undated:
        report.notes.append(
            f"{undated} pair(s) have no scheduled_at: Publer places them (posting schedule or now), "
            "so gaps and daily limits cannot be predicted for them"
        )
    report.refused = _first_reason_each(report.refused)
    report.would_create = report.pairs - len(report.refused) - len(report.already_there)
    return report


def _first_reason_each(refused: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One refusal per pair (the first reason found): the categories stay disjoint."""
    seen: set[str] = set()
    kept = []
    for item in refused:
        if item["where"] not in seen:
            seen.add(item["where"])
            kept.append(item)
    return kept


def _existing(
    hook: PublerHook, dated: Sequence[IntendedPost], now: datetime, workspace_id: str
) -> list[dict[str, Any]]:
    """Posts on the calendar's accounts from a day before its first post to a minute after its last."""
    if not dated:
        return []
    times = [e.scheduled_at for e in dated if e.scheduled_at is not None]
    accounts = sorted({e.account_id for e in dated})
    first, last = min(times) - DAY, max(times) + SAME_MINUTE
    return hook.list_posts(
        account_ids=accounts,
        from_=to_publer_timestamp(first, field="from"),
        to=to_publer_timestamp(last, field="to"),
        workspace_id=workspace_id,
    )


def _counts(post: Mapping[str, Any]) -> bool:
    """Whether an existing post takes a publishing slot (scheduled or published, not failed or draft)."""
    base = str(post.get("state") or "").split("_", 1)[0]
    return (
        base in ("scheduled", "published") and parse_optional_timestamp(post.get("scheduled_at")) is not None
    )


def _where(entry: IntendedPost) -> str:
    return f"posts[{entry.post_index}].accounts[{entry.account_index}]"


def _gaps(new: Sequence[IntendedPost], existing: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """New pairs less than a minute from an existing post on the same account."""
    times: dict[str, list[float]] = defaultdict(list)
    for post in existing:
        when = parse_optional_timestamp(post.get("scheduled_at"))
        if when is not None:
            times[str(post.get("account_id"))].append(when.timestamp())
    for account_times in times.values():
        account_times.sort()
    refused = []
    for entry in new:
        if entry.scheduled_at is None:
            continue
        moment = entry.scheduled_at.timestamp()
        slots = times.get(entry.account_id, [])
        i = bisect.bisect_left(slots, moment - SAME_MINUTE.total_seconds() + 1e-6)
        if i < len(slots) and abs(slots[i] - moment) < SAME_MINUTE.total_seconds():
            refused.append({"where": _where(entry), "account_id": entry.account_id, "reason": GAP_RULE})
    return refused


def _account_problems(
    entries: Sequence[IntendedPost], accounts: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Pairs for an account the workspace does not have, or with no content for its network."""
    refused = []
    for entry in entries:
        account = accounts.get(entry.account_id)
        if account is None:
            reason = (
                "Resource does not exist: the workspace has no account with this id "
                "(list them with PublerHook().list_accounts())"
            )
        elif not _has_content_for(entry, str(account.get("provider") or "")):
            reason = f"No content provided for {account.get('provider')}"
        else:
            continue
        refused.append({"where": _where(entry), "account_id": entry.account_id, "reason": reason})
    return refused


def _has_content_for(entry: IntendedPost, provider: str) -> bool:
    if "default" in entry.blocks or not provider:
        return True
    keys = {"wordpress_oauth", "wordpress_basic"} if provider == "wordpress" else {provider}
    return bool(keys & set(entry.blocks))


def _daily_limits(
    new: Sequence[IntendedPost],
    existing: Sequence[Mapping[str, Any]],
    accounts: Mapping[str, Mapping[str, Any]],
    hook: PublerHook,
    workspace_id: str,
    plan: str | None,
    notes: list[str],
) -> list[dict[str, Any]]:
    """New pairs past the plan's daily limit of their account's network (rolling 24 hours)."""
    if not new:
        return []
    plan = plan or _workspace_plan(hook, workspace_id)
    if plan not in PLANS:
        notes.append(
            f"the workspace's plan ({plan or 'not listed'}) has no published daily limits: not checked"
        )
        return []
    networks = {account_id: _limit_key(account) for account_id, account in accounts.items()}
    timelines: dict[str, list[tuple[float, IntendedPost | None]]] = defaultdict(list)
    for post in existing:
        when = parse_optional_timestamp(post.get("scheduled_at"))
        if when is not None:
            timelines[str(post.get("account_id"))].append((when.timestamp(), None))
    for entry in new:
        if entry.scheduled_at is not None:
            timelines[entry.account_id].append((entry.scheduled_at.timestamp(), entry))
    refused = []
    column = PLANS.index(plan)
    for account_id, timeline in timelines.items():
        network = networks.get(account_id)
        if network not in DAILY_POST_LIMITS:
            continue
        limit = DAILY_POST_LIMITS[network][column]
        timeline.sort(key=lambda item: item[0])
        window: deque[float] = deque()
        for moment, pair in timeline:
            while window and window[0] <= moment - DAY.total_seconds():
                window.popleft()
            if pair is not None and len(window) >= limit:
                reason = f"{DAILY_LIMIT_RULE} ({limit} {network} posts per 24 hours on the {plan} plan)"
                refused.append({"where": _where(pair), "account_id": account_id, "reason": reason})
                continue  # a refused post takes no slot
            window.append(moment)
    return refused


def _workspace_plan(hook: PublerHook, workspace_id: str) -> str | None:
    for workspace in hook.list_workspaces():
        if str(workspace.get("id")) == workspace_id:
            plan = workspace.get("plan")
            return str(plan).lower() if plan else None
    return None


def _limit_key(account: Mapping[str, Any]) -> str:
    provider = str(account.get("provider") or "")
    if provider == "linkedin" and str(account.get("type") or "") == "page":
        return "linkedin_page"
    return provider
