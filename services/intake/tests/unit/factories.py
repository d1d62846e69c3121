"""Commands and states for unit tests: valid by default, changed with keyword arguments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from relais_events.catalogue import Event
from relais_events.catalogue.intake import ReportKind
from relais_events.vocabulary import CaseKind, Channel, RiskLevel, Role
from relais_intake.domain.case import CaseState, decide, evolve
from relais_intake.domain.commands import Assessment, AssessRisk, CaseCommand, FileReport

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)


def file_report(**changes: Any) -> FileReport:
    fields: dict[str, Any] = {
        "case_id": "case-1",
        "attach": False,
        "report_id": "report-1",
        "actor_role": Role.HOTLINE,
        "channel": Channel.HOTLINE_3919,
        "report_kind": ReportKind.CALL,
        "case_kind": CaseKind.CONJUGAL_VIOLENCE,
        "departement": "93",
        "person_key": "a" * 64,
        "minor_victim": False,
        "children_present": 2,
    }
    return FileReport(**(fields | changes))


ASSESSOR = "ecoutante-3919"  # who opened the case and assessed it first, by pseudonym


def assessment(
    level: RiskLevel, assessment_id: str = "assessment-1", assessor: str = ASSESSOR
) -> Assessment:
    return Assessment(
        assessment_id=assessment_id, assessor_ref=assessor, level=level, questionnaire="dash-2009"
    )


def assess(level: RiskLevel, role: Role = Role.HOTLINE, **changes: Any) -> AssessRisk:
    """An assessment by ``role``; ``assessor`` (pseudonym) is someone else than ``ASSESSOR``."""
    assessor = changes.pop("assessor", f"{role}-2")
    fields: dict[str, Any] = {
        "case_id": "case-1",
        "actor_role": role,
        "assessment": assessment(level, changes.pop("assessment_id", "assessment-2"), assessor),
    }
    return AssessRisk(**(fields | changes))


def fold(events: list[Event], state: CaseState | None = None) -> CaseState:
    for event in events:
        state = evolve(state, event)
    assert state is not None
    return state


def run(state: CaseState | None, *commands: CaseCommand) -> CaseState | None:
    for command in commands:
        state = fold(decide(state, command, NOW), state)
    return state


def opened_case(level: RiskLevel | None = None) -> CaseState:
    first = file_report(assessment=assessment(level) if level else None)
    return fold(decide(None, first, NOW))
