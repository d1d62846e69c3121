"""Shelter (port 8103, issue 11): allocate places, read an allocation again, claim nights, read
an envelope and the
free places of a département on a night (counts only: a site's name and address never leave
the shelter service)."""

from __future__ import annotations

from relais_console.adapters.http_service import ServiceApi
from relais_console.application.ports import Body
from relais_console.domain.partner_views import (
    Allocation,
    Availability,
    ClaimOutcome,
    Envelope,
    OperatedSite,
)


class HttpShelter:
    def __init__(self, api: ServiceApi) -> None:
        self.api = api

    async def allocate(self, token: str, body: Body, key: str) -> Allocation:
        return Allocation.model_validate(
            await self.api.command("/v1/allocations", token, body, key)
        )

    async def allocation(self, token: str, purpose: str, allocation_id: str) -> Allocation:
        """One allocation (it names a case: the shelter service logs the read)."""
        answer = await self.api.read(f"/v1/allocations/{allocation_id}", token, purpose)
        return Allocation.model_validate(answer)

    async def claim(self, token: str, body: Body, key: str) -> ClaimOutcome:
        return ClaimOutcome.model_validate(await self.api.command("/v1/claims", token, body, key))

    async def envelope(self, token: str, purpose: str, envelope_id: str) -> Envelope:
        answer = await self.api.read(f"/v1/envelopes/{envelope_id}", token, purpose)
        return Envelope.model_validate(answer)

    async def availability(
        self, token: str, purpose: str, departement: str, night: str
    ) -> Availability:
        params = {"departement": departement, "night": night}
        return Availability.model_validate(
            await self.api.read("/v1/availability", token, purpose, params)
        )

    async def sites(
        self, token: str, purpose: str, first_night: str, nights: int
    ) -> list[OperatedSite]:
        """The operator's own sites, with their places per night from ``first_night``."""
        params = {"first_night": first_night, "nights": str(nights)}
        answer = await self.api.read("/v1/sites", token, purpose, params)
        return [OperatedSite.model_validate(s) for s in answer["sites"]]
