"""What kind of media a file is, and its pixel size, for the sandbox's media endpoints.

Publer accepts images (jpg, jpeg, png, gif), videos (mp4, mov, avi) and documents
(pdf, doc, docx, ppt, pptx). The sandbox classifies by extension (by content type for a
name without one), reads the size of PNG and GIF images so upload responses carry real
numbers, and decides from the URL alone whether an import from a URL succeeds (it never
fetches anything).
"""

from __future__ import annotations

import struct
from pathlib import PurePosixPath
from urllib.parse import urlsplit

MAX_UPLOAD_BYTES = 200 * 1024 * 1024

_BY_EXTENSION = {
    "jpg": "photo",
    "jpeg": "photo",
    "png": "photo",
    "gif": "gif",
    "mp4": "video",
    "mov": "video",
    "avi": "video",
    "pdf": "document",
    "doc": "document",
    "docx": "document",
    "ppt": "document",
    "pptx": "document",
}


_BY_CONTENT_TYPE = {
    "image/jpeg": "photo",
    "image/png": "photo",
    "image/gif": "gif",
    "video/mp4": "video",
    "video/quicktime": "video",
    "video/x-msvideo": "video",
    "application/pdf": "document",
    "application/msword": "document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "document",
    "application/vnd.ms-powerpoint": "document",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "document",
}
SUPPORTED_EXTENSIONS = tuple(_BY_EXTENSION)
#: A URL containing this (any case) cannot be fetched: its import job fails.
FETCH_FAIL_MARKER = "sandbox-fail"


def media_type(name: str, content_type: str | None = None) -> str | None:
    """``photo``, ``gif``, ``video`` or ``document``; None when Publer would not take the file.

    The file name's extension decides (one of :data:`SUPPORTED_EXTENSIONS`); a name without
    an extension falls back to the content type of those formats.
    """
    extension = PurePosixPath(name.lower()).suffix.lstrip(".")
    if extension:
        return _BY_EXTENSION.get(extension)
    return _BY_CONTENT_TYPE.get((content_type or "").split(";")[0].strip().lower())


def name_from_url(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name or "media"


def is_fetchable(url: str) -> bool:
    """Whether a from-url import of ``url`` succeeds. The sandbox never fetches anything: an
    http(s) URL succeeds unless its host ends with ``.invalid`` or it contains ``sandbox-fail``."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    return (
        parts.scheme in ("http", "https")
        and bool(host)
        and not host.endswith(".invalid")
        and host != "invalid"
        and FETCH_FAIL_MARKER not in url.lower()
    )


def image_size(data: bytes) -> tuple[int | None, int | None]:
    """(width, height) of a PNG or GIF; (None, None) for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    return None, None
