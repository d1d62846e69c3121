"""What the referral rules read of a case: the facts referrals learnt from intake's events.

The facts themselves, and how they are learnt, are the kit's (``relais_kit.cases``), shared with
shelter. A domain imports nothing of the kit (DESIGN.md section 2), so the rules name here the
fields they read; the kit's ``CaseFacts`` has them.
"""

from __future__ import annotations

from typing import Protocol

from relais_events.vocabulary import RiskLevel


class KnownCase(Protocol):
    @property
    def case_id(self) -> str: ...

    @property
    def departement(self) -> str:
        """The partner must serve it."""
        ...

    @property
    def minor_victim(self) -> bool:
        """An override ground (DOMAIN.md "Minors")."""
        ...

    @property
    def risk_level(self) -> RiskLevel | None:
        """Grave danger is an override ground."""
        ...

    @property
    def closed(self) -> bool:
        """Nothing is sent for a closed (or erased) case."""
        ...
