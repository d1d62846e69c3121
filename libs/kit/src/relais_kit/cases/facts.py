"""What a service knows of a case, learnt from intake's events (never from intake's database).

DESIGN.md section 1: a service never reads another service's database; what it needs from
elsewhere it learns from events and keeps its own copy. Referrals and shelter both need a case's
département (the caller must act for it; a partner must serve it), whether the victim is a minor
(DOMAIN.md "Minors": consent never blocks a referral or a place for a minor) and whether the
case is assessed in grave danger (the override grounds), whether the case is still open (closed
or erased), and the last intake event of the case: the first event a service commits about the
case may depend on it, so the committee timeline places it after the report it follows
(DESIGN.md section 5).

``learn`` is the pure fold (no I/O: this module imports only ``relais_events``, an import
contract says so); a worker applies it per intake record, in the order of the case's partition
(``relais_kit.cases.learning``), and ``version`` (the intake stream's ``aggregateversion``) makes
a redelivery a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseOpened, ReportFiled, RiskLowered
from relais_events.vocabulary import CaseKind, RiskLevel


@dataclass(frozen=True)
class CaseFacts:
    case_id: str
    departement: str
    kind: CaseKind | None = None
    minor_victim: bool = False
    risk_level: RiskLevel | None = None
    closed: bool = False
    last_event_id: str | None = None
    version: int = 0  # the last intake version learnt from the case's own stream


def learn(
    known: CaseFacts | None,
    event: Event,
    *,
    case_id: str,
    event_id: str,
    version: int,
    from_case_stream: bool,
) -> CaseFacts | None:
    """The case's facts after ``event`` (None: still nothing to know). ``from_case_stream``:
    the event is of the case's own intake stream (``aggregateid`` is the case id), whose
    versions order it; an event of another intake aggregate about the case adds facts only."""
    if known is not None and from_case_stream and version <= known.version:
        return known  # already learnt: a redelivery
    facts = known or _first(event, case_id)
    if facts is None:
        return None
    facts = _with_event(facts, event)
    if from_case_stream:
        facts = replace(facts, last_event_id=event_id, version=version)
    return facts


def _first(event: Event, case_id: str) -> CaseFacts | None:
    if isinstance(event, CaseOpened | ReportFiled):
        return CaseFacts(case_id=case_id, departement=event.departement)
    return None


def _with_event(facts: CaseFacts, event: Event) -> CaseFacts:
    if isinstance(event, CaseOpened):
        facts = replace(facts, departement=event.departement, kind=event.kind)
    if isinstance(event, CaseOpened | ReportFiled) and event.minor_victim:
        facts = replace(facts, minor_victim=True)
    if event.RISK_LEVEL is not None:
        facts = replace(facts, risk_level=_level_after(facts.risk_level, event))
    if event.ENDS_CASE:
        facts = replace(facts, closed=True)
    return facts


def _level_after(current: RiskLevel | None, event: Event) -> RiskLevel:
    """As intake folds it: an assessment never lowers the level on its own, only a reviewed
    lowering does (DOMAIN.md "Cases", risk levels)."""
    level = RiskLevel(getattr(event, str(event.RISK_LEVEL)))
    if isinstance(event, RiskLowered) or current is None:
        return level
    return level if level.rank > current.rank else current
