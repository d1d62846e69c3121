"""Sending a referral and every answer to it, through the kit's write path.

Sending checks consent at that moment (in the domain, on the case's stream just loaded), draws
the ids, seals an override's justification into the ``consent.overridden`` envelope's ``pii``,
and schedules the SLA escalation BEFORE the commit (a crash in between leaves an entry the
manager drops, never a sent referral nobody watches). A decline's or a withdrawal's text (the
reason "other") is sealed into its event's ``pii``: it is personal data, never in ``data``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from relais_events.catalogue import Event
from relais_events.catalogue.referrals import (
    ConsentOverridden,
    OverrideGround,
    ReferralDeclined,
    ReferralWithdrawn,
    SharedDataCategory,
)
from relais_events.envelope import new_event_id
from relais_events.vocabulary import ConsentPurpose
from relais_kit.application import Acting

from relais_referrals.application.cases import Written, known_case, run_on_case
from relais_referrals.application.partners import load_partner
from relais_referrals.application.ports import ScheduledEscalation
from relais_referrals.application.services import ReferralServices
from relais_referrals.application.streams import LoadedCase, stream_id
from relais_referrals.domain.commands import (
    AcceptReferral,
    CompleteReferral,
    DeclineReferral,
    EscalateReferral,
    SendReferral,
    WithdrawReferral,
)
from relais_referrals.domain.override import OverrideRequest
from relais_referrals.domain.state import CaseReferrals


@dataclass(frozen=True)
class OverrideClaim:
    ground: OverrideGround
    justification: str | None


@dataclass(frozen=True)
class Sending:
    partner_id: str
    purpose: ConsentPurpose
    data_categories: tuple[SharedDataCategory, ...]
    override: OverrideClaim | None = None


async def send_referral(
    case_id: str, sending: Sending, *, services: ReferralServices, acting: Acting
) -> tuple[str, Written]:
    case = await known_case(services, case_id, acting)
    partner = await load_partner(services, sending.partner_id)
    referral_id = f"referral-{new_event_id()}"
    claim = sending.override
    override = (
        OverrideRequest(
            f"override-{new_event_id()}", claim.ground, claim.justification, acting.role
        )
        if claim is not None
        else None
    )
    command = SendReferral(
        referral_id=referral_id,
        case=case,
        partner=partner,
        purpose=sending.purpose,
        data_categories=sending.data_categories,
        referrer_org=acting.org_ref,
        answer_within=services.sla.answer_within(partner.kind),
        override=override,
    )

    def personal_data(event: Event) -> Mapping[str, Any] | None:
        if isinstance(event, ConsentOverridden) and claim is not None:
            return {"justification": (claim.justification or "").strip()}
        return None

    async def schedule(
        before: LoadedCase, after: CaseReferrals | None, version: int, now: dt.datetime
    ) -> None:
        sent = after.referral(referral_id) if after is not None else None
        if sent is not None:
            entry = ScheduledEscalation(
                stream_id(case_id), referral_id, sent.answer_due_by, version, now
            )
            await services.schedule.add([entry])

    written = await run_on_case(
        services,
        case,
        command,
        acting=acting,
        personal_data=personal_data,
        before_append=schedule,
    )
    return referral_id, written


Answer = AcceptReferral | DeclineReferral | CompleteReferral | WithdrawReferral | EscalateReferral


async def answer_referral(
    case_id: str,
    command: Answer,
    *,
    services: ReferralServices,
    acting: Acting,
) -> Written:
    """Accept, decline, complete, withdraw (or escalate, for the SLA manager)."""
    case = await known_case(services, case_id, acting)
    text = getattr(command, "text", None)

    def personal_data(event: Event) -> Mapping[str, Any] | None:
        if isinstance(event, ReferralDeclined | ReferralWithdrawn) and text:
            return {"text": str(text).strip()}
        return None

    return await run_on_case(services, case, command, acting=acting, personal_data=personal_data)
