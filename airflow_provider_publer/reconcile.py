"""Find which intended posts already exist on Publer, so nothing is posted twice and nothing is lost.

Publer has no idempotency keys. When a submission's outcome is unknown (the answer was lost,
the worker died, a person cleared the task), the only truth is Publer's own list of posts.
This module turns a bulk ``posts`` list into the (post, account) pairs it should create, lists
the posts Publer holds for those accounts (filtered by account and time window, so checking N
posts costs about N / page-size requests), and splits the pairs into *found*, *missing* and
*ambiguous*.

A listed post is taken for an intended pair only if this submission could have created it:

- the same account, and a network the post has a content block for (or ``default``);
- the same text (whitespace collapsed), the same kind of content (type, media or not);
- a state that fits what was asked (a draft is never a scheduled post, and the reverse);
- a time that fits what was asked: for a ``scheduled_at``, the same minute (Publer refuses two
  posts on one account less than a minute apart); for publish-now, a time between the first
  send (recorded in the ledger) and now; without any time (auto-scheduling, drafts, recurring),
  not one of the look-alikes that existed before the first send (recorded in the ledger).

A candidate that passes everything else but whose time or age cannot be read is *ambiguous*:
the caller fails loudly instead of guessing, since guessing wrong either posts twice or
reports a lost post as landed. Publer's post list documents no ``created_at``, so none is used.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from airflow_provider_publer.timestamps import now_utc, parse_optional_timestamp, to_publer_timestamp

if TYPE_CHECKING:
    from airflow_provider_publer.hooks.publer import PublerHook

#: Posts without a time may be auto-scheduled this far ahead by the account's posting schedule.
AUTO_SCHEDULE_HORIZON = timedelta(days=400)
#: Publer's minimum gap between two posts on one account: a scheduled pair matches within it.
SAME_MINUTE = timedelta(seconds=60)
#: Clock tolerance around the publish-now window.
CLOCK_SLACK = timedelta(minutes=2)

SCHEDULED = "scheduled"  # a pair with scheduled_at
PUBLISH_NOW = "publish_now"  # POST /posts/schedule/publish, no time
UNDATED = "undated"  # no time: auto-scheduled, draft, recurring, recycled

_DRAFT_STATES = frozenset({"draft", "draft_private", "draft_public"})


@dataclass(frozen=True)
class IntendedPost:
    """One (post, account) pair of a bulk request, with what a post it created would look like."""

    post_index: int
    account_index: int
    account_id: str
    kind: str
    scheduled_at: datetime | None
    #: network key -> (normalised text, content types, has media) of the post's content blocks.
    blocks: Mapping[str, tuple[str, frozenset[str], bool]]
    #: base states (``scheduled``, ``published``, ``draft``...) a post it created can be in.
    states: frozenset[str]


@dataclass(frozen=True)
class Ambiguity:
    """A listed post that may or may not be the pair's: the caller must not guess."""

    entry: IntendedPost
    post: Mapping[str, Any]
    reason: str

    def describe(self) -> str:
        return (
            f"posts[{self.entry.post_index}].accounts[{self.entry.account_index}] (account "
            f"{self.entry.account_id}): Publer post {self.post.get('id')} ({self.post.get('state')}) has the "
            f"same text, but {self.reason}"
        )


@dataclass
class Reconciliation:
    """Which intended (post, account) pairs exist on Publer, and what is left to send."""

    found: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    missing: list[IntendedPost] = field(default_factory=list)
    ambiguous: list[Ambiguity] = field(default_factory=list)
    remaining_posts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.missing and not self.ambiguous

    @property
    def found_post_ids(self) -> list[str]:
        return [str(p.get("id")) for _, p in sorted(self.found.items()) if p.get("id")]


def intended_posts(
    posts: Sequence[Mapping[str, Any]], *, state: str = "scheduled", publish_now: bool = False
) -> list[IntendedPost]:
    """Every (post, account) pair the bulk request asks Publer to create."""
    entries = []
    for post_index, post in enumerate(posts):
        blocks = _blocks(post)
        for account_index, account in enumerate(post.get("accounts") or []):
            when = parse_optional_timestamp(account.get("scheduled_at"))
            kind = PUBLISH_NOW if publish_now else (SCHEDULED if when is not None else UNDATED)
            entries.append(
                IntendedPost(
                    post_index=post_index,
                    account_index=account_index,
                    account_id=str(account.get("id")),
                    kind=kind,
                    scheduled_at=when,
                    blocks=blocks,
                    states=_states_for(state),
                )
            )
    return entries


