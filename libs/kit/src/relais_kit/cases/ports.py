"""The directory of the cases a service learnt from intake (DESIGN.md section 2: a Protocol,
with a memory and a Mongo adapter passing one contract suite)."""

from __future__ import annotations

from typing import Protocol

from relais_kit.cases.facts import CaseFacts


class CaseDirectory(Protocol):
    """The cases learnt from intake. One writer per case (DESIGN.md store rule 2): the worker
    consuming the intake partition the case id keys (``relais.intake.v1`` is keyed by case)."""

    async def get(self, case_id: str) -> CaseFacts | None: ...

    async def put(self, facts: CaseFacts) -> None:
        """Replace the case's facts (the writer has already folded them)."""
        ...
