"""How the kit's own collections, and the services' read models, store instants: fixed-width UTC
text, exact to the microsecond, that sorts like the instants it encodes.

BSON dates keep milliseconds only, and a due instant (24 hours after a request's timestamp, 48
hours after a referral was sent) may carry microseconds: it must come back equal to the one
scheduled, or the due manager would not recognise the entry it watches. Documents written by the
services before the kit held this format used the same one, so they read back unchanged.
"""

from __future__ import annotations

import datetime as dt
from typing import Final

_FORMAT: Final = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_text(instant: dt.datetime) -> str:
    if instant.tzinfo is None:
        raise ValueError("instants are timezone-aware")
    return instant.astimezone(dt.UTC).strftime(_FORMAT)


def from_text(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, _FORMAT).replace(tzinfo=dt.UTC)
