"""In-memory adapters of intake's own ports (the kit has the event store's), for unit tests."""

from __future__ import annotations


class MemoryLinkSuggestions:
    def __init__(self) -> None:
        self._slots: dict[str, list[tuple[str, bool]]] = {}

    async def add(self, departement: str, person_key: str, case_id: str) -> None:
        slots = self._slots.setdefault(f"{departement}:{person_key}", [])
        if all(case != case_id for case, _ in slots):
            slots.append((case_id, True))

    async def add_and_list(self, departement: str, person_key: str, case_id: str) -> list[str]:
        await self.add(departement, person_key, case_id)
        return [c for c in await self.open_cases(departement, person_key) if c != case_id]

    async def remove(self, departement: str, person_key: str, case_id: str) -> None:
        key = f"{departement}:{person_key}"
        slots = self._slots.get(key, [])
        self._slots[key] = [(case, is_open and case != case_id) for case, is_open in slots]

    async def open_cases(self, departement: str, person_key: str) -> list[str]:
        return [
            case for case, is_open in self._slots.get(f"{departement}:{person_key}", []) if is_open
        ]
