"""No post carries a secret: what Airflow masks in logs is never sent to Publer as content.

Why this module exists: a post's text can come from anywhere (a calendar file, an upstream
task's XCom, a template), and a text that holds a connection's password or a Variable's secret
value would be published to the world, while Airflow's rendered-fields view shows ``***`` and
a reviewer sees nothing. Airflow's secrets masker knows every secret the process has read (the
connection passwords and extras, sensitive Variables, the Publer key itself), so the content of
every request that creates or changes posts is checked against it before anything is sent,
whatever its origin. The check names the field, never the secret.

The masker knows the secrets of its own process: the Publer key always (the hook registers it
before it sends anything, so the hook's own check never misses it), and the connections and
Variables the task itself read. Secrets shorter than Airflow masks (5 characters) are not
recognised, as in task logs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from airflow_provider_publer.exceptions import PublerValidationError


def masked_fields(value: Any, path: str) -> list[str]:
    """The paths of the strings in ``value`` (nested dicts and lists) that hold a masked secret."""
    redact = _redactor()
    if redact is None:
        return []
    return [where for where, text in _strings(value, path) if redact(text) != text]


def refuse_masked_secrets(value: Any, path: str) -> None:
    """Refuse content that holds a secret Airflow masks, before anything is sent.

    :param value: the content of a request (posts, an update), JSON types.
    :param path: the name of ``value`` in the error (``posts``, ``post``).
    :raises PublerValidationError: naming every field that holds a secret (never the secret).
    """
    fields = masked_fields(value, path)
    if fields:
        shown = ", ".join(fields[:10]) + (f" and {len(fields) - 10} more" if len(fields) > 10 else "")
        raise PublerValidationError(
            f"holds a secret that Airflow masks (a connection's password or extra, a sensitive Variable, "
            f"the API key) in {shown}; nothing was sent. Posts are published for everyone to read: remove "
            "the secret from the content (a calendar file or an upstream task may have put it there)",
            field=fields[0],
        )


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every text of ``value`` as it would be sent: strings, numbers (a secret of digits read from a
    file as a number) and the keys of mappings."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        yield path, str(value)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield f"{path} (a key)", str(key)
            yield from _strings(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, f"{path}[{index}]")


def _redactor() -> Any:
    """Airflow's ``redact`` (strings in, masked strings out), or ``None`` outside Airflow."""
    try:
        from airflow.sdk.log import redact
    except ImportError:  # pragma: no cover - every supported Airflow has it
        return None
    return redact


__all__ = ["masked_fields", "refuse_masked_secrets"]
