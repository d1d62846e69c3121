"""One contract for the case data keys (relais_events.pii.KeyStore): memory and Mongo."""

from __future__ import annotations

import asyncio

import pytest
from relais_events.envelope import Envelope
from relais_events.pii import KeyStore, MemoryKeyStore, ShreddedKeyError, open_pii, seal_pii
from relais_kit.keystore_mongo import MongoKeyStore

from .conftest import ADAPTERS, report


@pytest.fixture(params=ADAPTERS)
def keystore(request: pytest.FixtureRequest) -> KeyStore:
    if request.param == "memory":
        return MemoryKeyStore()
    return MongoKeyStore(request.getfixturevalue("mongo_database"))


async def test_a_key_is_created_once_and_kept(keystore: KeyStore) -> None:
    assert await keystore.existing_key("case-1") is None
    key = await keystore.data_key("case-1")
    assert len(key) == 32
    assert await keystore.data_key("case-1") == key
    assert await keystore.existing_key("case-1") == key
    assert await keystore.data_key("case-2") != key


async def test_concurrent_first_uses_agree_on_one_key(keystore: KeyStore) -> None:
    keys = await asyncio.gather(*(keystore.data_key("case-1") for _ in range(8)))
    assert len(set(keys)) == 1


async def test_a_shredded_case_stays_erased(keystore: KeyStore) -> None:
    envelope = report("case-1", 1)
    sealed = await seal_pii(
        {"name": "X"}, case_id="case-1", event_id=envelope.id, keystore=keystore
    )
    with_pii = Envelope.model_validate({**envelope.model_dump(), "pii": sealed})
    assert (await open_pii(with_pii, keystore)).data == {"name": "X"}

    await keystore.shred("case-1")
    assert await keystore.existing_key("case-1") is None
    # No fresh key is ever made for a shredded case: old events stay unreadable.
    with pytest.raises(ShreddedKeyError):
        await keystore.data_key("case-1")
    assert (await open_pii(with_pii, keystore)).erased
    await keystore.shred("case-never-keyed")
    with pytest.raises(ShreddedKeyError):
        await keystore.data_key("case-never-keyed")
