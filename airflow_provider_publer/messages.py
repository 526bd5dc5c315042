"""How the provider words a refused input: the helpers every checking module shares.

Why this module exists: the request rules, the models, the id check, the media file check and
the date ranges all say "got <kind> <value>", "did you mean", "use one of ..." the same way.
Standard library only.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from typing import Any

from airflow_provider_publer.exceptions import PublerValidationError

__all__ = ["did_you_mean", "error", "json_kind", "kind", "listing", "preview", "shown"]


def error(field: str, message: str) -> PublerValidationError:
    """A validation error naming ``field`` (its dotted path)."""
    return PublerValidationError(message, field=field)


def kind(value: Any) -> str:
    """The type a value has, as the message says it (``None``, ``int``, ``list``...)."""
    return "None" if value is None else type(value).__name__


def listing(choices: Iterable[str]) -> str:
    """The choices, sorted and comma separated."""
    return ", ".join(sorted(choices))


def did_you_mean(value: Any, choices: Iterable[str]) -> str:
    """`` (did you mean "x"?)`` with the closest choice, or ``""``."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, sorted(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def shown(value: Any, limit: int = 60) -> str:
    """A value as the error shows it: its repr, cut at ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "..."


def preview(text: str, limit: int = 60) -> str:
    """The start of a text, quoted."""
    return repr(text if len(text) <= limit else text[:limit] + "...")


def json_kind(value: Any) -> str:
    """What a parsed JSON value is, for a message."""
    return "a JSON object" if isinstance(value, dict) else f"JSON {json.dumps(value)[:40]}"
