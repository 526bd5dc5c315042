"""Posts from a file: a content calendar kept as JSON, YAML or a CSV spreadsheet.

Teams plan months of posts in a spreadsheet. ``PublerSchedulePostOperator(posts="calendar.csv")``
reads it (the file is found like any Airflow template: next to the DAG file or in
``template_searchpath``; its templates see the run's dates, params and macros, never connections
or Variables), so scheduling a calendar needs no
Python beyond the operator.

- ``.json``: Publer's ``bulk.posts`` list, as documented.
- ``.yaml`` / ``.yml``: the same list in YAML.
- ``.csv``: one row per post and account, with the columns of :data:`CSV_COLUMNS`.

Errors name the file and the row (``calendar.csv row 7``, ``calendar.yaml line 12``): a CSV row
is one post, so the validation errors of ``posts[6]`` are reported as that row's.

Files are read as people save them: a UTF-8 byte-order mark (Windows editors write one) is
skipped in every format. Every reader has limits, checked before the memory is used: the
file's size (:data:`MAX_FILE_CHARACTERS`) and nesting (:data:`MAX_NESTING`); YAML anchors and
aliases are refused outright, so an alias bomb (a few hundred bytes that expand to gigabytes)
is refused before anything is expanded.

YAML is read so that nothing reaches Publer changed from what the file says. PyYAML follows
YAML 1.1, where ``09:30`` is the number 570, ``no``/``on``/``off``/``yes`` are booleans and
``2030-01-01`` a date; this reader uses PyYAML's scanner, parser and composer, and resolves
plain values by YAML 1.2's core schema instead (as ruamel.yaml does): ``null``, ``true``/``false``,
numbers, and every other value as the text written (a number with a leading zero stays text).
A number where Publer takes text is then refused by the post's schema, naming the line. A
``#`` after an unquoted value starts a YAML comment, so ``text: Launch day! #launch`` would lose
its hashtags: such a line is refused naming the file, the line and the field, with the fix
(quote the text). Duplicate keys (YAML and JSON keep the last one silently) are refused too.
StrictYAML was weighed: it refuses anchors and reads every value as text, but it also refuses
flow style (``{type: status, text: Hi}``) and would send ``true`` and ``5`` as text wherever a
field is not in its schema, and Publer's body has fields no schema here lists.

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

#: The largest calendar file read (characters): 50,000 posts of a thousand characters each.
MAX_FILE_CHARACTERS = 50_000_000

#: The deepest nesting of lists and objects read (a post nests about six levels deep).
MAX_NESTING = 32

_BOM = "\ufeff"

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
    """Parse a calendar file's (rendered) content; raise PublerValidationError naming file and row.

    :param name: the file name as given (its suffix chooses the format).
    :param content: the file's text.
    :raises PublerValidationError: the file is past a limit (size, nesting, YAML aliases), is not
        valid in its format, holds something that would reach Publer changed (an unquoted YAML
        value followed by a hashtag, a duplicate key), or holds no list of posts.
    """
    suffix = PurePosixPath(name.strip()).suffix.lower()
    if len(content) > MAX_FILE_CHARACTERS:
        raise PublerValidationError(
            f"{name}: has {len(content):,} characters, more than the {MAX_FILE_CHARACTERS:,} a calendar file "
            "may hold; split it into several files (one mapped task per file)"
        )
    content = content.removeprefix(_BOM)
    if suffix == ".csv":
        return PostFile(name, *_read_csv(name, content))
    data, origins = (_json(name, content), []) if suffix == ".json" else _yaml(name, content)
    if isinstance(data, dict) and isinstance(data.get("posts"), list):
        data = data["posts"]  # {"posts": [...]} or a whole {"bulk": ...} without the wrapper
    if not isinstance(data, list):
        raise PublerValidationError(
            f"{name}: must hold a list of posts (Publer's bulk.posts), got {type(data).__name__}"
        )
    return PostFile(name, data, origins if len(origins) == len(data) else [])


def _json(name: str, content: str) -> Any:
    try:
        data = json.loads(content, object_pairs_hook=_unique_keys)
    except RecursionError:
        raise PublerValidationError(
            f"{name}: nests lists or objects deeper than {MAX_NESTING} levels"
        ) from None
    except ValueError as err:
        raise PublerValidationError(f"{name}: is not valid JSON: {err}") from None
    _check_nesting(name, data)
    return data


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [key for key, _ in pairs]
    duplicate = next((key for key in keys if keys.count(key) > 1), None)
    if duplicate is not None:
        raise ValueError(f"the key {duplicate!r} appears twice in one object; JSON would keep only the last")
    return dict(pairs)


def _check_nesting(name: str, data: Any) -> None:
    level, items = 0, [data]
    while items:
        level += 1
        if level > MAX_NESTING:
            raise PublerValidationError(f"{name}: nests lists or objects deeper than {MAX_NESTING} levels")
        items = [
            child
            for item in items
            if isinstance(item, (dict, list))
            for child in (item.values() if isinstance(item, dict) else item)
        ]


def _yaml(name: str, content: str) -> tuple[Any, list[str]]:
    """The YAML file's value and, if it is a list of posts, the line of each post."""
    import yaml

    from airflow_provider_publer import yaml_reader

    try:
        node = yaml_reader.compose(content, max_nesting=MAX_NESTING)
    except yaml_reader.Refused as err:
        raise PublerValidationError(f"{name} line {err.line}: {err}") from None
    except yaml.YAMLError as err:
        raise PublerValidationError(f"{name}: is not valid YAML: {str(err).replace(chr(10), ' ')}") from None
    if node is None:
        return None, []
    try:
        data = yaml_reader.value(node, yaml_reader.lines(content), "posts" if node.id == "sequence" else "")
    except yaml_reader.Refused as err:
        raise PublerValidationError(f"{name} line {err.line}: {err}") from None
    return data, yaml_reader.item_lines(node)


