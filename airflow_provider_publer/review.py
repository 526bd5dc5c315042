"""What a reviewer sees and answers when posts wait for approval, and what the answer makes of them.

:class:`~airflow_provider_publer.operators.approval.PublerApprovePostsOperator` asks a person,
through Airflow's human-in-the-loop "Required Actions" page, to approve posts before they are
scheduled. This module holds everything of that exchange that needs no Airflow, so that it is
tested on its own and costs nothing at DAG parse time:

- the preview (Markdown, the only markup the page renders): a summary first, then the posts
  grouped by day in a stated time zone, each with the account's name and network, the text each
  network will show with its count against the network's limit
  (:data:`~airflow_provider_publer.networks.NETWORKS`), media as thumbnails and links;
- the form a reviewer fills in: which posts to approve (``approve``), the texts, editable in
  place (``texts``), and a reason for what is not approved (``reason``);
- what the answer makes of the posts (:func:`apply_answer`): the approved posts with the edits,
  checked again exactly as scheduling checks them, and a record of the decision.

Post texts are data: they are escaped for Markdown and never rendered as templates.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pendulum

from airflow_provider_publer.exceptions import PublerValidationError
from airflow_provider_publer.networks import network as network_row
from airflow_provider_publer.text_length import count_characters, text_length
from airflow_provider_publer.validation import validate_posts

#: The form fields of an approval request (Airflow params of the human-in-the-loop request).
PARAM_APPROVE = "approve"
PARAM_TEXTS = "texts"
PARAM_REASON = "reason"
PARAM_NAMES = (PARAM_APPROVE, PARAM_TEXTS, PARAM_REASON)

#: Posts shown in full in the preview; beyond this a day lists one line per post.
FULL_PREVIEW_POSTS = 50
#: Characters of a text shown on a one-line entry.
SHORT_TEXT = 80

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def network_name(key: str) -> str:
    """How a network is called in the preview (``twitter`` -> ``X``), from the networks table;
    ``default`` is the block every network takes, ``wordpress`` an account's provider."""
    if key == "default":
        return "every network"
    if key == "wordpress":
        return "WordPress"
    row = network_row(key)
    return row.name if row is not None else key.replace("_", " ").title()


def escape_markdown(text: str) -> str:
    """``text`` shown as written: Markdown's special characters escaped, line breaks kept."""
    escaped = _MARKDOWN_SPECIAL.sub(r"\\\1", text)
    return "  \n".join(escaped.splitlines()) if escaped else ""


def text_key(number: int, network: str) -> str:
    """The key of one text in the ``texts`` field: post number and network key, ``"2.twitter"``."""
    return f"{number}.{network}"


