"""Posts from a file: a content calendar kept as JSON, YAML or a CSV spreadsheet.

Teams plan months of posts in a spreadsheet. ``PublerSchedulePostOperator(posts="calendar.csv")``
reads it (the file is found like any Airflow template: next to the DAG file or in
``template_searchpath``, and rendered with Jinja first), so scheduling a calendar needs no
Python beyond the operator.

- ``.json``: Publer's ``bulk.posts`` list, as documented.
- ``.yaml`` / ``.yml``: the same list in YAML.
- ``.csv``: one row per post and account, with the columns of :data:`CSV_COLUMNS`.

Errors name the file and the row (``calendar.csv row 7``): a CSV row is one post, so the
validation errors of ``posts[6]`` are reported as that row's.

Standard library and PyYAML only (Airflow installs it); nothing here does I/O beyond parsing
the text Airflow already read.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from airflow_provider_publer.exceptions import PublerValidationError

#: File names the operator reads instead of taking ``posts`` literally.
POST_FILE_SUFFIXES = (".json", ".yaml", ".yml", ".csv")

#: The CSV calendar's columns: (name, required, meaning).
CSV_COLUMNS: tuple[tuple[str, bool, str], ...] = (
    ("account_id", True, "the Publer account id (GET /accounts)"),
    ("network", True, "the network key of the content block: facebook, instagram, twitter, linkedin, ..."),
    ("type", True, "the post type: status, photo, video, link, ..."),
    ("text", True, "the post's text"),
    (
        "scheduled_at",
        False,
        "ISO 8601 with an offset, e.g. 2031-03-02T09:00:00+01:00; empty: the account's posting schedule "
        "(auto) or publish-now",
    ),
    ("media", False, "media ids or URLs, several separated by '|'"),
    ("url", False, "the link of a link post"),
    ("title", False, "a title (YouTube, Pinterest, Google Business, ...)"),
    ("labels", False, "Publer labels, several separated by '|'"),
)

_VIDEO_SUFFIXES = (".mp4", ".mov", ".avi")
_GIF_SUFFIXES = (".gif",)


@dataclass(frozen=True)
class PostFile:
    """Posts read from a file, and where each came from.

    :param name: the file name as given to the operator.
    :param posts: the ``bulk.posts`` list.
    :param origins: for each post, where it is in the file (``row 7``), if the format has rows.
    """

    name: str
    posts: list[Any]
    origins: list[str]

    def locate(self, error: PublerValidationError) -> PublerValidationError:
        """The same error (and each of its ``more``), naming the file and the CSV row of the post."""
        more = [PublerValidationError(f"{self._where(e)}: {e.first}") for e in error.more]
        return PublerValidationError(f"{self._where(error)}: {error.first}", more=more)

    def _where(self, error: PublerValidationError) -> str:
        field = error.field or ""
        if field.startswith("posts[") and self.origins:
            index = int(field[len("posts[") : field.index("]")])
            if index < len(self.origins):
                return f"{self.name} {self.origins[index]}"
        return self.name


def is_post_file(value: Any) -> bool:
    """Whether ``posts`` names a file (a string ending in one of :data:`POST_FILE_SUFFIXES`)."""
    return isinstance(value, str) and value.strip().lower().endswith(POST_FILE_SUFFIXES)


def read_post_file(name: str, content: str) -> PostFile:
    """Parse a calendar file's (rendered) content; raise PublerValidationError naming file and row."""
    suffix = PurePosixPath(name.strip()).suffix.lower()
    if suffix == ".csv":
        posts, origins = _read_csv(name, content)
        return PostFile(name, posts, origins)
    try:
        data = json.loads(content) if suffix == ".json" else _yaml(content)
    except ValueError as err:
        raise PublerValidationError(f"{name}: is not valid {suffix[1:].upper()}: {err}") from None
    if isinstance(data, dict) and isinstance(data.get("posts"), list):
        data = data["posts"]  # {"posts": [...]} or a whole {"bulk": ...} without the wrapper
    if not isinstance(data, list):
        raise PublerValidationError(
            f"{name}: must hold a list of posts (Publer's bulk.posts), got {type(data).__name__}"
        )
    return PostFile(name, data, [])


def _yaml(content: str) -> Any:
    import yaml

    try:
        return yaml.safe_load(content)
    except yaml.YAMLError as err:
        raise ValueError(str(err).replace("\n", " ")) from None


def _read_csv(name: str, content: str) -> tuple[list[dict[str, Any]], list[str]]:
    reader = csv.DictReader(io.StringIO(content.lstrip("\ufeff")))
    columns = [c.strip() for c in reader.fieldnames or []]
    known = {c for c, _, _ in CSV_COLUMNS}
    missing = [c for c, required, _ in CSV_COLUMNS if required and c not in columns]
    unknown = [c for c in columns if c not in known]
    if missing or unknown:
        raise PublerValidationError(
            f"{name}: the header must name the columns {', '.join(c for c, _, _ in CSV_COLUMNS)} "
            f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'})"
        )
    posts, origins = [], []
    for row in reader:
        line = reader.line_num
        values = {str(k).strip(): (v or "").strip() for k, v in row.items() if k is not None}
        if None in row:
            raise PublerValidationError(f"{name} row {line}: has more cells than the header has columns")
        if not any(values.values()):
            continue  # a blank line
        posts.append(_csv_post(values))
        origins.append(f"row {line}")
    if not posts:
        raise PublerValidationError(f"{name}: holds no rows below its header")
    return posts, origins


def _csv_post(row: dict[str, str]) -> dict[str, Any]:
    block: dict[str, Any] = {"type": row["type"], "text": row["text"]}
    media = _split(row.get("media", ""))
    if media:
        block["media"] = [_media(item) for item in media]
    for key in ("url", "title"):
        if row.get(key):
            block[key] = row[key]
    account: dict[str, Any] = {"id": row["account_id"]}
    if row.get("scheduled_at"):
        account["scheduled_at"] = row["scheduled_at"]
    labels = _split(row.get("labels", ""))
    if labels:
        account["labels"] = labels
    return {"networks": {row["network"]: block}, "accounts": [account]}


def _media(item: str) -> dict[str, str]:
    if not item.lower().startswith(("http://", "https://")):
        return {"id": item}
    path = item.lower().split("?", 1)[0]
    kind = "video" if path.endswith(_VIDEO_SUFFIXES) else "gif" if path.endswith(_GIF_SUFFIXES) else "photo"
    return {"path": item, "type": kind}


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


def csv_columns_table(columns: Sequence[tuple[str, bool, str]] = CSV_COLUMNS) -> str:
    """The CSV columns as a Markdown table (the docs include it)."""
    lines = ["| Column | Required | Meaning |", "| --- | --- | --- |"]
    lines += [
        f"| `{name}` | {'yes' if required else 'no'} | {meaning.replace('|', '&#124;')} |"
        for name, required, meaning in columns
    ]
    return "\n".join(lines)
