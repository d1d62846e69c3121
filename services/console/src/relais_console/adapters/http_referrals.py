"""Referrals (port 8104, issue 12): a partner's inbox, a referrer's outbox, accept, decline."""

from __future__ import annotations

from typing import Final

from pydantic import TypeAdapter

from relais_console.adapters.http_service import ServiceApi
from relais_console.application.ports import Body
from relais_console.domain.partner_views import Referral

_LIST: Final = TypeAdapter(list[Referral])


class HttpReferrals:
    def __init__(self, api: ServiceApi) -> None:
        self.api = api

    async def inbox(self, token: str, purpose: str, partner_id: str) -> list[Referral]:
        path = f"/v1/partners/{partner_id}/referrals"
        return _LIST.validate_python(await self.api.read(path, token, purpose, {"status": "sent"}))

    async def outbox(self, token: str, purpose: str) -> list[Referral]:
        return _LIST.validate_python(await self.api.read("/v1/referrals/outbox", token, purpose))

    async def answer(
        self, token: str, case_id: str, referral_id: str, *, verb: str, body: Body, key: str
    ) -> None:
        """``verb``: ``accept`` or ``decline`` (with a reason of the closed list)."""
        if verb not in ("accept", "decline"):
            raise ValueError(f"unknown answer {verb!r}")
        path = f"/v1/cases/{case_id}/referrals/{referral_id}/{verb}"
        await self.api.command(path, token, body if verb == "decline" else None, key)
