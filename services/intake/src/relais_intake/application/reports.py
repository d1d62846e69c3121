"""``handle_file_report``: a report opens a case or attaches to one (DOMAIN.md "Cases").

The victim's identity, the narrative and a safe contact are sealed into the ``report.filed``
envelope's ``pii``; the pseudonymous person key (an HMAC under the service's secret) into the
``case.opened`` one's (v2: see ``CaseOpened``). Link suggestions look the key up within the
report's département only, from intake's read model, never from the log.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseOpened, ReportFiled, ReportKind
from relais_events.envelope import new_event_id
from relais_events.vocabulary import (
    CaseKind,
    Channel,
    QuestionnaireAnswer,
    RiskLevel,
    TraffickingForm,
)
from relais_kit.application import Acting, Committed

from relais_intake.application.case_stream import CASE
from relais_intake.application.ports import LinkSuggestions
from relais_intake.application.services import IntakeServices
from relais_intake.domain.case import CaseState, decide
from relais_intake.domain.commands import Assessment, FileReport
from relais_intake.domain.person_key import Identity, anonymous_person_key, person_key


@dataclass(frozen=True)
class AssessmentForm:
    """A filled-in danger questionnaire, before it gets its id."""

    level: RiskLevel
    questionnaire: str
    answers: tuple[QuestionnaireAnswer, ...] = ()
    raised_by_judgement: bool = False

    def with_id(self, assessment_id: str, assessor_ref: str) -> Assessment:
        """The assessment made by the caller whose pseudonym is ``assessor_ref``."""
        return Assessment(
            assessment_id=assessment_id,
            assessor_ref=assessor_ref,
            level=self.level,
            questionnaire=self.questionnaire,
            answers=self.answers,
            raised_by_judgement=self.raised_by_judgement,
        )


@dataclass(frozen=True)
class ReportSubmission:
    channel: Channel
    report_kind: ReportKind
    case_kind: CaseKind
    departement: str
    minor_victim: bool
    children_present: int = 0
    trafficking_forms: tuple[TraffickingForm, ...] = ()
    existing_case_id: str | None = None
    identity: Identity | None = None
    narrative: str | None = None
    contact_phone: str | None = None
    assessment: AssessmentForm | None = None


@dataclass(frozen=True)
class ReportOutcome:
    case_id: str
    report_id: str
    opened: bool
    written: Committed[CaseState | None]
    suggested_links: tuple[str, ...]

    @property
    def report_event_id(self) -> str:
        return next(e.id for e in self.written.envelopes if e.type == ReportFiled.TYPE)


async def handle_file_report(
    submission: ReportSubmission, *, services: IntakeServices, acting: Acting
) -> ReportOutcome:
    # The report's own département, whatever the case: a caller files only where they act.
    acting.ensure_acts_for(submission.departement)
    attach = submission.existing_case_id is not None
    case_id = submission.existing_case_id or f"case-{new_event_id()}"
    report_id = f"report-{new_event_id()}"
    secret = services.person_key_secret
    key = (
        person_key(secret, submission.identity)
        if submission.identity is not None
        else anonymous_person_key(secret, case_id)
    )
    command = FileReport(
        case_id=case_id,
        attach=attach,
        report_id=report_id,
        actor_role=acting.role,
        channel=submission.channel,
        report_kind=submission.report_kind,
        case_kind=submission.case_kind,
        trafficking_forms=submission.trafficking_forms,
        departement=submission.departement,
        person_key=key,
        minor_victim=submission.minor_victim,
        children_present=submission.children_present,
        assessment=(
            submission.assessment.with_id(f"assessment-{new_event_id()}", acting.subject_ref)
            if submission.assessment
            else None
        ),
    )
    pii = _report_pii(submission)

    def personal_data(event: Event) -> Mapping[str, Any] | None:
        if isinstance(event, CaseOpened):
            return {"person_key": key}
        return pii if isinstance(event, ReportFiled) else None

    written = await services.write_path.execute(
        CASE,
        case_id,
        lambda loaded, now: decide(loaded.state, command, now),
        acting=acting,
        subject=case_id,
        jurisdiction=submission.departement,
        personal_data=personal_data,
        new=not attach,
    )
    state = written.state
    assert state is not None, "a report opens or joins a case"
    if not attach and submission.identity is not None:
        # After the commit: the index is a read model, rebuilt from case.opened if it lags.
        found = await services.suggestions.add_and_list(state.departement, key, case_id)
        others = _not_linked(state, found)
    else:
        others = await suggested_links(services.suggestions, state)
    return ReportOutcome(case_id, report_id, not attach, written, others)


async def suggested_links(suggestions: LinkSuggestions, state: CaseState) -> tuple[str, ...]:
    """Open cases of the same person in the same département, not this one nor linked ones."""
    person = await suggestions.person_of(state.case_id)
    if person is None or not state.is_open:
        return ()
    return _not_linked(state, await suggestions.open_cases(person.departement, person.person_key))


def _not_linked(state: CaseState, found: list[str]) -> tuple[str, ...]:
    linked = {linked for linked, _ in state.links}
    return tuple(c for c in found if c != state.case_id and c not in linked)


def _report_pii(submission: ReportSubmission) -> dict[str, Any] | None:
    pii: dict[str, Any] = {}
    if submission.identity is not None:
        pii["identity"] = submission.identity.model_dump(mode="json")
    if submission.narrative:
        pii["narrative"] = submission.narrative
    if submission.contact_phone:
        pii["contact_phone"] = submission.contact_phone
    return pii or None
