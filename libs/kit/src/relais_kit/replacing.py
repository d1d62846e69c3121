"""Replacing documents by ``_id`` in bulk, in update commands FerretDB 1.24 can serve.

FerretDB's update command keeps the query of each of its statements open until the whole
command ends (``internal/handler/msg_update.go`` defers each statement's closer inside its
loop), so a command of N statements holds N of the database's 100 pooled SQLite connections
(``metadata/pool/opendb.go``) and then asks for one more to write. At 100 it waits forever, and
every command that needs the server's metadata lock waits behind it, ``ping`` included: the
shared server stopped answering twice here. Measured on a fresh server: 99 ``ReplaceOne`` in one
``bulk_write`` pass, 100 hang; four concurrent commands of 40 hang too.

So a bulk replace is cut into commands of at most ``STATEMENTS_PER_COMMAND``, sent one after
another; callers are single writers (one task per collection per process), which keeps the
statements in flight per database far below the pool. Deletes and inserts are not affected.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection

Document = dict[str, Any]
STATEMENTS_PER_COMMAND: Final = 25


async def replace_by_id(
    collection: AsyncCollection[Document],
    documents: Sequence[Document],
    *,
    per_command: int = STATEMENTS_PER_COMMAND,
) -> int:
    """Upsert each document by its ``_id``; returns how many commands it took."""
    if not 1 <= per_command < 100:
        raise ValueError("1 to 99 statements per update command (see the module docstring)")
    commands = 0
    for start in range(0, len(documents), per_command):
        chunk = documents[start : start + per_command]
        await collection.bulk_write(
            [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in chunk], ordered=False
        )
        commands += 1
    return commands
