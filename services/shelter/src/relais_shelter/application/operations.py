"""How a multi-document command runs without a transaction (DESIGN.md "Store rules").

1. ``Operation`` written first: what it is about to insert and how to finish it.
2. Reservations inserted (lost races show as duplicates); a failure gives back what it holds
   (compensation) before it is answered.
3. ``Outcome.COMMIT`` inserted (a unique ``_id``, raced with the recovery sweep's ABANDON),
   then the events committed through the kit's write path, then the operation forgotten.

A crash anywhere leaves the operation in flight; after its lease the recovery sweep
(``application.recovery``) inserts ABANDON and gives everything back, or finds COMMIT and
finishes the commit (the write path's version insert makes that happen once).
"""

from __future__ import annotations

from typing import Any

from relais_events.vocabulary import Role
from relais_kit.application import Acting

from relais_shelter.application.ports import Operation, Outcome
from relais_shelter.application.services import ShelterServices


def acting_json(acting: Acting) -> dict[str, Any]:
    return {
        "sub": acting.sub,
        "role": str(acting.role),
        "org": acting.org,
        "jurisdictions": sorted(acting.jurisdictions),
        "roles": sorted(str(r) for r in acting.roles),
    }


def acting_of(document: dict[str, Any]) -> Acting:
    return Acting(
        sub=document["sub"],
        role=Role(document["role"]),
        org=document["org"],
        jurisdictions=frozenset(document["jurisdictions"]),
        roles=frozenset(Role(r) for r in document["roles"]),
    )


async def give_back(services: ShelterServices, operation: Operation) -> None:
    """Compensation: ABANDON decided, then every key it may hold released, then forgotten.
    Returns only once nothing of it is held (raises, leaving it to the sweep, otherwise)."""
    await services.operations.decide(operation.op_id, Outcome.ABANDON)
    await services.reservations.release(operation.held, operation.holder)
    await services.operations.finish(operation.op_id)


class TooSlow(Exception):  # noqa: N818  (named after what happened)
    """The command outlived half its lease: it gave everything back rather than race the
    recovery sweep. Nothing was written; retry."""

    rule = "TooSlow"
    status = 503
