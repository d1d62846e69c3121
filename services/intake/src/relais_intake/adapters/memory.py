"""In-memory adapters of intake's own ports (the kit has the event store's), for unit tests."""

from __future__ import annotations

from relais_intake.application.ports import CasePerson


class MemoryLinkSuggestions:
    def __init__(self) -> None:
        self._slots: dict[str, list[tuple[str, bool]]] = {}
        self._persons: dict[str, CasePerson] = {}

    async def add(self, departement: str, person_key: str, case_id: str) -> None:
        slots = self._slots.setdefault(f"{departement}:{person_key}", [])
        if all(case != case_id for case, _ in slots):
            slots.append((case_id, True))
        self._persons.setdefault(case_id, CasePerson(departement, person_key))

    async def add_and_list(self, departement: str, person_key: str, case_id: str) -> list[str]:
        await self.add(departement, person_key, case_id)
        return [c for c in await self.open_cases(departement, person_key) if c != case_id]

    async def person_of(self, case_id: str) -> CasePerson | None:
        return self._persons.get(case_id)

    async def remove(self, case_id: str) -> None:
        self._mark(case_id, erase=False)

    async def forget(self, case_id: str) -> None:
        self._mark(case_id, erase=True)
        self._persons.pop(case_id, None)

    def _mark(self, case_id: str, *, erase: bool) -> None:
        person = self._persons.get(case_id)
        if person is None:
            return
        key = f"{person.departement}:{person.person_key}"
        self._slots[key] = [
            ("" if erase and case == case_id else case, is_open and case != case_id)
            for case, is_open in self._slots.get(key, [])
        ]

    async def open_cases(self, departement: str, person_key: str) -> list[str]:
        return [
            case for case, is_open in self._slots.get(f"{departement}:{person_key}", []) if is_open
        ]
