"""A case's referrals: send (consent checked at that moment), answer, withdraw, read (logged)."""

from __future__ import annotations

from fastapi import APIRouter, status
from relais_events.vocabulary import Identifier
from relais_kit.http.purpose import Purpose

from relais_referrals.application.cases import Written
from relais_referrals.application.reads import case_referrals
from relais_referrals.application.referrals import (
    Answer,
    OverrideClaim,
    Sending,
    answer_referral,
    send_referral,
)
from relais_referrals.domain.commands import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    WithdrawReferral,
)
from relais_referrals.entrypoints.dependencies import (
    Answerer,
    ReferralReader,
    Sender,
    Services,
    Withdrawer,
)
from relais_referrals.entrypoints.schemas import (
    ReasonIn,
    ReferralAccepted,
    ReferralIn,
    ReferralOut,
)
from relais_referrals.entrypoints.views import referral_out

router = APIRouter(prefix="/v1/cases/{case_id}/referrals", tags=["referrals"])


def accepted(case_id: str, referral_id: str, written: Written) -> ReferralAccepted:
    ids = list(written.event_ids)
    return ReferralAccepted(
        case_id=case_id, referral_id=referral_id, event_ids=ids, min_event=ids[-1] if ids else None
    )


@router.post("", status_code=status.HTTP_201_CREATED)
async def send(
    case_id: Identifier, body: ReferralIn, who: Sender, services: Services
) -> ReferralAccepted:
    override = (
        OverrideClaim(body.override.ground, body.override.justification)
        if body.override is not None
        else None
    )
    sending = Sending(body.partner_id, body.purpose, tuple(body.data_categories), override)
    referral_id, written = await send_referral(case_id, sending, services=services, acting=who)
    return accepted(case_id, referral_id, written)


async def _answer(
    case_id: str, referral_id: str, command: Answer, who: Answerer, services: Services
) -> ReferralAccepted:
    written = await answer_referral(case_id, command, services=services, acting=who)
    return accepted(case_id, referral_id, written)


@router.post("/{referral_id}/accept")
async def accept(
    case_id: Identifier, referral_id: Identifier, who: Answerer, services: Services
) -> ReferralAccepted:
    command = AcceptReferral(referral_id, who.org_ref)
    return await _answer(case_id, referral_id, command, who, services)


@router.post("/{referral_id}/decline")
async def decline(
    case_id: Identifier,
    referral_id: Identifier,
    body: ReasonIn,
    who: Answerer,
    services: Services,
) -> ReferralAccepted:
    command = DeclineReferral(referral_id, who.org_ref, body.reason, body.text)
    return await _answer(case_id, referral_id, command, who, services)


@router.post("/{referral_id}/complete")
async def complete(
    case_id: Identifier, referral_id: Identifier, who: Answerer, services: Services
) -> ReferralAccepted:
    command = CompleteReferral(referral_id, who.org_ref)
    return await _answer(case_id, referral_id, command, who, services)


@router.post("/{referral_id}/withdraw")
async def withdraw(
    case_id: Identifier,
    referral_id: Identifier,
    body: ReasonIn,
    who: Withdrawer,
    services: Services,
) -> ReferralAccepted:
    command = WithdrawReferral(referral_id, who.org_ref, body.reason, body.text)
    written = await answer_referral(case_id, command, services=services, acting=who)
    return accepted(case_id, referral_id, written)


@router.get("")
async def of_case(
    case_id: Identifier, who: ReferralReader, purpose: Purpose, services: Services
) -> list[ReferralOut]:
    views = await case_referrals(case_id, services=services, reader=who, purpose=purpose)
    return [referral_out(v) for v in views]
