"""The funding envelope's consumption as a bar: nights used and nights remaining (DOMAIN.md
"Shelter and nights": claims never exceed the envelope, like the 2020 fund of 20,000 nights).

Drawn as SVG rectangles whose widths are attributes (the CSP allows no inline style).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from relais_console.domain.partner_views import Envelope

WIDTH: Final = 600  # SVG user units of the whole bar


@dataclass(frozen=True)
class Consumption:
    used: int
    remaining: int
    total: int
    used_width: int
    remaining_width: int

    @property
    def percent_used(self) -> int:
        return round(100 * self.used / self.total) if self.total else 0


def consumption(envelope: Envelope) -> Consumption:
    total = max(envelope.nights, 0)
    used = min(max(envelope.nights_claimed, 0), total)
    used_width = round(WIDTH * used / total) if total else 0
    return Consumption(
        used=used,
        remaining=total - used,
        total=total,
        used_width=used_width,
        remaining_width=WIDTH - used_width,
    )
