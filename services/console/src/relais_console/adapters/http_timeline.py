"""Timeline (port 8105): committee cases, case timelines, meetings and cases at a meeting."""

from __future__ import annotations

from relais_console.adapters.http_service import ServiceApi
from relais_console.domain.views import CasePage, Meeting, Timeline


class HttpTimelines:
    def __init__(self, api: ServiceApi) -> None:
        self.api = api

    async def committee_cases(self, token: str, purpose: str, departement: str) -> CasePage:
        path = f"/v1/committees/{departement}/cases"
        return CasePage.model_validate(await self.api.read(path, token, purpose, {"limit": "100"}))

    async def timeline(
        self,
        token: str,
        purpose: str,
        case_id: str,
        *,
        as_of: str | None = None,
        min_event: str | None = None,
    ) -> Timeline:
        params = {k: v for k, v in (("as_of", as_of), ("min_event", min_event)) if v}
        path = f"/v1/cases/{case_id}/timeline"
        return Timeline.model_validate(await self.api.read(path, token, purpose, params))

    async def hold_meeting(self, token: str, departement: str, key: str) -> Meeting:
        path = f"/v1/committees/{departement}/meetings"
        return Meeting.model_validate(await self.api.command(path, token, None, key))

    async def case_at_meeting(
        self, token: str, purpose: str, departement: str, meeting_id: str, case_id: str
    ) -> Timeline:
        path = f"/v1/committees/{departement}/meetings/{meeting_id}/cases/{case_id}/timeline"
        return Timeline.model_validate(await self.api.read(path, token, purpose))
