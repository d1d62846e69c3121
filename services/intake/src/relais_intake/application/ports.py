"""What the application needs from the outside world, as Protocols the adapters implement.

The event store, the clock and the write path are the kit's (``relais_kit.application``); the
one below is intake's own read model.
"""

from __future__ import annotations

from typing import Protocol


class LinkSuggestions(Protocol):
    """Open cases by ``(departement, person_key)``: the read model behind link suggestions.

    Keyed by département on purpose: there is no search across départements (DOMAIN.md).
    """

    async def add(self, departement: str, person_key: str, case_id: str) -> None:
        """Remember an open case of this person; adding it twice changes nothing."""
        ...

    async def remove(self, departement: str, person_key: str, case_id: str) -> None:
        """Forget a case (closed or erased): it is no longer suggested."""
        ...

    async def open_cases(self, departement: str, person_key: str) -> list[str]:
        """The open cases of this person in this département, oldest first."""
        ...

    async def add_and_list(self, departement: str, person_key: str, case_id: str) -> list[str]:
        """``add``, then the person's OTHER open cases, in as few round trips as can be: a
        person seen for the first time costs one insert."""
        ...
