"""One check for every id the provider sends to Publer, and the reading of id lists from XCom.

Why this module exists: account, workspace, post, job and media ids go into request bodies,
query strings and URL paths (``PUT /posts/{id}``, ``GET /job_status/{job_id}``). An id that
holds ``?``, ``#``, ``/`` or ``%`` changes the URL: ``"<id>?x=1"`` would update the real post
and ``"abc#frag"`` would become ``PUT /posts/abc``. Publer's ids are 24-hex Mongo ObjectIds
(``66db83154e299efa19a2d8eb``), numeric ids, and ``external-0`` style media ids next to a
``path``: letters, digits, ``-`` and ``_`` (:data:`ID_CHARACTERS`). Every id is checked here
against that, with a message naming the field and the fix.

Ids often come from XCom: a mapped task's output is a lazy sequence (Airflow's
``LazyXComSequence``, a ``Sequence`` that is not a list), and a calendar task returns a list per
map index. :func:`id_list` flattens any of those, so every function taking several ids takes
them as they come.

Standard library only: this runs at DAG parse time and in plain unit tests.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from airflow_provider_publer.messages import error, kind, shown

__all__ = [
    "ID_CHARACTERS",
    "MAX_ID_LENGTH",
    "id_kind",
    "id_list",
    "id_problem",
    "validate_account_ids",
    "validate_id",
    "validate_ids",
    "validate_post_id",
    "validate_post_ids",
    "validate_workspace_id",
]

#: The characters of Publer's ids: letters, digits, ``-`` and ``_``.
ID_CHARACTERS = re.compile(r"[A-Za-z0-9_-]+")

#: The longest id accepted (a Mongo ObjectId has 24 characters).
MAX_ID_LENGTH = 128

#: What each kind of id is and where Publer lists it, found by a word in the field name.
ID_KINDS: dict[str, tuple[str, str]] = {
    "workspace": ("an id from GET /workspaces", "GET /workspaces lists it"),
    "account": ("an account id from GET /accounts", "GET /accounts lists it"),
    "media": ("a media id from POST /media or GET /media", "Publer's media library lists it"),
    "job": ("the job_id POST /posts/schedule returned", "Publer returned it"),
    "post": ("a post id from GET /posts", "GET /posts lists it"),
}
_ANY_ID = ("an id Publer gave", "Publer lists it")

#: What a character does in a URL, for the message.
_IN_A_URL = {
    "?": "start a query string",
    "#": "start a fragment (the rest would never reach Publer)",
    "/": "add a path segment",
    "%": "start an escape",
    "&": "start another query parameter",
}

_XCOM_HINT = "if it comes from XCom, check that the upstream task pushed it"


def id_kind(field: str) -> tuple[str, str]:
    """(what the id is, where Publer lists it) for a field name (``post_ids[2]``, ``account_id``...)."""
    lowered = field.lower()
    return next((ID_KINDS[word] for word in ID_KINDS if word in lowered), _ANY_ID)


def id_problem(value: Any, id_kind: tuple[str, str]) -> str | None:
    """What is wrong with an id (``None`` if nothing): the message, without the field."""
    what, where = id_kind
    if not isinstance(value, str) or not value.strip():
        got = "None" if value is None else f"{kind(value)} {shown(value)}"
        return f"must be a non-empty string ({what}), got {got}"
    if value == "None":
        return f"must be {what}, got 'None'; {_XCOM_HINT}"
    if any(char.isspace() for char in value):
        return f"{value!r} contains whitespace; copy the id exactly as {where}"
    if any(unicodedata.category(char).startswith("C") for char in value):
        return f"{value!r} contains an invisible or control character; copy the id exactly as {where}"
    if not ID_CHARACTERS.fullmatch(value):
        char = next(c for c in value if not ID_CHARACTERS.fullmatch(c))
        effect = f"; in a URL it would {_IN_A_URL[char]}" if char in _IN_A_URL else ""
        return (
            f"{shown(value)} contains {char!r}, which Publer's ids never hold (they are letters, digits, '-' "
            f"and '_', e.g. '66db83154e299efa19a2d8eb'){effect}. Copy the id exactly as {where}"
        )
    if len(value) > MAX_ID_LENGTH:
        return (
            f"{shown(value)} is {len(value)} characters long, longer than any Publer id (at most "
            f"{MAX_ID_LENGTH}); copy the id exactly as {where}"
        )
    return None


def validate_id(value: Any, *, field: str) -> str:
    """One id exactly as Publer lists it: letters, digits, ``-`` and ``_`` only.

    Used for every id the provider sends: account, workspace, post, job and media ids. A trailing
    space (a copy-paste slip), a ``?`` or ``#`` that would change the URL, or ``"None"`` (an XCom
    that was never pushed, rendered by a template) is refused here, before anything is sent.

    :param value: the id.
    :param field: the dotted path named in the error; its words (``workspace``, ``account``,
        ``media``, ``job``, ``post``) choose which of Publer's lists the message points to.
    :return: the id, unchanged.
    :raises PublerValidationError: naming ``field``, what is wrong and where to copy the id from.
    """
    problem = id_problem(value, id_kind(field))
    if problem:
        raise error(field, problem)
    return str(value)


def xcom_items(value: Iterable[Any]) -> Iterable[Any]:
    """The items of ``value`` read at once: a sequence that is not a list or tuple (a mapped task's
    lazy XCom sequence) is sliced, one request for every item. Iterating such a sequence asks for
    the item past its end, which Airflow logs as an error in a run that is fine.
    """
    if isinstance(value, Sequence) and not isinstance(value, (list, tuple, str, bytes)):
        return value[:]
    return value


def id_list(value: Any) -> list[Any]:
    """Ids as given, flattened: one id, a list, a mapped task's lazy sequence, or lists of those.

    A dict (a media object, an account as ``GET /accounts`` lists it) stands for its ``id``. Strings
    are never split; ``None`` is kept (and refused by the check that follows, naming its index).
    """
    if value is None or isinstance(value, (str, bytes)):
        return [value]
    if isinstance(value, Mapping):
        return [value.get("id")]
    if isinstance(value, Iterable):
        return [item for part in xcom_items(value) for item in id_list(part)]
    return [value]


def validate_ids(value: Any, *, field: str, one: str, many: str) -> list[str]:
    """Several ids (see :func:`id_list`), each checked, in order, duplicates dropped.

    :param value: one id, or any iterable (a list, a mapped task's lazy sequence) of ids or of
        lists of ids.
    :param field: the name in the error; each id of several is named ``field[index]``.
    :param one: what one id is, for the message (``a post id``).
    :param many: what several are (``post ids (from GET /posts)``).
    :raises PublerValidationError: nothing given, or an id :func:`validate_id` refuses.
    """
    items = id_list(value) if isinstance(value, (str, Iterable)) and not isinstance(value, Mapping) else []
    if not items or value == "None":
        raise error(
            field,
            f"must be {one} or a non-empty list of {many}, got {kind(value)} {shown(value)}; {_XCOM_HINT}",
        )
    single = isinstance(value, str)
    return list(
        dict.fromkeys(
            validate_id(item, field=field if single else f"{field}[{index}]")
            for index, item in enumerate(items)
        )
    )


def validate_workspace_id(workspace_id: Any) -> str | None:
    """``None`` or ``""`` -> ``None``; otherwise an id as :func:`validate_id` accepts it."""
    if workspace_id is None or workspace_id == "":
        return None
    return validate_id(workspace_id, field="workspace_id")


def validate_post_ids(post_ids: Any, *, field: str = "post_ids") -> list[str]:
    """One post id or several, each exactly as ``GET /posts`` lists it; duplicates dropped.

    Several may be a list, a mapped task's lazy sequence, or lists of ids (see :func:`id_list`).

    :raises PublerValidationError: nothing given, or an id that is blank, not a string, or holds a
        character Publer's ids do not (the message names its index).
    """
    return validate_ids(post_ids, field=field, one="a post id", many="post ids (from GET /posts)")


def validate_post_id(post_id: Any, *, field: str = "post_id") -> str:
    """One post id as ``GET /posts`` lists it (a sequence holding exactly one id is that id).

    :raises PublerValidationError: not a single id, ``None``/``"None"``, blank, or holding a
        character Publer's ids do not.
    """
    if post_id is None or post_id == "None":
        raise error(field, f"must be a post id (from GET /posts), got {post_id!r}; {_XCOM_HINT}")
    if not isinstance(post_id, (str, Mapping)) and isinstance(post_id, Iterable):
        items = id_list(post_id)
        if len(items) != 1:
            raise error(field, f"must be one post id, got a {kind(post_id)} of {len(items)}: {shown(items)}")
        post_id = items[0]
    return validate_id(post_id, field=field)


def validate_account_ids(account_ids: Any, *, field: str = "account_ids") -> list[str]:
    """One account id or several (``GET /accounts``; a list of the accounts themselves works too);
    duplicates dropped."""
    return validate_ids(account_ids, field=field, one="an account id", many="account ids (GET /accounts)")
