"""The case directory, one contract for the memory and the Mongo adapters."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.vocabulary import CaseKind, RiskLevel
from relais_kit.cases import CaseDirectory, CaseFacts
from relais_kit.cases.memory import MemoryCaseDirectory
from relais_kit.cases.mongo import MongoCaseDirectory

from .conftest import ADAPTERS


@pytest.fixture(params=ADAPTERS)
def directory(request: pytest.FixtureRequest) -> CaseDirectory:
    if request.param == "memory":
        return MemoryCaseDirectory()
    database: AsyncDatabase[dict[str, Any]] = request.getfixturevalue("mongo_database")
    return MongoCaseDirectory(database)


async def test_an_unknown_case_is_none(directory: CaseDirectory) -> None:
    assert await directory.get("case-1") is None


async def test_case_facts_are_replaced_whole(directory: CaseDirectory) -> None:
    facts = CaseFacts("case-1", "93", CaseKind.TRAFFICKING, True, RiskLevel.HIGH, False, "e-2", 2)
    await directory.put(facts)
    assert await directory.get("case-1") == facts
    closed = replace(facts, closed=True, risk_level=None, kind=None, last_event_id="e-3", version=3)
    await directory.put(closed)
    assert await directory.get("case-1") == closed
    assert await directory.get("case-2") is None  # one case's facts are not another's


async def test_the_facts_of_a_case_just_reported_keep_their_defaults(
    directory: CaseDirectory,
) -> None:
    """A case learnt from a report alone: no kind, no level, no last event yet."""
    facts = CaseFacts("case-9", "2A")
    await directory.put(facts)
    assert await directory.get("case-9") == facts
