"""What the application needs from the outside world, as Protocols the adapters implement.

The event store is the kit's port (``relais_kit.store.EventStore``, one commit document per
command, ``ConcurrencyConflict`` on a raced version); the ones below are intake's own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Protocol

from relais_kit.store import StoredCommit

Clock = Callable[[], dt.datetime]
"""The current instant, timezone-aware. Tests pass a fixed one."""


CommitListener = Callable[[StoredCommit], None]
"""Told of each commit just appended: the outbox relay's ``notify`` publishes it at once."""


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
