"""``POST /v1/reports``: file a report from any channel (opens a case or attaches to one).

A reporting point (pharmacy, info point) gets back an acknowledgement only: a reference to quote
and the event id. It reads nothing back (DESIGN.md section 6), so it cannot attach to a case
either: that would let it probe which case ids exist.
"""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from relais_events.vocabulary import Role
from relais_kit.http.problems import ProblemError

from relais_intake.application.reports import (
    AssessmentForm,
    ReportOutcome,
    ReportSubmission,
    handle_file_report,
)
from relais_intake.domain.person_key import Identity
from relais_intake.entrypoints.dependencies import Filer, Services
from relais_intake.entrypoints.schemas import QuestionnaireIn, ReportAccepted, ReportAck, ReportIn

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ReportAccepted | ReportAck,
    responses={201: {"description": "Filed; a reporting point gets a ReportAck only."}},
)
async def file_report(
    body: ReportIn, who: Filer, services: Services, response: Response
) -> ReportAccepted | ReportAck:
    is_reporting_point = who.role is Role.REPORTING_POINT
    if is_reporting_point and body.case_id is not None:
        raise ProblemError(
            403,
            "Reporting points file new alerts only",
            "A reporting point cannot attach to an existing case.",
            slug="forbidden-attach",
            errors=[{"field": "case_id", "message": "not allowed for reporting points"}],
        )
    outcome = await handle_file_report(submission(body), services=services, acting=who)
    if is_reporting_point:
        return ReportAck(reference=outcome.case_id, event_id=outcome.report_event_id)
    response.headers["Location"] = f"/v1/cases/{outcome.case_id}"
    return accepted(outcome)


def submission(body: ReportIn) -> ReportSubmission:
    victim = body.victim
    return ReportSubmission(
        channel=body.channel,
        report_kind=body.report_kind,
        case_kind=body.case_kind,
        departement=body.departement,
        minor_victim=body.minor_victim,
        children_present=body.children_present,
        trafficking_forms=tuple(body.trafficking_forms),
        existing_case_id=body.case_id,
        identity=Identity(**victim.model_dump()) if victim else None,
        narrative=body.narrative,
        contact_phone=body.contact_phone,
        assessment=assessment_form(body.assessment) if body.assessment else None,
    )


def assessment_form(body: QuestionnaireIn) -> AssessmentForm:
    return AssessmentForm(
        level=body.level,
        questionnaire=body.questionnaire,
        answers=tuple(body.answers),
        raised_by_judgement=body.raised_by_judgement,
    )


def accepted(outcome: ReportOutcome) -> ReportAccepted:
    ids = list(outcome.written.event_ids)
    return ReportAccepted(
        case_id=outcome.case_id,
        event_ids=ids,
        min_event=ids[-1],
        report_id=outcome.report_id,
        opened=outcome.opened,
        suggested_links=list(outcome.suggested_links),
    )