def reconcile(
    hook: PublerHook,
    posts: Sequence[Mapping[str, Any]],
    *,
    since: datetime,
    state: str = "scheduled",
    publish_now: bool = False,
    preexisting: Collection[str] | None = None,
    workspace_id: str | None = None,
    only_scheduled: bool = False,
) -> Reconciliation:
    """List Publer's posts for the pairs' accounts and time window; split the pairs.

    :param since: when the first send of these posts began (from the ledger).
    :param preexisting: ids of look-alikes that existed before that send (``None``: unknown).
    :param only_scheduled: look only for pairs with a ``scheduled_at`` (a first send that skips
        posts Publer already holds); every other pair is missing.
    """
    entries = intended_posts(posts, state=state, publish_now=publish_now)
    looked = [e for e in entries if e.kind == SCHEDULED] if only_scheduled else entries
    if not looked:
        return Reconciliation(missing=list(entries), remaining_posts=[dict(p) for p in posts])
    now = now_utc()
    existing = list_candidates(hook, looked, since=since, now=now, workspace_id=workspace_id)
    found = match(posts, looked, existing, since=since, now=now, preexisting=preexisting)
    if only_scheduled:
        found.missing += [e for e in entries if e.kind != SCHEDULED]
    return found


def list_candidates(
    hook: PublerHook,
    entries: Sequence[IntendedPost],
    *,
    since: datetime,
    now: datetime,
    workspace_id: str | None = None,
) -> list[dict[str, Any]]:
    """The posts that could be the pairs': one filtered listing per kind of pair."""
    listed: dict[str, dict[str, Any]] = {}
    for kind in sorted({e.kind for e in entries}):
        group = [e for e in entries if e.kind == kind]
        window = _window(group, since, now)
        states = sorted(set().union(*(e.states for e in group))) if kind == UNDATED else None
        for post in hook.list_posts(
            state=states,
            account_ids=sorted({e.account_id for e in group}),
            from_=to_publer_timestamp(window[0], field="from") if window else None,
            to=to_publer_timestamp(window[1], field="to") if window else None,
            workspace_id=workspace_id,
        ):
            listed.setdefault(str(post.get("id")), post)
    return list(listed.values())


def twins(
    posts: Sequence[Mapping[str, Any]], *, state: str = "scheduled", publish_now: bool = False
) -> list[list[str]]:
    """Groups of (post, account) pairs that a reconciliation could not tell apart: the same account
    and content, and no ``scheduled_at`` to tell them apart (publish-now, auto-scheduled, drafts).

    :return: each group's places, e.g. ``[["posts[0].accounts[0]", "posts[1].accounts[0]"]]``.
    """
    groups: dict[tuple[str, str], list[str]] = {}
    for entry in intended_posts(posts, state=state, publish_now=publish_now):
        if entry.kind == SCHEDULED:
            continue  # validation already refuses two posts on one account within a minute
        content = repr(sorted((k, v[0], sorted(v[1]), v[2]) for k, v in entry.blocks.items()))
        groups.setdefault((entry.account_id, content), []).append(
            f"posts[{entry.post_index}].accounts[{entry.account_index}]"
        )
    return [places for places in groups.values() if len(places) > 1]


def lookalikes(
    hook: PublerHook,
    posts: Sequence[Mapping[str, Any]],
    *,
    state: str,
    since: datetime,
    workspace_id: str | None = None,
) -> list[str]:
    """Ids of posts that already look like the undated pairs (auto, drafts, recurring), before sending.

    They are recorded in the ledger so a later reconciliation never takes them for ours.
    """
    entries = [e for e in intended_posts(posts, state=state) if e.kind == UNDATED]
    if not entries:
        return []
    existing = list_candidates(hook, entries, since=since, now=since, workspace_id=workspace_id)
    return sorted(
        {
            str(p.get("id"))
            for e in entries
            for p in existing
            if _same_content(e, p) and p.get("id") is not None
        }
    )


def match(
    posts: Sequence[Mapping[str, Any]],
    entries: Sequence[IntendedPost],
    existing: Sequence[Mapping[str, Any]],
    *,
    since: datetime,
    now: datetime | None = None,
    preexisting: Collection[str] | None = None,
) -> Reconciliation:
    """Pure matching step of :func:`reconcile` (no I/O); each existing post is used at most once."""
    now = now or now_utc()
    result = Reconciliation()
    by_account: dict[str, list[Mapping[str, Any]]] = {}
    for post in existing:
        by_account.setdefault(str(post.get("account_id")), []).append(post)
    used: set[str] = set()
    for entry in entries:
        verdict = _verdict(entry, by_account.get(entry.account_id, []), used, since, now, preexisting)
        if isinstance(verdict, Ambiguity):
            result.ambiguous.append(verdict)
        elif verdict is None:
            result.missing.append(entry)
        else:
            used.add(str(verdict.get("id")))
            result.found[(entry.post_index, entry.account_index)] = dict(verdict)
    result.remaining_posts = _remaining(posts, result.found)
    return result


