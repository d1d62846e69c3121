"""Sending a referral: the consent check at that moment, or the override (DOMAIN.md "Referrals
and consent", "Minors").

The referral goes only to a partner serving the case's département, for an open case, with the
data categories it shares named. Consent is checked NOW against every consent of the case; with
none covering, the referral is refused unless the command carries an override that an authorised
role justified in writing on a ground the case shows; then ``consent.overridden`` and
``referral.sent`` are one commit, so no referral sent without consent lacks its override.
"""

from __future__ import annotations

import datetime as dt

from relais_events.catalogue import Event
from relais_events.catalogue.referrals import ConsentOverridden, ReferralSent

from relais_referrals.domain import errors
from relais_referrals.domain.commands import SendReferral
from relais_referrals.domain.override import check_override
from relais_referrals.domain.state import CaseReferrals


def decide_send(
    state: CaseReferrals | None, command: SendReferral, now: dt.datetime
) -> list[Event]:
    case, partner = command.case, command.partner
    if case.closed:
        raise errors.CaseIsClosed(case.case_id)
    if not partner.serves(case.departement):
        raise errors.PartnerDoesNotServeDepartement(
            f"{partner.partner_id} does not serve {case.departement}"
        )
    if not command.data_categories:
        raise errors.ReferralNeedsDataCategories()
    if state is not None and state.knows(command.referral_id):
        raise errors.AlreadyRecorded(command.referral_id)
    if state is not None and state.open_to(partner.partner_id, command.purpose) is not None:
        raise errors.ReferralAlreadyOpen(partner.partner_id)
    if command.override is not None:
        check_override(command.override, case)
    consent = (
        state.covering(partner, command.purpose, command.data_categories, now)
        if state is not None
        else None
    )
    events: list[Event] = []
    override_id: str | None = None
    if consent is None:
        if command.override is None:
            raise errors.NoCoveringConsent(
                f"{partner.partner_id}, {command.purpose.value}, "
                + ", ".join(sorted(c.value for c in command.data_categories))
            )
        override_id = command.override.override_id
        events.append(
            ConsentOverridden(
                override_id=override_id,
                case_id=case.case_id,
                ground=command.override.ground,
                authorised_by=command.override.authorised_by,
                purpose=command.purpose,
                partner_id=partner.partner_id,
                data_categories=sorted(set(command.data_categories)),
            )
        )
    events.append(
        ReferralSent(
            referral_id=command.referral_id,
            case_id=case.case_id,
            partner_id=partner.partner_id,
            partner_kind=partner.kind,
            purpose=command.purpose,
            consent_id=consent.consent_id if consent is not None else None,
            override_id=override_id,
            answer_due_by=(now + command.answer_within).astimezone(dt.UTC),
            data_categories=sorted(set(command.data_categories)),
            referrer_org=command.referrer_org,
            partner_org=partner.org,
        )
    )
    return events
