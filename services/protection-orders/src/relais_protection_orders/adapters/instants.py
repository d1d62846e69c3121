"""How instants are stored: fixed-width UTC text, exact to the microsecond and sortable.

BSON dates keep milliseconds only, and a deadline's ``due_at`` (24 hours after a request's
timestamp) may carry microseconds: it must come back equal, or the manager would not recognise
the deadline it scheduled. Text of one width also sorts like the instants it encodes.
"""

from __future__ import annotations

from datetime import UTC, datetime

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
LAST = "~"  # sorts after every instant: "no deadline" goes last


def to_text(instant: datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("instants are timezone-aware")
    return instant.astimezone(UTC).strftime(_FORMAT)


def from_text(text: str) -> datetime:
    return datetime.strptime(text, _FORMAT).replace(tzinfo=UTC)
