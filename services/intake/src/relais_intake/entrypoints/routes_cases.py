"""Commands and reads on one case; every read is logged (``access.logged``) with its purpose."""

from __future__ import annotations

from fastapi import APIRouter, status
from relais_events.vocabulary import Identifier
from relais_kit.http.purpose import Purpose

from relais_intake.application.cases import (
    Written,
    handle_assess_risk,
    handle_close_case,
    handle_erase_case,
    handle_link_case,
)
from relais_intake.application.queries import read_case
from relais_intake.entrypoints.dependencies import (
    Assessor,
    Closer,
    Eraser,
    Linker,
    Reader,
    Services,
)
from relais_intake.entrypoints.routes_reports import assessment_form
from relais_intake.entrypoints.schemas import (
    Accepted,
    CaseOut,
    CloseIn,
    ErasureIn,
    LinkIn,
    LinkOut,
    RiskAssessmentIn,
)

router = APIRouter(prefix="/v1/cases", tags=["cases"])


def accepted(case_id: str, written: Written) -> Accepted:
    ids = list(written.event_ids)
    return Accepted(case_id=case_id, event_ids=ids, min_event=ids[-1])


@router.post("/{case_id}/risk-assessments", status_code=status.HTTP_201_CREATED)
async def assess_risk(
    case_id: Identifier,
    body: RiskAssessmentIn,
    who: Assessor,
    services: Services,
) -> Accepted:
    written = await handle_assess_risk(
        case_id,
        assessment_form(body),
        lowering_reason=body.lowering_reason,
        written_reason=body.written_reason,
        services=services,
        acting=who,
    )
    return accepted(case_id, written)


@router.post("/{case_id}/close")
async def close_case(
    case_id: Identifier, body: CloseIn, who: Closer, services: Services
) -> Accepted:
    written = await handle_close_case(case_id, body.reason, services=services, acting=who)
    return accepted(case_id, written)


@router.delete("/{case_id}/personal-data")
async def erase_personal_data(
    case_id: Identifier, body: ErasureIn, who: Eraser, services: Services
) -> Accepted:
    """Erase the case's personal data everywhere (crypto-shredding): its data key is deleted
    and ``case.erased`` is published; the case's structure stays on the timeline. Admin only,
    with the legal basis; an erased case answers 409 to a second request."""
    written = await handle_erase_case(case_id, body.basis, services=services, acting=who)
    return accepted(case_id, written)


@router.post("/{case_id}/links", status_code=status.HTTP_201_CREATED)
async def link_case(case_id: Identifier, body: LinkIn, who: Linker, services: Services) -> Accepted:
    written = await handle_link_case(
        case_id,
        body.linked_case_id,
        body.link,
        confirmed=body.confirmed,
        services=services,
        acting=who,
    )
    return accepted(case_id, written)


@router.get("/{case_id}")
async def get_case(
    case_id: Identifier, who: Reader, purpose: Purpose, services: Services
) -> CaseOut:
    view = await read_case(case_id, purpose=purpose, services=services, reader=who)
    return CaseOut(
        case_id=view.case_id,
        kind=view.kind,
        departement=view.departement,
        status=view.status.value,
        risk_level=view.risk_level,
        minor_victim=view.minor_victim,
        report_ids=list(view.report_ids),
        links=[LinkOut(case_id=c, link=kind) for c, kind in view.links],
        version=view.version,
        opened_at=view.opened_at,
        last_event_id=view.last_event_id,
        suggested_links=list(view.suggested_links),
        access_event_id=view.access_event_id,
    )
