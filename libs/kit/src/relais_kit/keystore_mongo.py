"""Case data keys in Mongo (implements ``relais_events.pii.KeyStore``), decided by inserts.

`{_id: case_id, key}` is created by an insert: two processes sealing the first event of a case
race, the loser gets the duplicate key and reads the winner's key, so one case never has two keys.
Shredding replaces the key by a tombstone `{_id: case_id, shredded: true}` (no key bytes kept):
the tombstone holds the `_id`, so no later insert can silently re-create a key for the case.
"""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError
from relais_events.pii import KEY_BYTES, ShreddedKeyError

from relais_kit.batching import InsertBatcher

Document = dict[str, Any]


class MongoKeyStore:
    def __init__(self, database: AsyncDatabase[Document], collection: str = "case_keys") -> None:
        self._keys: AsyncCollection[Document] = database[collection]
        self._inserts = InsertBatcher(self._keys)  # new cases' keys: one insert_many at a time

    async def data_key(self, case_id: str) -> bytes:
        found = await self._keys.find_one({"_id": case_id})
        if found is None:
            fresh = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
            try:
                await self._inserts.insert({"_id": case_id, "key": fresh})
                return fresh
            except DuplicateKeyError:
                found = await self._keys.find_one({"_id": case_id})
        if found is None or found.get("shredded"):
            raise ShreddedKeyError(case_id)
        return bytes(found["key"])

    async def create_key(self, case_id: str) -> bytes:
        fresh = AESGCM.generate_key(bit_length=KEY_BYTES * 8)
        try:
            await self._inserts.insert({"_id": case_id, "key": fresh})
        except DuplicateKeyError:
            return await self.data_key(case_id)
        return fresh

    async def existing_key(self, case_id: str) -> bytes | None:
        found = await self._keys.find_one({"_id": case_id})
        if found is None or found.get("shredded"):
            return None
        return bytes(found["key"])

    async def shred(self, case_id: str) -> None:
        # One writer: the erasure of that case (store rule 2). A replace by `_id` with upsert:
        # the key bytes are overwritten in the same document, so there is no moment without a
        # document holding the `_id` (a delete-then-insert would let a concurrent data_key
        # create a fresh key in between).
        await self._keys.replace_one({"_id": case_id}, {"shredded": True}, upsert=True)