def post_texts(posts: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Every text of the posts, keyed by :func:`text_key`: the ``texts`` field as first shown."""
    texts: dict[str, str] = {}
    for number, post in enumerate(posts, start=1):
        for network, block in (post.get("networks") or {}).items():
            if isinstance(block, Mapping) and isinstance(block.get("text"), str):
                texts[text_key(number, network)] = block["text"]
    return texts


# -- the preview -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """One post on one account: what the network will show, and when."""

    number: int
    account_id: str | None
    account: str
    provider: str | None
    network: str
    when: pendulum.DateTime | None
    text: str | None
    media: list[Mapping[str, Any]]
    url: str | None
    title: str | None


@dataclass
class Preview:
    """The posts as a reviewer reads them.

    :param posts: the posts, validated (as
        :func:`~airflow_provider_publer.validation.validate_posts` returns them).
    :param accounts: the workspace's accounts by id (``{id: {"name", "provider", ...}}``, as
        ``PublerHook.list_accounts`` returns them); an account not found shows its id.
    :param timezone: the time zone the times are shown in (an IANA name, e.g. ``Europe/Berlin``).
    :param media_urls: media id -> thumbnail URL, for media given by id.
    :param posts_url: a page listing the posts on Publer, linked from the summary.
    :param calendar_url: the provider's Publer page in the Airflow UI (the content calendar with
        each post's state), linked from the summary.
    """

    posts: Sequence[Mapping[str, Any]]
    accounts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    timezone: str = "UTC"
    media_urls: Mapping[str, str] = field(default_factory=dict)
    posts_url: str | None = None
    calendar_url: str | None = None

    def placements(self) -> list[Placement]:
        found = []
        for number, post in enumerate(self.posts, start=1):
            networks: Mapping[str, Any] = post.get("networks") or {}
            for account in post.get("accounts") or [{"id": None}]:
                found.append(self._placement(number, networks, account))
        return found

    def _placement(self, number: int, networks: Mapping[str, Any], entry: Mapping[str, Any]) -> Placement:
        account_id = entry.get("id")
        account = self.accounts.get(str(account_id), {}) if account_id else {}
        provider = account.get("provider")
        network = str(provider) if provider in networks else "default"
        if network not in networks:
            network = next(iter(networks), "default")
        block: Mapping[str, Any] = networks.get(network) or {}
        when = entry.get("scheduled_at")
        return Placement(
            number=number,
            account_id=str(account_id) if account_id else None,
            account=str(account.get("name") or account_id or "(an idea: no account)"),
            provider=str(provider) if provider else None,
            network=network,
            when=pendulum.parse(when).in_timezone(self.timezone) if isinstance(when, str) else None,  # type: ignore[union-attr]
            text=block.get("text") if isinstance(block.get("text"), str) else None,
            media=[m for m in block.get("media") or [] if isinstance(m, Mapping)],
            url=block.get("url") if isinstance(block.get("url"), str) else None,
            title=block.get("title") if isinstance(block.get("title"), str) else None,
        )

    def choices(self) -> dict[str, str]:
        """Post number -> a one-line label (the ``approve`` field's choices)."""
        labels: dict[str, list[str]] = {}
        for p in self.placements():
            labels.setdefault(str(p.number), []).append(f"{p.account} ({self._network(p)})")
        first_time = {str(p.number): p.when for p in reversed(self.placements())}
        return {
            number: f"#{number} {self._time(first_time[number])}: {', '.join(accounts)}"
            for number, accounts in labels.items()
        }

    def period(self) -> str:
        """``Mon 2030-06-03 09:00 to Tue 2030-06-04 12:00`` (the first and last time), or ``""``."""
        times = [p.when for p in self.placements() if p.when is not None]
        if not times:
            return ""
        first, last = self._time(min(times)), self._time(max(times))
        return first if first == last else f"{first} to {last}"

    def markdown(self, intro: str | None = None) -> str:
        """The preview as Markdown: a summary, then the posts day by day."""
        placements = self.placements()
        lines = [intro.strip(), ""] if intro and intro.strip() else []
        lines += self._summary(placements)
        full = len(self.posts) <= FULL_PREVIEW_POSTS
        for day, on_day in _by_day(placements):
            lines += ["", f"### {day} ({_plural(len({p.number for p in on_day}), 'post')})", ""]
            for placement in on_day:
                lines += self._full(placement) if full else [self._short(placement)]
        if not full:
            lines += [
                "",
                f"_{len(self.posts)} posts: one line each. "
                f"The full texts are in the **{PARAM_TEXTS}** field._",
            ]
        return "\n".join(lines).strip() + "\n"

    def _summary(self, placements: list[Placement]) -> list[str]:
        period = self.period()
        accounts = Counter(f"{p.account} ({self._network(p)})" for p in placements)
        over = [p for p in placements if _over_limit(p)]
        lines = [
            f"**{_plural(len(self.posts), 'post')}** on **{_plural(len(accounts), 'account')}**"
            + (f", {period}" if period else "")
            + f". Times in **{self.timezone}**.",
            "",
        ]
        lines += [
            f"- {escape_markdown(name)}: {_plural(count, 'post')}" for name, count in accounts.most_common()
        ]
        unscheduled = sum(1 for p in placements if p.when is None)
        if unscheduled:
            lines.append(f"- {unscheduled} without a time (the account's posting schedule, or a draft)")
        if over:
            lines.append(f"- **{len(over)} over a network's limit**")
        if self.posts_url:
            lines += ["", f"[The posts already on Publer]({self.posts_url})"]
        if self.calendar_url:
            lines += ["", f"[The content calendar in Airflow (Browse > Publer)]({self.calendar_url})"]
        lines += [
            "",
            f"Approve all, or only the posts listed in **{PARAM_APPROVE}**; edit a text in **{PARAM_TEXTS}** "
            f"(it is checked again before anything is sent); say why in **{PARAM_REASON}**.",
        ]
        return lines

    def _full(self, p: Placement) -> list[str]:
        lines = [
            f"#### #{p.number} · {self._clock(p.when)} · {escape_markdown(p.account)} · {self._network(p)}",
            "",
        ]
        if p.title:
            lines += [f"**{escape_markdown(p.title)}**", ""]
        if p.text is not None:
            lines += [f"> {escape_markdown(p.text).replace(chr(10), chr(10) + '> ')}", "", _count(p), ""]
        thumbs = [self._thumbnail(m) for m in p.media]
        if thumbs:
            lines += [" ".join(thumbs), ""]
        if p.url:
            lines += [f"Link: <{p.url}>", ""]
        return lines

    def _short(self, p: Placement) -> str:
        text = (p.text or "").replace("\n", " ")
        if len(text) > SHORT_TEXT:
            text = text[: SHORT_TEXT - 1] + "…"
        media = f" · {_plural(len(p.media), 'media file')}" if p.media else ""
        flag = " · **over the limit**" if _over_limit(p) else ""
        return (
            f"- #{p.number} {self._clock(p.when)} · {escape_markdown(p.account)} ({self._network(p)}): "
            f"{escape_markdown(text)}{media}{flag}"
        )

    def _thumbnail(self, media: Mapping[str, Any]) -> str:
        url = media.get("thumbnail") or media.get("path") or self.media_urls.get(str(media.get("id")))
        label = escape_markdown(
            str(media.get("alt_text") or media.get("caption") or media.get("type") or "media")
        )
        if not url:
            return f"[{label}: media {escape_markdown(str(media.get('id')))}]"
        return f"[![{label}]({url})]({media.get('path') or url})"

    def _network(self, p: Placement) -> str:
        return network_name(p.provider or p.network)

    def _time(self, when: pendulum.DateTime | None) -> str:
        return when.format("ddd YYYY-MM-DD HH:mm") if when is not None else "no time set"

    def _clock(self, when: pendulum.DateTime | None) -> str:
        return when.format("HH:mm") if when is not None else "no time set"


def _by_day(placements: list[Placement]) -> list[tuple[str, list[Placement]]]:
    dated = sorted((p for p in placements if p.when is not None), key=lambda p: (p.when, p.number))
    days: dict[str, list[Placement]] = {}
    for p in dated:
        assert p.when is not None
        days.setdefault(p.when.format("dddd YYYY-MM-DD"), []).append(p)
    undated = [p for p in placements if p.when is None]
    if undated:
        days["Without a time"] = undated
    return list(days.items())


def _length_and_limit(p: Placement) -> tuple[int, int | None]:
    """The text's length as its network counts it, and that network's limit (``None``: none)."""
    assert p.text is not None
    row = network_row(p.provider or p.network) or network_row(p.network)
    if row is None or row.text_limit is None:
        return count_characters(p.text), None
    return text_length(p.text, row.counting), row.text_limit


def _count(p: Placement) -> str:
    length, limit = _length_and_limit(p)
    if limit is None:
        return f"{length:,} characters"
    mark = "**over the limit**" if length > limit else "within the limit"
    return f"{length:,} / {limit:,} characters on {network_name(p.provider or p.network)} ({mark})"


def _over_limit(p: Placement) -> bool:
    if p.text is None:
        return False
    length, limit = _length_and_limit(p)
    return limit is not None and length > limit


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


# -- the answer ------------------------------------------------------------------------------------


@dataclass
class Decision:
    """What a reviewer's answer makes of the posts.

    :param posts: the approved posts with the edits, validated again (what scheduling takes).
    :param approved: numbers (1-based) of the approved posts.
    :param rejected: numbers of the posts not approved.
    :param edited: the texts changed, as ``"<number>.<network>"`` keys.
    """

    posts: list[dict[str, Any]]
    approved: list[int]
    rejected: list[int]
    edited: list[str]


def apply_answer(
    posts: Sequence[Mapping[str, Any]],
    approve: Any,
    texts: Any,
    *,
    state: str = "scheduled",
    publish_now: bool = False,
    now: datetime | None = None,
) -> Decision:
    """The approved posts with the reviewer's edits, checked again exactly as scheduling checks them.

    :param posts: the posts the reviewer saw, as the approval request showed them.
    :param approve: the post numbers approved (``["1", "3"]``); ``None`` approves every post.
    :param texts: the ``texts`` field as answered: ``{"<number>.<network>": text}``; a key left
        out keeps its text.
    :raises PublerValidationError: naming the field (``approve``, ``texts["2.twitter"]``) and the
        problem; nothing is to be sent then.
    """
    numbers = _approved_numbers(approve, len(posts))
    edits = _edits(posts, texts)
    approved_posts: list[dict[str, Any]] = []
    for number in numbers:
        post = _copy(posts[number - 1])
        for network, block in post.get("networks", {}).items():
            key = text_key(number, network)
            if key in edits:
                block["text"] = edits[key]
        approved_posts.append(post)
    edited = [key for key in edits if int(key.split(".", 1)[0]) in numbers]
    checked: list[dict[str, Any]] = []
    if approved_posts:
        try:
            checked = validate_posts(
                approved_posts, state=state, publish_now=publish_now, now=now, max_posts=None
            )
        except PublerValidationError as err:
            raise _renumbered(err, numbers) from None
    rejected = [n for n in range(1, len(posts) + 1) if n not in numbers]
    return Decision(posts=checked, approved=numbers, rejected=rejected, edited=edited)


def _approved_numbers(approve: Any, total: int) -> list[int]:
    if approve is None:
        return list(range(1, total + 1))
    if isinstance(approve, (str, int)):
        approve = [approve]
    if not isinstance(approve, (list, tuple)):
        raise PublerValidationError(
            f'must be a list of post numbers such as ["1", "3"], got {type(approve).__name__}',
            field=PARAM_APPROVE,
        )
    numbers: list[int] = []
    for item in approve:
        text = str(item).strip().lstrip("#")
        if not text.isdigit() or not 1 <= int(text) <= total:
            raise PublerValidationError(
                f"{item!r} is not a post number; choose among 1 to {total}", field=PARAM_APPROVE
            )
        if int(text) not in numbers:
            numbers.append(int(text))
    return sorted(numbers)


def _edits(posts: Sequence[Mapping[str, Any]], texts: Any) -> dict[str, str]:
    if texts is None:
        return {}
    if not isinstance(texts, Mapping):
        raise PublerValidationError(
            f'must be an object of "<post number>.<network>": text, got {type(texts).__name__}',
            field=PARAM_TEXTS,
        )
    shown = post_texts(posts)
    edits = {}
    for key, text in texts.items():
        if key not in shown:
            raise PublerValidationError(
                f"has {key!r}, which is no text of these posts; keep the keys as shown "
                f"(e.g. {next(iter(shown), '1.default')!r}) and change only the texts",
                field=PARAM_TEXTS,
            )
        if not isinstance(text, str):
            raise PublerValidationError(
                f"must be text, got {type(text).__name__}", field=f"{PARAM_TEXTS}[{key!r}]"
            )
        if text != shown[key]:
            edits[key] = text
    return edits


def _renumbered(err: PublerValidationError, numbers: list[int]) -> PublerValidationError:
    """``posts[1].networks.twitter.text`` of the approved list -> ``texts["3.twitter"]`` (post 3)."""

    def rename(error: PublerValidationError) -> PublerValidationError:
        where = error.field or ""
        match = re.match(r"posts\[(\d+)\](?:\.networks\.([\w]+)\.text)?", where)
        if match is None:
            return PublerValidationError(error.problem, field=where or None)
        number = numbers[int(match.group(1))]
        if match.group(2) and match.end() == len(where):
            name = f"{PARAM_TEXTS}[{text_key(number, match.group(2))!r}] (post {number})"
        else:
            name = f"post {number}: {where}"
        return PublerValidationError(error.problem, field=name)

    first = rename(err)
    return PublerValidationError(first.problem, field=first.field, more=[rename(e) for e in err.more])


def _copy(post: Mapping[str, Any]) -> dict[str, Any]:
    import copy

    return copy.deepcopy(dict(post))
