"""How a sandbox pages its lists, including the server behaviours a client must survive.

Publer pages ``GET /posts``, ``GET /media`` and the analytics lists with a 0-based
``page`` parameter and a fixed page size, but its own documentation shows different
answers: ``"page": 1, "total_pages": 3`` for a first page (a 1-based echo), and some
lists carry no totals at all. Nothing says what a page past the end holds. A client
must therefore stop on the pages it requested, whatever the server echoes.

:class:`Paging` reproduces each behaviour, chosen by ``SandboxConfig.page_echo`` and
``SandboxConfig.past_end`` (or per request by the ``X-Sandbox-Page-Echo`` and
``X-Sandbox-Past-End`` headers):

* ``page_echo="zero"`` (default) echoes the requested 0-based page; ``"one"`` echoes
  page + 1; ``"none"`` leaves out every paging key (``page``, ``per_page``,
  ``total_pages`` and ``total``).
* ``past_end="empty"`` (default) answers a page past the end with an empty list;
  ``"last"`` answers it with the last page again (the echoed page is still the
  requested one).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

PAGE_ECHOES = ("zero", "one", "none")
PAST_ENDS = ("empty", "last")
PAGE_ECHO_HEADER = "x-sandbox-page-echo"
PAST_END_HEADER = "x-sandbox-past-end"

T = TypeVar("T")


@dataclass(frozen=True)
class Paging:
    """One paging behaviour: what the page keys echo and what a page past the end holds."""

    echo: str = "zero"
    past_end: str = "empty"

    def __post_init__(self) -> None:
        if self.echo not in PAGE_ECHOES:
            raise ValueError(f"page_echo must be one of {PAGE_ECHOES}, got {self.echo!r}")
        if self.past_end not in PAST_ENDS:
            raise ValueError(f"past_end must be one of {PAST_ENDS}, got {self.past_end!r}")

    def served_page(self, total: int, page: int, per_page: int) -> int:
        """The page whose items answer a request for ``page`` (0-based)."""
        pages = math.ceil(total / per_page)
        if self.past_end == "last" and pages and page >= pages:
            return pages - 1
        return page

    def slice(self, items: Sequence[T], page: int, per_page: int) -> Sequence[T]:
        """The items that answer a request for ``page``."""
        served = self.served_page(len(items), page, per_page)
        return items[served * per_page : (served + 1) * per_page]

    def keys(self, total: int, page: int, per_page: int, *, page_keys: bool) -> dict[str, Any]:
        """The paging keys of an answer: ``total``, plus ``page``, ``per_page`` and ``total_pages``
        where the shape has them (``page_keys``, i.e. ``GET /posts``); none under ``"none"``."""
        if self.echo == "none":
            return {}
        if not page_keys:
            return {"total": total}
        return {
            "total": total,
            "page": page + 1 if self.echo == "one" else page,
            "per_page": per_page,
            "total_pages": math.ceil(total / per_page),
        }