def _verdict(
    entry: IntendedPost,
    candidates: Sequence[Mapping[str, Any]],
    used: set[str],
    since: datetime,
    now: datetime,
    preexisting: Collection[str] | None,
) -> Mapping[str, Any] | Ambiguity | None:
    doubt: Ambiguity | None = None
    for post in candidates:
        if str(post.get("id")) in used or not _same_content(entry, post):
            continue
        if _base_state(post) not in entry.states:
            continue
        fits = _fits_time(entry, post, since, now, preexisting)
        if fits is True:
            return post
        if fits is not False and doubt is None:
            doubt = Ambiguity(entry, post, fits)
    return doubt


def _fits_time(
    entry: IntendedPost,
    post: Mapping[str, Any],
    since: datetime,
    now: datetime,
    preexisting: Collection[str] | None,
) -> bool | str:
    """True, False, or why it cannot be told."""
    when = parse_optional_timestamp(post.get("scheduled_at"))
    if entry.kind == SCHEDULED:
        return (
            when is not None
            and entry.scheduled_at is not None
            and abs(when.timestamp() - entry.scheduled_at.timestamp()) < SAME_MINUTE.total_seconds()
        )
    if entry.kind == PUBLISH_NOW:
        if when is None:
            return "Publer lists no time for it, so it cannot be told whether it was published by this task"
        return since - CLOCK_SLACK <= when <= now + CLOCK_SLACK
    if preexisting is None:
        return "no record says whether it existed before this task first sent its posts"
    return str(post.get("id")) not in preexisting


def _same_content(entry: IntendedPost, post: Mapping[str, Any]) -> bool:
    """Same text and kind of content, in a block for the post's network (any block if none listed)."""
    network = str(post.get("network") or "")
    if network:
        block = entry.blocks.get(network) or entry.blocks.get("default")
        return block is not None and _block_fits(block, post)
    return any(_block_fits(block, post) for block in entry.blocks.values())


def _block_fits(block: tuple[str, frozenset[str], bool], post: Mapping[str, Any]) -> bool:
    text, types, has_media = block
    if _normalise_text(post.get("text")) != text:
        return False
    listed_type = str(post.get("type") or "")
    if listed_type and types and listed_type not in types:
        return False
    # A post made with media lists has_media true; the reverse is not safe to assume (link
    # previews may count as media), so only a missing media rules a candidate out.
    return not (has_media and post.get("has_media") is False)


def _blocks(post: Mapping[str, Any]) -> dict[str, tuple[str, frozenset[str], bool]]:
    blocks = {}
    for key, block in (post.get("networks") or {}).items():
        if not isinstance(block, Mapping):
            continue
        details = block.get("details")
        details = details if isinstance(details, Mapping) else {}
        types = frozenset(str(t) for t in (block.get("type"), details.get("type")) if t)
        blocks[str(key)] = (_normalise_text(block.get("text")), types, bool(block.get("media")))
    return blocks


def _states_for(state: str) -> frozenset[str]:
    """Base states a post created with ``bulk.state`` can be listed in."""
    if state in _DRAFT_STATES:
        return frozenset({"draft"})
    if state == "recurring":
        return frozenset({"recurring", "scheduled", "published", "failed"})
    if state == "recycle":
        return frozenset({"recycling", "scheduled", "published", "failed"})
    return frozenset({"scheduled", "published", "failed"})


def _base_state(post: Mapping[str, Any]) -> str:
    return str(post.get("state") or "").split("_", 1)[0]


def _window(
    group: Sequence[IntendedPost], since: datetime, now: datetime
) -> tuple[datetime, datetime] | None:
    kind = group[0].kind
    if kind == SCHEDULED:
        times = [e.scheduled_at for e in group if e.scheduled_at is not None]
        return min(times) - SAME_MINUTE, max(times) + SAME_MINUTE
    if kind == PUBLISH_NOW:
        return since - CLOCK_SLACK, now + CLOCK_SLACK
    if group[0].states == frozenset({"draft"}):
        return None  # drafts may have no time at all: list them by account and state
    return since - CLOCK_SLACK, max(since, now) + AUTO_SCHEDULE_HORIZON


def _remaining(
    posts: Sequence[Mapping[str, Any]], found: Mapping[tuple[int, int], Any]
) -> list[dict[str, Any]]:
    """The posts still to send, each with only the accounts not found on Publer."""
    remaining = []
    for post_index, post in enumerate(posts):
        accounts = [
            account
            for account_index, account in enumerate(post.get("accounts") or [])
            if (post_index, account_index) not in found
        ]
        if accounts:
            trimmed = copy.deepcopy(dict(post))
            trimmed["accounts"] = copy.deepcopy(accounts)
            remaining.append(trimmed)
    return remaining


def _normalise_text(value: Any) -> str:
    return " ".join(str(value or "").split())
