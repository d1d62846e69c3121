"""The case aggregate as the kit's write path runs it: its fold and its snapshot shape."""

from __future__ import annotations

from typing import Final

from relais_kit.application import Aggregate

from relais_intake.domain.case import CaseState, evolve

CASE: Final[Aggregate[CaseState | None]] = Aggregate(
    "case",
    initial=None,
    evolve=evolve,
    state_type=CaseState | None,
    # 2: who raised the level and who last assessed it (risk.assessed v3); 3: no person key
    # (case.opened v2 seals it), so no snapshot keeps one
    state_version=3,
)
