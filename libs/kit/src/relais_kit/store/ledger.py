"""What one process knows of its own outbox session: which ledger entries are all published.

Entries are numbered without gaps in the order the store wrote them; an entry is done when
every commit it holds that was really written is marked published (a commit that lost its
version race was never written and is not waited for). The checkpoint is the highest number
below which every entry is done: a sweep never needs to look before it.
"""

from __future__ import annotations

from collections.abc import Iterable


class SessionProgress:
    def __init__(self) -> None:
        self._open: dict[int, set[str]] = {}
        self._entry_of: dict[str, int] = {}
        self.published_through = 0

    def written(self, number: int, commit_ids: Iterable[str]) -> None:
        """Entry ``number`` holds these written commits (none: every one lost its race)."""
        waiting = set(commit_ids)
        self._open[number] = waiting
        for commit_id in waiting:
            self._entry_of[commit_id] = number
        self._advance()

    def published(self, commit_ids: Iterable[str]) -> None:
        for commit_id in commit_ids:
            number = self._entry_of.pop(commit_id, None)
            if number is not None:
                self._open[number].discard(commit_id)
        self._advance()

    def waiting(self) -> int:
        """Commits written by this process and not yet marked (bounded by the relay)."""
        return len(self._entry_of)

    def _advance(self) -> None:
        while (following := self._open.get(self.published_through + 1)) is not None:
            if following:  # still has commits waiting for their marker
                return
            del self._open[self.published_through + 1]
            self.published_through += 1
