"""What the application needs from the outside world, as Protocols the adapters implement.

The event store, the clock and the write path are the kit's (``relais_kit.application``); the
one below is intake's own read model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class CasePerson:
    """Whose case it is, pseudonymously: the case's département and its person key."""

    departement: str
    person_key: str


class LinkSuggestions(Protocol):
    """Open cases by ``(departement, person_key)``: the read model behind link suggestions.

    Keyed by département on purpose: there is no search across départements (DOMAIN.md). It
    also keeps each case's person key (``person_of``): since ``case.opened`` v2 the log holds
    it sealed only, so this is intake's one readable copy, and ``forget`` deletes it when the
    case is erased.
    """

    async def add(self, departement: str, person_key: str, case_id: str) -> None:
        """Remember an open case of this person; adding it twice changes nothing."""
        ...

    async def add_and_list(self, departement: str, person_key: str, case_id: str) -> list[str]:
        """``add``, then the person's OTHER open cases, in as few round trips as can be: a
        person seen for the first time costs one insert."""
        ...

    async def person_of(self, case_id: str) -> CasePerson | None:
        """The case's person (None: no identity was given, or the case was erased)."""
        ...

    async def remove(self, case_id: str) -> None:
        """A closed case: no longer suggested (its person is still known)."""
        ...

    async def forget(self, case_id: str) -> None:
        """An erased case: nothing here ties it to its person key any more."""
        ...

    async def open_cases(self, departement: str, person_key: str) -> list[str]:
        """The open cases of this person in this département, oldest first."""
        ...
