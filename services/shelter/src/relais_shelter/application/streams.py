"""The shelter's aggregates as the kit's write path runs them, and their stream ids.

A site's and an envelope's streams are their own subject (outside any case, like a referrals
partner). An allocation and a claim are about a case: their envelopes' subject is the case id
(the timeline they land on), their jurisdiction the site's département.
"""

from __future__ import annotations

from typing import Final

from relais_kit.application import Aggregate

from relais_shelter.domain.allocation import Allocation, evolve_allocation
from relais_shelter.domain.claim import Claim, evolve_claim
from relais_shelter.domain.envelope import Envelope, evolve_envelope
from relais_shelter.domain.site import Site, evolve_site

SITE: Final[Aggregate[Site | None]] = Aggregate(
    "site", initial=None, evolve=evolve_site, state_type=Site | None
)
ALLOCATION: Final[Aggregate[Allocation | None]] = Aggregate(
    "allocation", initial=None, evolve=evolve_allocation, state_type=Allocation | None
)
CLAIM: Final[Aggregate[Claim | None]] = Aggregate(
    "claim", initial=None, evolve=evolve_claim, state_type=Claim | None, snapshots=False
)
ENVELOPE: Final[Aggregate[Envelope | None]] = Aggregate(
    "envelope", initial=None, evolve=evolve_envelope, state_type=Envelope | None
)
