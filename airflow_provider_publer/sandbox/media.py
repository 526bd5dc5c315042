"""What kind of media a file is, and its pixel size, for the sandbox's media endpoints.

Publer accepts images (jpg, jpeg, png, gif), videos (mp4, mov, avi) and documents
(pdf, doc, docx, ppt, pptx). The sandbox classifies by extension, then by content
type, and reads the size of PNG and GIF images so upload responses carry real numbers.
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


def media_type(name: str, content_type: str | None = None) -> str | None:
    """``photo``, ``gif``, ``video`` or ``document``; None when Publer would not take the file."""
    extension = PurePosixPath(name.lower()).suffix.lstrip(".")
    if extension in _BY_EXTENSION:
        return _BY_EXTENSION[extension]
    kind = (content_type or "").split(";")[0].strip().lower()
    if kind == "image/gif":
        return "gif"
    if kind.startswith("image/"):
        return "photo"
    if kind.startswith("video/"):
        return "video"
    return "document" if kind == "application/pdf" else None


def name_from_url(url: str) -> str:
    return PurePosixPath(urlsplit(url).path).name or "media"


def is_fetchable(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def image_size(data: bytes) -> tuple[int | None, int | None]:
    """(width, height) of a PNG or GIF; (None, None) for anything else."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    return None, None
