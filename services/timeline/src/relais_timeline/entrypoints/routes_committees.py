"""A département's committee (CLAV): its open cases, its meetings, a case as known at one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from relais_events.vocabulary import CaseKind, Identifier, RiskLevel
from relais_kit.http.purpose import Purpose

from relais_timeline.application.errors import (
    CaseNotVisible,
    MeetingNotFound,
    NotThisCommittee,
)
from relais_timeline.entrypoints.dependencies import (
    CaseLister,
    DepartementCode,
    MeetingHolder,
    MeetingReader,
    ServingDep,
    problem,
)
from relais_timeline.entrypoints.schemas import CasePageOut, MeetingOut, TimelineOut

router = APIRouter(prefix="/v1/committees", tags=["committees"])


@router.get("/{departement}/cases", response_model=CasePageOut)
async def committee_cases(
    *,
    departement: DepartementCode,
    who: CaseLister,
    purpose: Purpose,
    service: ServingDep,
    kind: CaseKind | None = None,
    risk_level: RiskLevel | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> CasePageOut:
    try:
        page = await service.committees.cases(
            who,
            departement,
            kind=kind.value if kind else None,
            risk_level=risk_level.value if risk_level else None,
            limit=min(limit, service.settings.max_page),
            offset=offset,
            purpose=purpose,
        )
    except NotThisCommittee as error:
        raise problem(error) from error
    return CasePageOut(cases=page.cases, next_offset=page.next_offset)


@router.post("/{departement}/meetings", response_model=MeetingOut, status_code=201)
async def hold_meeting(
    departement: DepartementCode, who: MeetingHolder, service: ServingDep
) -> MeetingOut:
    """Snapshot the département's open cases (case hashes and watermarks) as of now."""
    try:
        meeting = await service.committees.hold(who, departement)
    except NotThisCommittee as error:
        raise problem(error) from error
    return MeetingOut.of(meeting)


@router.get(
    "/{departement}/meetings/{meeting_id}/cases/{case_id}/timeline", response_model=TimelineOut
)
async def case_at_meeting(
    *,
    departement: DepartementCode,
    meeting_id: Identifier,
    case_id: Identifier,
    who: MeetingReader,
    purpose: Purpose,
    service: ServingDep,
) -> TimelineOut:
    try:
        view = await service.committees.case_at_meeting(
            who, departement, meeting_id, case_id, purpose
        )
    except (NotThisCommittee, MeetingNotFound, CaseNotVisible) as error:
        raise problem(error) from error
    return TimelineOut.of(view, meeting_id=meeting_id)
