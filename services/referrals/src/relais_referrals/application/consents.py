"""Consent as events: given by the victim and recorded by a professional, withdrawn at any time,
and readable as it stands NOW (DOMAIN.md "Referrals and consent").

The current consent of a case is every consent covering something at the instant of the read,
with its scope and expiry; a read also shows the ones that expired or were withdrawn, marked so.
Every read goes through the kit's access log first (resource ``consent``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from relais_events.catalogue.timeline import AccessPurpose
from relais_events.envelope import new_event_id
from relais_kit.application import Acting
from relais_kit.application.access_log import Shown

from relais_referrals.application.cases import Written, known_case, readable_case, run_on_case
from relais_referrals.application.services import ReferralServices
from relais_referrals.application.streams import CASE_REFERRALS, stream_id
from relais_referrals.domain.commands import WithdrawConsent
from relais_referrals.domain.consent import Consent, ConsentScope, GiveConsent


class ConsentStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class ConsentView:
    consent: Consent
    status: ConsentStatus


@dataclass(frozen=True)
class CaseConsents:
    case_id: str
    departement: str
    at: dt.datetime
    consents: tuple[ConsentView, ...]

    @property
    def active(self) -> tuple[ConsentView, ...]:
        return tuple(c for c in self.consents if c.status is ConsentStatus.ACTIVE)


def status_at(consent: Consent, now: dt.datetime) -> ConsentStatus:
    if consent.withdrawn:
        return ConsentStatus.WITHDRAWN
    return ConsentStatus.ACTIVE if consent.active(now) else ConsentStatus.EXPIRED


async def give_consent(
    case_id: str, scope: ConsentScope, *, services: ReferralServices, acting: Acting
) -> tuple[str, Written]:
    """Record a consent; its id is drawn here."""
    case = await known_case(services, case_id, acting)
    consent_id = f"consent-{new_event_id()}"
    command = GiveConsent(consent_id, scope)
    return consent_id, await run_on_case(services, case, command, acting=acting)


async def withdraw_consent(
    case_id: str, consent_id: str, *, services: ReferralServices, acting: Acting
) -> Written:
    """Withdraw it: no new referral rests on it from this commit on; the open ones are
    flagged in the same event."""
    case = await known_case(services, case_id, acting)
    return await run_on_case(services, case, WithdrawConsent(consent_id), acting=acting)


async def read_consents(
    case_id: str, *, services: ReferralServices, reader: Acting, purpose: AccessPurpose
) -> CaseConsents:
    facts = await readable_case(services, case_id, reader)
    loaded = await services.write_path.load(CASE_REFERRALS, stream_id(case_id))
    now = services.clock.now()
    consents = loaded.state.consents if loaded.state is not None else ()
    await services.access_log.record(
        reader, "consent", purpose, [Shown(case_id, facts.departement, loaded.last_event_id)]
    )
    return CaseConsents(
        case_id=case_id,
        departement=facts.departement,
        at=now,
        consents=tuple(ConsentView(c, status_at(c, now)) for c in consents),
    )
