"""Secondary indexes: declared for MongoDB, production's store; skipped on FerretDB 1.x.

On FerretDB 1.x with SQLite only an exact ``_id`` filter reaches SQL (DESIGN.md "Store
rules"), so a secondary index serves no query there, while creating one takes FerretDB's global
metadata lock and then waits for a connection of the database's pool: with inserts holding the
pool's connections, the whole server stopped answering, ``ping`` included (seen here: a goroutine
in ``Registry.IndexesCreate`` waiting 22 minutes for a connection, every other command waiting on
its lock). Uniqueness never rests on them: every race is decided by ``_id``.
"""

from __future__ import annotations

import weakref
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.mongo_client import AsyncMongoClient

_KIND: weakref.WeakKeyDictionary[AsyncMongoClient[Any], bool] = weakref.WeakKeyDictionary()


async def is_ferretdb(client: AsyncMongoClient[Any]) -> bool:
    known = _KIND.get(client)
    if known is None:
        info = await client.admin.command("buildInfo")
        known = _KIND[client] = "ferretdbVersion" in info
    return known


async def declare_index(collection: AsyncCollection[Any], keys: Any, **options: Any) -> None:
    if await is_ferretdb(collection.database.client):
        return
    await collection.create_index(keys, **options)
