"""A case erased at intake (``case.erased``): the shelter forgets the persons of its allocations.

The shelter's events carry counts, never a person; what could still tie the erased case to its
persons' other cases is the pseudonymous person key in each person-night reservation
(``domain.keys.person_key``), which the operator may have taken from intake. Each is replaced by
a key derived from the allocation alone (``forgotten_person_key``): the night stays held (the
place is still taken, a release still frees it), the person is gone. A person of the erased case
can then be placed twice on one of its nights: once the person is forgotten there is no knowing
it is the same one, which is what erasure asks (GDPR art. 17, DOMAIN.md "Data protection").

Crash-safe by order, redone whole on a redelivered ``case.erased``: the new keys are inserted
and listed in the holdings beside the old ones, the old ones are released, then the holdings
keep only the new ones. A redo finds the old keys still listed and does the rest again (every
step is idempotent, the new keys being the same).
"""

from __future__ import annotations

from collections import defaultdict

from relais_shelter.application.services import ShelterServices
from relais_shelter.domain.keys import (
    forgotten_person_key,
    is_forgotten_person,
    is_person,
    night_of,
)


async def forget_persons(services: ShelterServices, case_id: str) -> int:
    """Replace the person keys of every allocation of the case; the number replaced."""
    replaced = 0
    for allocation_id in await services.holdings.of_case(case_id):
        replaced += await _forget_in(services, allocation_id, case_id)
    return replaced


async def _forget_in(services: ShelterServices, allocation_id: str, case_id: str) -> int:
    held = await services.holdings.of(allocation_id)
    old = sorted(k for k in held if is_person(k) and not is_forgotten_person(k))
    if not old:
        return 0
    index: defaultdict[object, int] = defaultdict(int)
    new: list[str] = []
    for key in old:
        night = night_of(key)
        assert night is not None  # a person key always names its night
        new.append(forgotten_person_key(allocation_id, night, index[night]))
        index[night] += 1
    # A new key already there is this erasure's own (a redo): nobody else derives it.
    await services.reservations.insert(new, allocation_id)
    kept = [k for k in held if k not in new]
    await services.holdings.keep(allocation_id, case_id, [*kept, *new])
    await services.reservations.release(old, allocation_id)
    await services.holdings.keep(allocation_id, case_id, [k for k in kept if k not in old] + new)
    return len(old)
