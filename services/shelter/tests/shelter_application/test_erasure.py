"""An erased case's persons forgotten on memory adapters: the nights stay held and a release
still frees them, other cases keep their persons, and a crash half-way is redone whole."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import pytest
from relais_events.catalogue.shelter import ReleaseReason
from relais_shelter.adapters.memory import MemoryReservations
from relais_shelter.application import reads, releases
from relais_shelter.application.erasure import forget_persons

from .harness import DEP, NIGHT, OFFICER, OPERATOR, Harness


async def naming(h: Harness, text: str, *allocations: str) -> list[str]:
    """The reservations and the allocations' holdings that name ``text``."""
    keys = list(h.reservations.held)
    for allocation in allocations:
        keys.extend(await h.holdings.of(allocation))
    return sorted(k for k in keys if text in k)


async def free(h: Harness, night: dt.date = NIGHT) -> int:
    return (await reads.availability(h.services, DEP, night, OFFICER)).adult_places


async def test_the_erased_cases_persons_are_forgotten_and_their_nights_stay_held(
    h: Harness,
) -> None:
    site = await h.site(places=10)
    erased = await h.allocate(site, ("pk-mother", "pk-sister"), nights=3, case_id="case-1")
    other = await h.allocate(site, ("pk-other",), nights=3, case_id="case-2")
    assert await free(h) == 7

    assert await forget_persons(h.services, "case-1") == 6  # two persons, three nights
    assert await naming(h, "pk-m", erased, other) == await naming(h, "pk-s", erased, other) == []
    assert (
        len(await naming(h, "pk-other", erased, other)) == 6
    )  # three reservations, three holdings entries
    assert await free(h) == 7
    assert await forget_persons(h.services, "case-1") == 0  # a redelivered case.erased

    await releases.release(h.services, erased, NIGHT, ReleaseReason.MOVED_ON, OPERATOR)
    assert await free(h, NIGHT + dt.timedelta(days=1)) == 9  # the forgotten nights freed


class CrashOnRelease(MemoryReservations):
    """Reservations whose next release dies half-way (after the first key)."""

    crash = True

    async def release(self, keys: Sequence[str], holder: str) -> None:
        if self.crash and keys:
            self.crash = False
            await super().release(keys[:1], holder)
            raise ConnectionError("the store went away")
        await super().release(keys, holder)


async def test_an_erasure_that_died_half_way_is_redone_whole() -> None:
    h = Harness(reservations=CrashOnRelease())
    site = await h.site(places=10)
    erased = await h.allocate(site, ("pk-mother", "pk-sister"), nights=2, case_id="case-1")
    with pytest.raises(ConnectionError):
        await forget_persons(h.services, "case-1")
    assert await naming(h, "pk-", erased) != []  # the holdings still list what is left to forget

    assert await forget_persons(h.services, "case-1") == 4
    assert await naming(h, "pk-", erased) == []
    forgotten = [k for k in await h.holdings.of(erased) if k.startswith("person:")]
    assert len(forgotten) == len(set(forgotten)) == 4
    assert sorted(forgotten) == sorted(k for k in h.reservations.held if k.startswith("person:"))
    assert await free(h) == 8
