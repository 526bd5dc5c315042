"""Check the files and URLs of a media upload before anything is sent.

Why this module exists: ``POST /media`` takes a file (multipart) and ``POST /media/from-url``
URLs. A missing file, a format Publer does not list or a file over Publer's 200 MB limit is
refused here, naming the field and the fix, before a request is made; a checked file is a
:class:`MediaFile` that the hook reads (anew at each try) when it sends it.

Standard library only (``ObjectStoragePath`` is used through its own methods).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airflow_provider_publer.messages import error as _error
from airflow_provider_publer.messages import kind as _kind
from airflow_provider_publer.messages import shown as _shown

__all__ = [
    "MAX_DIRECT_UPLOAD_BYTES",
    "MEDIA_EXTENSIONS",
    "MEDIA_LIST_TYPES",
    "MediaFile",
    "validate_media_file",
    "validate_media_urls",
]

#: File extensions ``POST /media`` takes (reference §10.1), with the kind of media each one is.
MEDIA_EXTENSIONS: Mapping[str, str] = {
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

#: Publer's limit for one file sent to ``POST /media`` (200 MB); larger files are imported from a URL.
MAX_DIRECT_UPLOAD_BYTES = 200 * 1024 * 1024

#: ``types[]`` of ``GET /media`` (reference §10.4).
MEDIA_LIST_TYPES: frozenset[str] = frozenset({"photo", "video", "gif"})

_URL_SCHEMES = ("http://", "https://")


@dataclass(frozen=True)
class MediaFile:
    """A file checked for ``POST /media``: it exists, Publer takes its format, it is within 200 MB.

    :param source: where to read it: a :class:`pathlib.Path`, or the ``ObjectStoragePath`` given.
    :param name: the file name Publer receives (``name`` argument, else the file's own name).
    :param size: its size in bytes.
    :param kind: ``photo``, ``gif``, ``video`` or ``document``, from the extension.
    """

    source: Any
    name: str
    size: int
    kind: str

    @property
    def content_type(self) -> str:
        """The MIME type sent with the file (from its name; ``application/octet-stream`` if unknown)."""
        import mimetypes

        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    def read(self) -> bytes:
        """The file's bytes, read anew at each call (an upload may be sent again after a failed connect)."""
        with self.source.open("rb") as handle:
            data: bytes = handle.read()
        return data


def validate_media_file(
    file: Any,
    *,
    name: str | None = None,
    field: str = "file",
    max_bytes: int = MAX_DIRECT_UPLOAD_BYTES,
) -> MediaFile:
    """Check one file for ``POST /media`` (direct upload) before anything is sent.

    :param file: a local path (``str`` or :class:`os.PathLike`) or an Airflow ``ObjectStoragePath``
        (any object with ``open``, ``exists``, ``is_file``, ``stat`` and ``name``, so files in object
        storage work).
    :param name: the file name Publer should record; its extension decides the format when given.
    :param field: the name in the error, e.g. ``files[2]``.
    :param max_bytes: the upload limit (Publer: 200 MB).
    :raises PublerValidationError: the file is missing or not a file, its format is not one Publer
        lists (jpg, jpeg, png, gif, mp4, mov, avi, pdf, doc, docx, ppt, pptx), or it is over the
        limit (the message suggests importing it from a URL).
    """
    source = _media_source(file, field)
    label = str(file)
    try:
        exists = bool(source.exists()) and bool(source.is_file())
    except OSError as err:
        raise _error(
            field, f"{label} cannot be read ({type(err).__name__}: {err}); check the path and access"
        ) from None
    if not exists:
        relative = isinstance(source, Path) and not source.is_absolute()
        where = " (a relative path starts in the worker's working directory)" if relative else ""
        raise _error(field, f"{label} does not exist or is not a file; check the path{where}")
    upload_name = name if name is not None else str(source.name)
    if not isinstance(upload_name, str) or not upload_name.strip():
        raise _error(
            f"{field}.name" if name is not None else field,
            f"needs a file name with an extension, got {upload_name!r}",
        )
    extension = upload_name.rsplit(".", 1)[-1].lower() if "." in upload_name else ""
    kind = MEDIA_EXTENSIONS.get(extension)
    if kind is None:
        shown = f"'.{extension}'" if extension else "no extension"
        raise _error(
            field,
            f"{label} has {shown}, a format Publer does not take; Publer takes "
            f"{', '.join(MEDIA_EXTENSIONS)} (convert the file, or give name='<name>.<extension>' if the "
            "extension is only missing from the path)",
        )
    size = int(source.stat().st_size)
    if size > max_bytes:
        raise _error(
            field,
            f"{label} is {_megabytes(size)}, over Publer's {_megabytes(max_bytes)} limit for direct uploads "
            "(POST /media answers 413). Put the file where Publer can download it (a public or pre-signed "
            "URL) and import it from the URL instead: urls=['https://...'] / PublerHook.import_media()",
        )
    return MediaFile(source=source, name=upload_name, size=size, kind=kind)


def validate_media_urls(urls: Any, *, field: str = "urls") -> list[dict[str, Any]]:
    """Check the URLs of ``POST /media/from-url`` and build its ``media`` items.

    :param urls: URLs (``str``), or dicts ``{"url", "name", "caption", "source"}`` (Publer's item);
        a single string is one URL.
    :return: ``[{"url", "name", ...}]``: every item has a ``name`` (Publer requires one), by default
        the last part of the URL's path.
    :raises PublerValidationError: not a list, empty, or an item that is not an http(s) URL.
    """
    items = [urls] if isinstance(urls, (str, Mapping)) else urls
    if not isinstance(items, (list, tuple)) or not items:
        raise _error(field, f"must be a non-empty list of http(s) URLs, got {_kind(urls)} {_shown(urls)}")
    out = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        entry = dict(item) if isinstance(item, Mapping) else {"url": item}
        url = entry.get("url")
        if (
            not isinstance(url, str)
            or not url.strip().lower().startswith(_URL_SCHEMES)
            or any(c.isspace() for c in url.strip())
        ):
            raise _error(
                f"{where}.url" if isinstance(item, Mapping) else where,
                f"must be an http(s) URL Publer can download, got {_kind(url)} {_shown(url)}; "
                "local files go in files= (direct upload)",
            )
        entry["url"] = url.strip()
        name = entry.get("name") or _name_from_url(entry["url"])
        if not isinstance(name, str):
            raise _error(f"{where}.name", f"must be a string, got {_kind(name)}")
        entry["name"] = name
        out.append(entry)
    return out


def _media_source(file: Any, field: str) -> Any:
    """A readable path object for ``file``; str and os.PathLike become pathlib Paths."""
    import os

    if isinstance(file, str):
        text = file.strip()
        if not text:
            raise _error(field, "is an empty path; give the file's path or an ObjectStoragePath")
        if text.lower().startswith(_URL_SCHEMES):
            raise _error(field, f"{text!r} is a URL; files= takes files, import URLs with urls=[...] instead")
        if "://" in text:
            raise _error(
                field,
                f"{text!r} is an object-storage URL; wrap it so Airflow can read it: "
                f"ObjectStoragePath({text!r}, conn_id='<connection>')",
            )
        return Path(text)
    if hasattr(file, "protocol") and all(hasattr(file, a) for a in ("open", "exists", "is_file", "stat")):
        return file  # an ObjectStoragePath (a universal_pathlib path): read through its filesystem
    if isinstance(file, os.PathLike):
        return Path(os.fspath(file))
    raise _error(field, f"must be a file path or an ObjectStoragePath, got {_kind(file)} {_shown(file)}")


def _name_from_url(url: str) -> str:
    from pathlib import PurePosixPath
    from urllib.parse import unquote, urlsplit

    return PurePosixPath(unquote(urlsplit(url).path)).name or "media"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size % (1024 * 1024) else f"{size // (1024 * 1024)} MB"
