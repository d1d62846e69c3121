"""Inserting documents that are presumed new, learning which were not.

An insert under a unique ``_id`` is the one atomic "create if absent" FerretDB gives (DESIGN.md
"Store rules"), and one insert command carries a whole batch, where reading first would cost a
find per document. A caller that presumes documents new inserts them and re-does its work for the
few that already existed: nothing is overwritten for those.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

Document = dict[str, Any]
DUPLICATE_KEY: Final = 11000


async def insert_new(
    collection: AsyncCollection[Document], documents: Sequence[Document]
) -> set[Any]:
    """Insert each document (one unordered command); the ``_id``s that already existed.

    Any failure other than a duplicate ``_id`` is raised: the caller cannot tell what was
    written, and must retry the whole batch (inserting is idempotent with this function).
    """
    if not documents:
        return set()
    try:
        await collection.insert_many(list(documents), ordered=False)
    except BulkWriteError as error:
        problems = error.details.get("writeErrors", [])
        if any(p.get("code") != DUPLICATE_KEY for p in problems):
            raise
        return {documents[int(p["index"])]["_id"] for p in problems}
    return set()
