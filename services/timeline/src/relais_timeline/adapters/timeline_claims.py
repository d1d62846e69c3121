"""The kit's ``ProcessedEvents`` port for the timeline worker: the timeline document is the claim.

Each timeline document keeps every event id it holds (entries and held ones) and is replaced
whole by the one worker owning the case, so ``apply`` already makes a redelivery a no-op inside
the very write that records it. A separate claim document per event would cost two more store
round trips per record and could disagree with the timeline after a crash between the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class TimelineIsTheClaim:
    async def is_claimed(self, consumer: str, event_id: str) -> bool:
        return False  # the projection itself ignores an id its timeline already holds

    async def try_claim(
        self, consumer: str, event_id: str, effect: Mapping[str, Any] | None = None
    ) -> bool:
        return True
