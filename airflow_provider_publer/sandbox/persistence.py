"""Optional SQLite persistence, so a sandbox restarted on the same file keeps its posts and jobs.

One table of JSON records keyed by (kind, id), in insertion order. The store calls
it under its own lock; the connection is shared across the uvicorn thread and the
caller's threads (``check_same_thread=False``) and commits every write at once, or each
:meth:`SqlitePersistence.batch` of writes as one transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (kind, id)
)
"""


class SqlitePersistence:
    """JSON records in a SQLite file: ``put``/``delete`` one, ``load`` all, ``clear``."""

    def __init__(self, path: str) -> None:
        Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(
            str(Path(path).expanduser()), check_same_thread=False, isolation_level=None
        )
        self._conn.execute(_SCHEMA)

    def load(self) -> dict[str, list[dict[str, Any]]]:
        """Every record, grouped by kind, in the order first written."""
        grouped: dict[str, list[dict[str, Any]]] = {}
        for kind, data in self._conn.execute("SELECT kind, data FROM records ORDER BY rowid"):
            grouped.setdefault(kind, []).append(json.loads(data))
        return grouped

    def put(self, kind: str, record_id: str, data: dict[str, Any]) -> None:
        self._conn.execute(
            "INSERT INTO records (kind, id, data) VALUES (?, ?, ?) "
            "ON CONFLICT (kind, id) DO UPDATE SET data = excluded.data",
            (kind, record_id, json.dumps(data, default=str)),
        )

    def delete(self, kind: str, record_id: str) -> None:
        self._conn.execute("DELETE FROM records WHERE kind = ? AND id = ?", (kind, record_id))

    @contextmanager
    def batch(self) -> Iterator[None]:
        """One transaction for many writes (settling a job of 500 posts is one commit, not 500)."""
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def clear(self) -> None:
        self._conn.execute("DELETE FROM records")

    def close(self) -> None:
        self._conn.close()