def _read_csv(name: str, content: str) -> tuple[list[dict[str, Any]], list[str]]:
    reader = csv.DictReader(io.StringIO(content))
    try:
        columns = [c.strip() for c in reader.fieldnames or []]
    except csv.Error as err:
        raise PublerValidationError(f"{name} row 1: is not valid CSV: {err}") from None
    twice = sorted({c for c in columns if columns.count(c) > 1})
    if twice:
        raise PublerValidationError(
            f"{name} row 1: the header names {', '.join(twice)} more than once; a row would keep only "
            "one of their cells. Name each column once"
        )
    known = {c for c, _, _ in CSV_COLUMNS}
    missing = [c for c, required, _ in CSV_COLUMNS if required and c not in columns]
    unknown = [c for c in columns if c not in known]
    if missing or unknown:
        # Spreadsheets set to a European locale save "CSV" with semicolons (or tabs) between cells.
        separator = next((sep for sep in (";", "\t") if len(columns) == 1 and sep in columns[0]), None)
        hint = (
            f". The header is one cell holding {separator!r}: the file looks {separator!r}-separated; "
            "save it with commas (Excel: CSV UTF-8 (Comma delimited))"
            if separator
            else ""
        )
        raise PublerValidationError(
            f"{name}: the header must name the columns {', '.join(c for c, _, _ in CSV_COLUMNS)} "
            f"(missing: {', '.join(missing) or 'none'}; unknown: {', '.join(unknown) or 'none'}){hint}"
        )
    posts, origins = [], []
    rows = iter(reader)
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as err:
            raise PublerValidationError(f"{name} row {reader.line_num}: is not valid CSV: {err}") from None
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
    from airflow_provider_publer.media_files import MEDIA_EXTENSIONS

    path = item.lower().split("?", 1)[0].split("#", 1)[0]
    name = path.rsplit("/", 1)[-1]
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    # The kind Publer gives the file's format; a URL without a known extension is taken as a photo.
    return {"path": item, "type": MEDIA_EXTENSIONS.get(extension, "photo")}


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
