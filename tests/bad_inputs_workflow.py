"""Catalogue of bad inputs to the media, update, delete, insights operators and the post sensor.

Data only (no pytest), the sibling of ``tests/bad_inputs.py``: the integration test runs each entry
as a task of a real DAG against a sandbox and asserts that the task failed with a message naming
``field`` and matching ``match`` (a regex), and that no request reached the server.

``kwargs`` are the operator's arguments. A string holding ``{files}`` is a path in the directory
of test files the integration test prepares: ``launch.png`` (valid), ``notes.txt``, ``README``
(no extension) and ``film.mp4`` (sparse, 200 MB and one byte).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

POST_ID = "68176f0e8bee9dc9b0ce3427"
ACCOUNT_ID = "63c675b54e299e9cf2b667ea"

#: Files the integration test writes in ``{files}``.
FILES = {
    "launch.png": "valid image",
    "notes.txt": "text",
    "README": "no extension",
    "film.mp4": "200 MB + 1 byte",
}
TOO_BIG = 200 * 1024 * 1024 + 1


@dataclass(frozen=True)
class BadTask:
    """One task that must fail before anything is sent."""

    id: str
    operator: str
    kwargs: dict[str, Any] = field(default_factory=dict)
    field: str = ""
    match: str = ""


def _upload(id: str, field: str, match: str, **kwargs: Any) -> BadTask:
    return BadTask(id, "PublerUploadMediaOperator", kwargs, field, match)


def _update(id: str, field: str, match: str, **kwargs: Any) -> BadTask:
    return BadTask(
        id, "PublerUpdatePostOperator", {"post_id": POST_ID, "post": {"text": "New"}, **kwargs}, field, match
    )


def _delete(id: str, field: str, match: str, post_ids: Any) -> BadTask:
    return BadTask(id, "PublerDeletePostsOperator", {"post_ids": post_ids}, field, match)


def _insights(id: str, field: str, match: str, **kwargs: Any) -> BadTask:
    return BadTask(
        id,
        "PublerPostInsightsOperator",
        {"account_ids": [ACCOUNT_ID], "from_": "2030-01-01", "to": "2030-01-07", **kwargs},
        field,
        match,
    )


def _sensor(id: str, field: str, match: str, **kwargs: Any) -> BadTask:
    return BadTask(id, "PublerPostSensor", {"timeout": 5, "poke_interval": 1, **kwargs}, field, match)


BAD_TASKS: list[BadTask] = [
    # PublerUploadMediaOperator: files and URLs
    _upload("upload-nothing", "files, urls", r"give at least one file"),
    _upload(
        "upload-missing-file", "files[0]", r"does not exist or is not a file", files=["{files}/missing.png"]
    ),
    _upload("upload-directory", "files[0]", r"is not a file", files=["{files}"]),
    _upload(
        "upload-text-file", "files[0]", r"'\.txt', a format Publer does not take", files=["{files}/notes.txt"]
    ),
    _upload("upload-no-extension", "files[0]", r"has no extension", files=["{files}/README"]),
    _upload(
        "upload-second-file-bad",
        "files[1]",
        r"'\.txt'",
        files=["{files}/launch.png", "{files}/notes.txt"],
    ),
    _upload(
        "upload-over-200-mb",
        "files[0]",
        r"200\.0 MB.*over Publer's 200 MB limit.*import it from the URL",
        files=["{files}/film.mp4"],
    ),
    _upload(
        "upload-url-as-file", "files[0]", r"is a URL; files= takes files", files=["https://example.com/a.png"]
    ),
    _upload(
        "upload-s3-string",
        "files[0]",
        r"wrap it so Airflow can read it: ObjectStoragePath",
        files=["s3://bucket/a.png"],
    ),
    _upload("upload-url-not-http", "urls[0]", r"must be an http\(s\) URL", urls=["ftp://example.com/a.png"]),
    _upload("upload-url-path", "urls[0]", r"local files go in files=", urls=["/tmp/a.png"]),
    _upload(
        "upload-url-item-without-url", "urls[0].url", r"must be an http\(s\) URL", urls=[{"name": "a.png"}]
    ),
    _upload(
        "upload-url-name-not-text",
        "urls[0].name",
        r"must be a string",
        urls=[{"url": "https://e.com/a", "name": 3}],
    ),
    _upload(
        "upload-bad-url-after-good-file",
        "urls[0]",
        r"http\(s\)",
        files=["{files}/launch.png"],
        urls=["mailto:someone@example.com"],
    ),
    # PublerUpdatePostOperator
    _update("update-post-id-none-string", "post_id", r"got 'None'; if it comes from XCom", post_id="None"),
    _update("update-post-id-whitespace", "post_id", r"contains whitespace", post_id=f"{POST_ID} "),
    _update("update-two-post-ids", "post_id", r"must be one post id", post_id=[POST_ID, "other"]),
    _update("update-empty", "post", r"is empty; give at least one field", post={}),
    _update("update-unknown-field", "post.txt", r'did you mean "text"', post={"txt": "New"}),
    _update("update-blank-text", "post.text", r"Text can't be blank", post={"text": "   "}),
    _update("update-string", "post", r"must be a dict of the fields to change", post="New text"),
    _update("update-media-not-list", "post.media", r"must be like \[", post={"media": {"id": "m"}}),
    _update("update-media-without-id", "post.media[0]", r'needs "id"', post={"media": [{"caption": "c"}]}),
    # PublerDeletePostsOperator
    _delete("delete-empty-list", "post_ids", r"non-empty list of post ids", post_ids=[]),
    _delete("delete-blank-id", "post_ids[1]", r"non-empty string", post_ids=[POST_ID, ""]),
    # A tab, not a newline: Jinja drops one trailing newline when it renders a templated field.
    _delete("delete-id-with-tab", "post_ids[0]", r"contains whitespace", post_ids=[f"{POST_ID}\t"]),
    _delete("delete-dict", "post_ids", r"got dict", post_ids={"id": POST_ID}),
    _delete("delete-none-string", "post_ids[0]", r"got 'None'; if it comes from XCom", post_ids=["None"]),
    # PublerPostInsightsOperator
    _insights("insights-no-accounts", "account_ids", r"non-empty list of account ids", account_ids=[]),
    _insights("insights-account-whitespace", "account_ids[0]", r"whitespace", account_ids=[f" {ACCOUNT_ID}"]),
    _insights("insights-from-after-to", "from_", r"is after to=2030-01-07; swap them", from_="2030-01-08"),
    _insights("insights-only-from", "to", r"is required", to=None),
    _insights("insights-not-a-date", "from_", r"'last monday' is not a date", from_="last monday"),
    _insights("insights-sort-typo", "sort_by", r'did you mean "reach"', sort_by="reech"),
    # PublerPostSensor
    _sensor(
        "sensor-state-typo",
        "target_state",
        r'did you mean "published"',
        post_ids=[POST_ID],
        target_state="publised",
    ),
    _sensor("sensor-empty-ids", "post_ids", r"non-empty list of post ids", post_ids=[]),
    _sensor("sensor-blank-id", "post_ids[0]", r"non-empty string", post_ids=[""]),
    _sensor(
        "sensor-account-whitespace", "account_ids[0]", r"whitespace", post_ids=[POST_ID], account_ids=["a b"]
    ),
]
