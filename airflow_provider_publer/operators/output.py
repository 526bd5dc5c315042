"""Where operators write files: output paths (local, or Airflow ``ObjectStoragePath``) and the
JSON Lines writer.

A string with a scheme (``s3://...``, ``file://...``) is refused before any request, with the fix
(``ObjectStoragePath(...)``): written as a local path, it would land in a ``./s3:/`` directory of
the worker.
"""

from __future__ import annotations

from typing import Any


def local_path_text(value: Any) -> Any:
    """A pathlib path as text; an ``ObjectStoragePath`` and anything else unchanged."""
    import os

    return os.fspath(value) if is_plain_path(value) else value


def is_plain_path(value: Any) -> bool:
    import os

    return isinstance(value, os.PathLike) and not hasattr(value, "protocol")


def check_output_path(value: Any, *, field: str = "output_path") -> Any:
    """An output path as given, once known to be written where it says.

    :raises PublerValidationError: a string with a URL scheme (``s3://``, ``gs://``, ``file://``...),
        which a local path would not honour; the message gives the fix.
    """
    import re

    from airflow_provider_publer.exceptions import PublerValidationError

    if isinstance(value, str) and re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", value.strip()):
        scheme = value.strip().split("://", 1)[0]
        raise PublerValidationError(
            f"is the text {value!r}, with the scheme {scheme}://: as text it would be written on the "
            "worker's own disk (under a directory named after the scheme), not where it says. Pass an "
            "Airflow ObjectStoragePath instead, e.g. "
            f"ObjectStoragePath({value!r}, conn_id='...') (from airflow.sdk import ObjectStoragePath), "
            "or a local path without a scheme",
            field=field,
        )
    return value


def with_days(path: Any, first: str, last: str) -> Any:
    """``path`` with ``{from_}`` and ``{to}`` (in the file name of an ``ObjectStoragePath``)
    replaced by the first and last day read: the period is known even where a template cannot
    know it (a run without a data interval)."""

    def fill(text: str) -> str:
        return text.replace("{from_}", first).replace("{to}", last)

    if hasattr(path, "protocol"):
        name = fill(path.name)
        return path.with_name(name) if name != path.name else path
    return fill(str(path))


def write_json_lines(path: Any, rows: list[dict[str, Any]]) -> str:
    """Write ``rows`` as JSON Lines to a local path (atomically) or an ``ObjectStoragePath``."""
    import contextlib
    import json
    import os
    import tempfile
    from pathlib import Path

    lines = "".join(json.dumps(row, ensure_ascii=False, default=str) + "\n" for row in rows)
    if hasattr(path, "protocol"):
        # A local (file://) path needs its directory; object stores have none to make.
        with contextlib.suppress(OSError, NotImplementedError):
            path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8") as handle:
            handle.write(lines)
        return str(path)
    target = Path(os.fspath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(lines)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return str(path)
