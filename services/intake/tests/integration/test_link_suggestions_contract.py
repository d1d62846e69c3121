"""One contract for both adapters of ``LinkSuggestions``: memory, and the real Mongo-compatible
server (FerretDB or MongoDB, from the ``servers`` fixture)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from pymongo import AsyncMongoClient
from relais_infra.testing import Servers
from relais_intake.adapters.memory import MemoryLinkSuggestions
from relais_intake.adapters.mongo_link_suggestions import MongoLinkSuggestions
from relais_intake.application.ports import LinkSuggestions

KEY = "f" * 64


@pytest.fixture(params=["memory", pytest.param("mongo", marks=pytest.mark.servers)])
async def suggestions(request: pytest.FixtureRequest) -> AsyncIterator[LinkSuggestions]:
    if request.param == "memory":
        yield MemoryLinkSuggestions()
        return
    servers: Servers = request.getfixturevalue("servers")
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(servers.mongo_uri)
    database = client[servers.database("intake_suggestions")]
    # A fresh collection per test: the contract starts from nothing every time.
    yield MongoLinkSuggestions(database, collection=f"suggestions_{id(request.node)}")
    await client.close()


async def test_open_cases_of_a_person_in_a_departement_oldest_first(
    suggestions: LinkSuggestions,
) -> None:
    await suggestions.add("93", KEY, "case-a")
    await suggestions.add("93", KEY, "case-b")
    await suggestions.add("93", KEY, "case-a")  # twice: no change
    assert await suggestions.open_cases("93", KEY) == ["case-a", "case-b"]


async def test_no_search_across_departements(suggestions: LinkSuggestions) -> None:
    await suggestions.add("93", KEY, "case-a")
    assert await suggestions.open_cases("75", KEY) == []
    assert await suggestions.open_cases("93", "e" * 64) == []


async def test_a_removed_case_is_not_suggested_and_others_still_are(
    suggestions: LinkSuggestions,
) -> None:
    for case in ("case-a", "case-b", "case-c"):
        await suggestions.add("93", KEY, case)
    await suggestions.remove("case-b")
    await suggestions.remove("case-unknown")
    assert await suggestions.open_cases("93", KEY) == ["case-a", "case-c"]
    assert await suggestions.person_of("case-b") is not None  # closed, not erased


async def test_each_case_knows_its_person_until_it_is_erased(suggestions: LinkSuggestions) -> None:
    assert await suggestions.add_and_list("93", KEY, "case-a") == []
    assert await suggestions.add_and_list("93", KEY, "case-b") == ["case-a"]
    person = await suggestions.person_of("case-a")
    assert person is not None
    assert (person.departement, person.person_key) == ("93", KEY)
    await suggestions.forget("case-a")
    await suggestions.forget("case-a")  # twice: no change
    await suggestions.forget("case-unknown")
    assert await suggestions.person_of("case-a") is None
    assert await suggestions.open_cases("93", KEY) == ["case-b"]
    # A later case of the person is suggested the others, never the erased one.
    assert await suggestions.add_and_list("93", KEY, "case-c") == ["case-b"]


async def test_an_erased_case_is_named_beside_its_person_key_nowhere(
    suggestions: LinkSuggestions, request: pytest.FixtureRequest
) -> None:
    """Issue 13: after erasure, the read model no longer ties the person key to the case."""
    await suggestions.add_and_list("93", KEY, "case-gone")
    await suggestions.forget("case-gone")
    if isinstance(suggestions, MongoLinkSuggestions):
        documents = [d async for d in suggestions._slots.find({})]
        assert documents  # the slot stays, so the walk meets no hole
        assert not [d for d in documents if "case-gone" in str(d)]


async def test_cases_added_at_the_same_moment_are_all_kept(suggestions: LinkSuggestions) -> None:
    cases = [f"case-{n}" for n in range(8)]
    await asyncio.gather(*(suggestions.add("2A", KEY, c) for c in cases))
    assert sorted(await suggestions.open_cases("2A", KEY)) == cases
