"""The cases shelter knows, learnt from intake's events by the worker (``relais_kit.cases``).

An allocation is of a case intake opened (DOMAIN.md "Shelter and nights": every claim points at
an allocation for a case), so the api allocates only for a case learnt here, and takes from it
what the request must not decide: whether the victim is a minor (DOMAIN.md "Minors", a minor is
never refused a place for lack of consent).

A case of a département the operator does not act for answers exactly as a case not learnt
(``CaseNotKnown``, 409 with Retry-After): were it told apart, the answer would say that a case
exists elsewhere (DOMAIN.md, no search across départements).

An allocation's first event depends on the last intake event of the case known here, so the
committee timeline places it after the report it answers (DESIGN.md section 5: causes first).
"""

from __future__ import annotations

from relais_kit.application import Acting
from relais_kit.cases import CaseFacts

from relais_shelter.application.services import ShelterServices
from relais_shelter.domain import errors


async def known_case(services: ShelterServices, case_id: str, acting: Acting) -> CaseFacts:
    """The case's facts, or ``CaseNotKnown`` before intake's events reached the worker and for
    a case outside the caller's départements alike."""
    facts = await services.cases.get(case_id)
    if facts is None or not acting.acts_for(facts.departement):
        raise errors.CaseNotKnown(case_id)
    return facts


def follows(case: CaseFacts | None) -> list[str]:
    """The ``depends_on`` of a commit about the case: its last intake event, when known."""
    return [case.last_event_id] if case is not None and case.last_event_id else []
