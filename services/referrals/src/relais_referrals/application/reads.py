"""Reads of referrals: the partner's inbox, the referrer's outbox, a case's referrals.

The index rows (projected by the worker) only FIND referrals; what a read shows is read from the
case's stream itself, so a referral answered or withdrawn a moment ago is shown as it is now:
the partner sees a referral only while it is open and addressed to it, only the minimal data of
its case, and nothing of a case of a département the partner does not act for. Every read that
shows a case writes ONE ``access.logged`` naming every case of the page (the kit's access log,
DESIGN.md section 6); an empty page logs nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from relais_events.catalogue.timeline import AccessPurpose
from relais_events.vocabulary import CaseKind
from relais_kit.application import Acting
from relais_kit.application.access_log import Shown

from relais_referrals.application.cases import readable_case
from relais_referrals.application.partners import load_partner
from relais_referrals.application.ports import IndexRow
from relais_referrals.application.services import ReferralServices
from relais_referrals.application.streams import CASE_REFERRALS, stream_id
from relais_referrals.domain import errors
from relais_referrals.domain.referral import OPEN, Referral, ReferralStatus

MAX_PAGE = 50


@dataclass(frozen=True)
class ReferralView:
    case_id: str
    departement: str | None
    referral: Referral
    case_kind: CaseKind | None = None
    minor_victim: bool = False


async def partner_inbox(
    partner_id: str,
    statuses: Collection[ReferralStatus],
    *,
    services: ReferralServices,
    reader: Acting,
    purpose: AccessPurpose,
    limit: int = MAX_PAGE,
) -> list[ReferralView]:
    """The open referrals sent to ``partner_id``, for a member of the partner's organisation."""
    partner = await load_partner(services, partner_id)
    if partner.org != reader.org_ref:
        raise errors.PartnerNotFound(partner_id)  # another organisation's inbox does not exist
    wanted = set(statuses) & OPEN
    # Every open row, whatever the status asked: the index may lag the stream by a moment
    # (a referral accepted just now is still "sent" there); the stream's status decides.
    rows = await services.index.for_partner(partner_id, OPEN, min(limit, MAX_PAGE))
    views: list[ReferralView] = []
    shown: list[Shown] = []
    for row, view, last in await _current(services, rows, reader):
        referral = view.referral
        if referral.partner_id != partner_id or referral.status not in wanted:
            continue
        facts = await services.cases.get(row.case_id)
        views.append(
            ReferralView(
                row.case_id,
                view.departement,
                referral,
                case_kind=facts.kind if facts else None,
                minor_victim=facts.minor_victim if facts else False,
            )
        )
        shown.append(Shown(row.case_id, view.departement, last))
    if shown:
        await services.access_log.record(reader, "referral", purpose, shown)
    return views


async def referrer_outbox(
    *,
    services: ReferralServices,
    reader: Acting,
    purpose: AccessPurpose,
    limit: int = MAX_PAGE,
) -> list[ReferralView]:
    """What the reader's organisation sent, with every outcome: a decline, a withdrawal or an
    escalation always shows here, so no referral ends silently."""
    rows = await services.index.for_referrer(
        reader.org_ref, reader.departements(), min(limit, MAX_PAGE)
    )
    views: list[ReferralView] = []
    shown: list[Shown] = []
    for row, view, last in await _current(services, rows, reader):
        if view.referral.referrer_org != reader.org_ref:
            continue
        views.append(view)
        shown.append(Shown(row.case_id, view.departement, last))
    if shown:
        await services.access_log.record(reader, "referral", purpose, shown)
    return views


async def case_referrals(
    case_id: str, *, services: ReferralServices, reader: Acting, purpose: AccessPurpose
) -> list[ReferralView]:
    """Every referral of a case with its outcome, for those following the case."""
    facts = await readable_case(services, case_id, reader)
    loaded = await services.write_path.load(CASE_REFERRALS, stream_id(case_id))
    referrals = loaded.state.referrals if loaded.state is not None else ()
    await services.access_log.record(
        reader, "referral", purpose, [Shown(case_id, facts.departement, loaded.last_event_id)]
    )
    return [
        ReferralView(case_id, facts.departement, r, facts.kind, facts.minor_victim)
        for r in referrals
    ]


async def _current(
    services: ReferralServices, rows: Sequence[IndexRow], reader: Acting
) -> list[tuple[IndexRow, ReferralView, str | None]]:
    """Each row's referral as its case's stream has it now, within the reader's départements."""
    found = []
    for row in rows:
        loaded = await services.write_path.load(CASE_REFERRALS, stream_id(row.case_id))
        referral = loaded.state.referral(row.referral_id) if loaded.state is not None else None
        if referral is None or not reader.acts_for(loaded.jurisdiction):
            continue
        view = ReferralView(row.case_id, loaded.jurisdiction, referral)
        found.append((row, view, loaded.last_event_id))
    return found
