"""From the application's views to response bodies (one place, so every route shows the same)."""

from __future__ import annotations

from relais_referrals.application.consents import ConsentView
from relais_referrals.application.partners import PartnerView
from relais_referrals.application.reads import ReferralView
from relais_referrals.entrypoints.schemas import ConsentOut, PartnerOut, ReferralOut


def partner_out(view: PartnerView) -> PartnerOut:
    p = view.partner
    return PartnerOut(
        partner_id=p.partner_id,
        kind=p.kind,
        org=p.org,
        departements=list(p.departements),
        night=view.night,
        free_places=view.free_places,
    )


def consent_out(view: ConsentView) -> ConsentOut:
    c = view.consent
    return ConsentOut(
        consent_id=c.consent_id,
        status=view.status.value,
        partner_ids=sorted(c.partner_ids),
        partner_kinds=sorted(c.partner_kinds),
        purposes=sorted(c.purposes),
        data_categories=sorted(c.data_categories),
        valid_until=c.valid_until,
        expires_at=c.expires_at,
    )


def referral_out(view: ReferralView, *, for_partner: bool = False) -> ReferralOut:
    r = view.referral
    return ReferralOut(
        referral_id=r.referral_id,
        case_id=view.case_id,
        departement=view.departement,
        partner_id=r.partner_id,
        partner_kind=r.partner_kind,
        purpose=r.purpose,
        data_categories=list(r.data_categories),
        status=r.status.value,
        answer_due_by=r.answer_due_by,
        escalated=r.escalated,
        consent_withdrawn=r.consent_withdrawn,
        consent_id=r.consent_id,
        override_id=r.override_id,
        reason=r.reason,
        case_kind=view.case_kind,
        minor_victim=view.minor_victim if for_partner else None,
    )
