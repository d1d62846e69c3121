"""Night claims against an envelope on memory adapters: never beyond the envelope, one
exhaustion event, a reason for every rejection, and the funder's statement."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace

from relais_events.catalogue.shelter import ReleaseReason
from relais_shelter.adapters.memory import MemoryReservations
from relais_shelter.application import claims, reads, releases

from .harness import NIGHT, OPERATOR, Harness


async def claim(h: Harness, allocation: str, envelope: str, night: dt.date = NIGHT) -> str:
    written = await claims.claim_night(h.services, allocation, envelope, night, OPERATOR)
    assert written.state is not None
    return "accepted" if written.state.accepted else str(written.state.reason)


async def test_claims_beyond_the_envelope_are_rejected_and_it_is_exhausted_once(
    h: Harness,
) -> None:
    site = await h.site(places=20)
    envelope = await h.envelope(nights=12, amount_cents=1200_00)
    allocated = [await h.allocate(site, (f"pk-{i}",), case_id=f"case-{i}") for i in range(18)]
    outcomes = await asyncio.gather(*(claim(h, a, envelope) for a in allocated))
    assert outcomes.count("accepted") == 12
    assert outcomes.count("envelope_exhausted") == 6
    assert h.types().count("funding.envelope_exhausted") == 1
    used = await reads.consumption(h.services, envelope, OPERATOR)
    assert (used.nights_claimed, used.nights_remaining) == (12, 0)
    assert used.amount_claimed_cents == 1200_00


async def test_a_family_claims_one_nuitee_per_person(h: Harness) -> None:
    site = await h.site(places=10, child_places=5)
    envelope = await h.envelope(nights=4)
    family = await h.allocate(site, ("pk-m",), ("pk-c1", "pk-c2"), nights=2)
    assert await claim(h, family, envelope) == "accepted"
    assert await claim(h, family, envelope, NIGHT + dt.timedelta(days=1)) == "envelope_exhausted"
    assert (await reads.consumption(h.services, envelope, OPERATOR)).nights_claimed == 3
    # the units the rejected claim did not get are still there for a single person
    single = await h.allocate(site, ("pk-s",), case_id="case-2")
    assert await claim(h, single, envelope) == "accepted"


async def test_every_rejection_has_its_reason(h: Harness) -> None:
    site = await h.site(places=2)
    envelope = await h.envelope(nights=10)
    allocation = await h.allocate(site, nights=3)
    assert await claim(h, allocation, envelope) == "accepted"
    assert await claim(h, allocation, envelope) == "person_already_counted"
    assert await claim(h, allocation, envelope, NIGHT - dt.timedelta(days=1)) == "no_allocation"
    await releases.release(h.services, allocation, NIGHT, ReleaseReason.STAY_ENDED, OPERATOR)
    after = NIGHT + dt.timedelta(days=1)
    assert await claim(h, allocation, envelope, after) == "no_allocation"
    assert (await reads.consumption(h.services, envelope, OPERATOR)).nights_claimed == 1


async def test_the_statement_lists_the_months_claims_without_case_or_site(h: Harness) -> None:
    site = await h.site(places=2)
    envelope = await h.envelope(nights=10, amount_cents=700_00)
    allocation = await h.allocate(site, nights=2)
    await claim(h, allocation, envelope)
    await claim(h, allocation, envelope)
    csv = await reads.statement(h.services, envelope, "2026-03", OPERATOR)
    lines = csv.splitlines()
    assert lines[0] == "claim_id,night,departement,nuitees,amount_cents,outcome,reason"
    assert [line.split(",")[3:] for line in lines[1:]] == [
        ["1", "7000", "accepted", ""],
        ["0", "0", "rejected", "person_already_counted"],
    ]
    assert "case-1" not in csv
    assert site not in csv
    assert allocation not in csv
    assert await reads.statement(h.services, envelope, "2026-04", OPERATOR) == lines[0] + "\n"


class ReleaseFirst(MemoryReservations):
    """Runs a release just before the claim's first insert: the claim decided on the state
    before it, the release takes the night's key first."""

    def __init__(
        self, shared: MemoryReservations, release: Callable[[], Awaitable[object]]
    ) -> None:
        self.held = shared.held
        self.release_first: Callable[[], Awaitable[object]] | None = release

    async def insert(self, keys: Sequence[str], holder: str) -> set[str]:
        if self.release_first is not None and holder.startswith("claim-"):
            release, self.release_first = self.release_first, None
            await release()
        return await super().insert(keys, holder)


async def test_a_night_released_while_its_claim_ran_is_not_claimed(h: Harness) -> None:
    """The release takes the night's claimed key first: a claim decided on the state before the
    release finds it taken and is rejected, and the released night is never paid for."""
    site = await h.site(places=2)
    envelope = await h.envelope(nights=10)
    allocation = await h.allocate(site, nights=3)

    def release() -> Awaitable[object]:
        reason = ReleaseReason.STAY_ENDED
        return releases.release(h.services, allocation, NIGHT, reason, OPERATOR)

    racing = replace(h.process(), reservations=ReleaseFirst(h.reservations, release))
    later = NIGHT + dt.timedelta(days=2)
    written = await claims.claim_night(racing, allocation, envelope, later, OPERATOR)
    assert written.state is not None
    assert str(written.state.reason) == "no_allocation"
    assert h.types().count("shelter.allocation_released") == 1
    assert (await reads.consumption(h.services, envelope, OPERATOR)).nights_claimed == 0
