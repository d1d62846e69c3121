"""One contract for what consumers remember of the events they admitted (``Fingerprints``).

The replay check of ``relais_kit.ingress`` stands on it: the first hash remembered for an id
wins, concurrent first sightings agree on one, and consumers never see each other's.
"""

from __future__ import annotations

import asyncio

import pytest
from relais_kit.ingress import Fingerprints, MemoryFingerprints, MongoFingerprints

from .conftest import ADAPTERS


@pytest.fixture(params=ADAPTERS)
def fingerprints(request: pytest.FixtureRequest) -> Fingerprints:
    if request.param == "memory":
        return MemoryFingerprints()
    return MongoFingerprints(request.getfixturevalue("mongo_database")["fingerprints"])


async def test_the_first_hash_of_an_id_is_kept_and_answered_to_later_sightings(
    fingerprints: Fingerprints,
) -> None:
    assert await fingerprints.remember("timeline", {"e1": "h1", "e2": "h2"}) == {}
    assert await fingerprints.remember("timeline", {"e1": "other", "e3": "h3"}) == {"e1": "h1"}
    assert await fingerprints.remember("timeline", {"e1": "h1", "e3": "h3"}) == {
        "e1": "h1",
        "e3": "h3",
    }
    assert await fingerprints.remember("timeline", {}) == {}


async def test_consumers_remember_apart(fingerprints: Fingerprints) -> None:
    await fingerprints.remember("timeline", {"e1": "h1"})
    assert await fingerprints.remember("referrals", {"e1": "forged"}) == {}


async def test_concurrent_first_sightings_agree_on_one_hash(fingerprints: Fingerprints) -> None:
    answers = await asyncio.gather(
        *(fingerprints.remember("timeline", {"e1": f"h{n}"}) for n in range(6))
    )
    winners = {a["e1"] for a in answers if a}
    assert len(winners) == 1
    assert sum(1 for a in answers if not a) == 1  # exactly one was first
