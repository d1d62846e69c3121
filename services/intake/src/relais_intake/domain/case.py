"""The Case aggregate: ``decide(state, command, now) -> events`` and ``evolve(state, event)``.

A case concerns one victim and the children with them; it is opened by the first report from any
channel (DOMAIN.md "Cases"). ``state`` is None before the case exists. Time is an input: ``now``
is the instant the command is decided at (the envelopes carry it); nothing here reads a clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import assert_never

from relais_events.catalogue import Event
from relais_events.catalogue.intake import (
    CaseClosed,
    CaseErased,
    CaseLinked,
    CaseOpened,
    ReportFiled,
    RiskAssessed,
    RiskLowered,
)
from relais_events.vocabulary import CaseKind, RiskLevel

from relais_intake.domain import errors
from relais_intake.domain.commands import (
    AssessRisk,
    CaseCommand,
    CloseCase,
    EraseCase,
    FileReport,
    LinkCase,
)
from relais_intake.domain.reporting import check_channel
from relais_intake.domain.risk import assessed_with_report, decide_assessment
from relais_intake.domain.state import CaseState, CaseStatus


def decide(state: CaseState | None, command: CaseCommand, now: dt.datetime) -> list[Event]:
    """The events ``command`` produces on the case, or a ``CaseRuleViolation``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    match command:
        case FileReport():
            return _file_report(state, command)
        case AssessRisk():
            return decide_assessment(_open(state, command.case_id), command)
        case CloseCase():
            return _close(state, command)
        case LinkCase():
            return _link(state, command)
        case EraseCase():
            return _erase(state, command)
        case _:
            assert_never(command)


def evolve(state: CaseState | None, event: Event) -> CaseState:
    """Fold one event of the case's stream into its state (events are facts: no rule here)."""
    if isinstance(event, CaseOpened):
        return CaseState(
            case_id=event.case_id,
            kind=event.kind,
            departement=event.departement,
            minor_victim=event.minor_victim,
        )
    if state is None:
        raise ValueError(f"{event.TYPE} before case.opened")
    match event:
        case ReportFiled():
            reports = (*state.report_ids, event.report_id)
            minor = state.minor_victim or event.minor_victim
            return replace(state, report_ids=reports, minor_victim=minor)
        case RiskAssessed():  # v1 and v2 records arrive upcast to v3 (relais_events.upcasting)
            # An assessment never lowers on its own: only ``risk.lowered`` does (DOMAIN.md).
            level = _higher(state.risk_level, event.level)
            ids = (*state.assessment_ids, event.assessment_id)
            raisers, assessor = state.raised_by, event.assessor_ref
            if level is not state.risk_level and assessor is not None and assessor not in raisers:
                raisers = (*raisers, assessor)
            return replace(
                state,
                risk_level=level,
                assessment_ids=ids,
                raised_by=raisers,
                last_assessed_by=event.assessor_ref,
            )
        case RiskLowered():
            # Recorded right after the reviewer's own assessment: its assessor set this level.
            reviewer = state.last_assessed_by
            raisers = (reviewer,) if reviewer is not None else ()
            return replace(state, risk_level=event.to_level, raised_by=raisers)
        case CaseLinked():
            return replace(state, links=(*state.links, (event.linked_case_id, event.link)))
        case CaseClosed():
            return replace(state, status=CaseStatus.CLOSED)
        case CaseErased():
            return replace(state, status=CaseStatus.ERASED)
        case _:
            raise ValueError(f"{event.TYPE} is not an event of the case stream")


def _higher(current: RiskLevel | None, new: RiskLevel) -> RiskLevel:
    return new if current is None or new.rank > current.rank else current


def _open(state: CaseState | None, case_id: str) -> CaseState:
    if state is None:
        raise errors.CaseNotFound(case_id)
    if not state.is_open:
        raise errors.CaseIsClosed(case_id)
    return state


def _file_report(state: CaseState | None, command: FileReport) -> list[Event]:
    events: list[Event] = []
    if command.attach:
        # Whether the case exists comes first: a rule refused before it would answer otherwise
        # for a missing case than for one outside the caller's départements (issue 13).
        case = _open(state, command.case_id)
        check_channel(command.actor_role, command.channel)
        if case.departement != command.departement:
            raise errors.ReportOutsideCaseDepartement(command.departement)
    else:
        check_channel(command.actor_role, command.channel)
        if state is not None:
            raise errors.CaseAlreadyExists(command.case_id)
        if command.trafficking_forms and command.case_kind is not CaseKind.TRAFFICKING:
            raise errors.TraffickingFormsOnlyForTrafficking(command.case_kind)
        events.append(
            CaseOpened(
                case_id=command.case_id,
                kind=command.case_kind,
                trafficking_forms=list(dict.fromkeys(command.trafficking_forms)),
                departement=command.departement,
                opened_via=command.channel,
                minor_victim=command.minor_victim,
            )
        )
    events.append(
        ReportFiled(
            case_id=command.case_id,
            report_id=command.report_id,
            channel=command.channel,
            kind=command.report_kind,
            departement=command.departement,
            minor_victim=command.minor_victim,
            children_present=command.children_present,
        )
    )
    if command.assessment is not None:
        events.append(assessed_with_report(state, command.case_id, command.assessment))
    return events


def _close(state: CaseState | None, command: CloseCase) -> list[Event]:
    if state is not None and state.status is CaseStatus.CLOSED:
        raise errors.CaseAlreadyClosed(command.case_id)
    case = _open(state, command.case_id)
    return [CaseClosed(case_id=case.case_id, reason=command.reason)]


def _erase(state: CaseState | None, command: EraseCase) -> list[Event]:
    """An open or closed case may be erased, once (GDPR art. 17; DOMAIN.md "Data protection")."""
    if state is None:
        raise errors.CaseNotFound(command.case_id)
    if state.status is CaseStatus.ERASED:
        raise errors.CaseAlreadyErased(command.case_id)
    return [CaseErased(case_id=state.case_id, basis=command.basis)]


def _link(state: CaseState | None, command: LinkCase) -> list[Event]:
    case = _open(state, command.case_id)
    if not command.confirmed:
        raise errors.LinkNeedsConfirmation()
    if command.linked_case_id == case.case_id:
        raise errors.LinkToItself(case.case_id)
    if command.linked_departement is None:
        raise errors.LinkedCaseNotFound(command.linked_case_id)
    if command.linked_departement != case.departement:
        raise errors.LinkAcrossDepartements()
    if any(linked == command.linked_case_id for linked, _ in case.links):
        raise errors.AlreadyLinked(command.linked_case_id)
    return [
        CaseLinked(case_id=case.case_id, linked_case_id=command.linked_case_id, link=command.link)
    ]


__all__ = ["CaseState", "CaseStatus", "decide", "evolve"]
