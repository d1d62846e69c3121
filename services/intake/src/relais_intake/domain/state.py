"""What the intake service knows of a case after folding its stream (see ``case.evolve``).

No person key here: since ``case.opened`` v2 it is sealed in the event's ``pii``, and the link
suggestions' read model keeps the one copy intake looks it up in (``LinkSuggestions.person_of``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from relais_events.catalogue.intake import CaseLinkKind
from relais_events.vocabulary import CaseKind, Departement, RiskLevel


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    ERASED = "erased"


@dataclass(frozen=True)
class CaseState:
    case_id: str
    kind: CaseKind
    departement: Departement
    minor_victim: bool
    status: CaseStatus = CaseStatus.OPEN
    risk_level: RiskLevel | None = None
    report_ids: tuple[str, ...] = ()
    assessment_ids: tuple[str, ...] = ()
    # Pseudonyms of assessors (unknown ones, before risk.assessed v3, are left out): who brought
    # the level where it stands (each who raised it since it was last lowered, or the reviewer
    # who lowered it), and who made the latest assessment.
    raised_by: tuple[str, ...] = ()
    last_assessed_by: str | None = None
    links: tuple[tuple[str, CaseLinkKind], ...] = ()

    @property
    def is_open(self) -> bool:
        return self.status is CaseStatus.OPEN
