"""The partner's inbox and the referrer's outbox (each read logged once per request)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from relais_events.vocabulary import Identifier
from relais_kit.http.purpose import Purpose

from relais_referrals.application.reads import MAX_PAGE, partner_inbox, referrer_outbox
from relais_referrals.domain.referral import OPEN, ReferralStatus
from relais_referrals.entrypoints.dependencies import InboxReader, OutboxReader, Services
from relais_referrals.entrypoints.schemas import ReferralOut
from relais_referrals.entrypoints.views import referral_out

router = APIRouter(tags=["inboxes"])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]


@router.get("/v1/partners/{partner_id}/referrals")
async def inbox(  # noqa: PLR0917  (the route's parameters, as FastAPI takes them)
    partner_id: Identifier,
    who: InboxReader,
    purpose: Purpose,
    services: Services,
    status: Annotated[Literal["sent", "accepted"] | None, Query()] = None,
    limit: Limit = MAX_PAGE,
) -> list[ReferralOut]:
    """The open referrals sent to the partner, for its own organisation only (the token's
    ``org``): a partner sees a referral only while it is open."""
    statuses = {ReferralStatus(status)} if status else set(OPEN)
    views = await partner_inbox(
        partner_id, statuses, services=services, reader=who, purpose=purpose, limit=limit
    )
    return [referral_out(v, for_partner=True) for v in views]


@router.get("/v1/referrals/outbox")
async def outbox(
    who: OutboxReader, purpose: Purpose, services: Services, limit: Limit = MAX_PAGE
) -> list[ReferralOut]:
    """What the caller's organisation sent, newest first, with every outcome."""
    views = await referrer_outbox(services=services, reader=who, purpose=purpose, limit=limit)
    return [referral_out(v) for v in views]
