"""The case directory in memory, with the Mongo adapter's contract (for application tests)."""

from __future__ import annotations

from relais_kit.cases.facts import CaseFacts


class MemoryCaseDirectory:
    def __init__(self) -> None:
        self.cases: dict[str, CaseFacts] = {}

    async def get(self, case_id: str) -> CaseFacts | None:
        return self.cases.get(case_id)

    async def put(self, facts: CaseFacts) -> None:
        self.cases[facts.case_id] = facts
