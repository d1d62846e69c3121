"""Reads of protection-order data, each one logged as ``access.logged`` before the data is shown.

Who (the token's ``sub``, pseudonymised), role, organisation, what (``resource``:
``protection_order``), when (the envelope's time) and why (a purpose the caller states): DESIGN.md
section 6 and the CNIL's guidance on access logs, as the intake service does for cases. Each entry
is its own one-event stream (aggregate id = ``access-<id>``, subject = the case id): a read never
races a command, nor another read, for a version. It is signed, goes to the timeline topic through
the kit's event store and outbox relay (``on_commit``) like every commit. No log, no data: when the
entry cannot be written the read fails.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Final

from relais_events.catalogue.timeline import AccessLogged, AccessPurpose
from relais_events.envelope import Envelope, new_envelope, new_event_id
from relais_events.integrity import Signer
from relais_events.vocabulary import IDENTIFIER_PATTERN, AccessedResource, Actor, Role
from relais_kit.store import EventStore, NewCommit

from relais_protection_orders.application.dashboard import list_orders
from relais_protection_orders.application.handlers import OrderHandler
from relais_protection_orders.application.ports import (
    Clock,
    CommitListener,
    Dashboard,
    DashboardRow,
)
from relais_protection_orders.application.streams import SOURCE, LoadedOrder, OrderNotFound

_IDENTIFIER: Final = re.compile(IDENTIFIER_PATTERN)
RESOURCE: Final[AccessedResource] = "protection_order"

Visible = Callable[[str], bool]
"""Whether the reader may see data of this département (their jurisdiction)."""


@dataclass(frozen=True)
class Reading:
    """Who reads and why: the token's subject, the role read in, the organisation, the purpose."""

    sub: str
    role: Role
    org: str
    purpose: AccessPurpose


@dataclass
class AccessLog:
    store: EventStore
    signer: Signer
    clock: Clock
    on_commit: CommitListener = field(default=lambda _: None)

    async def record(
        self,
        reading: Reading,
        *,
        case_id: str,
        departement: str | None,
        after: str | None = None,
        now: datetime | None = None,
    ) -> Envelope:
        """Append one ``access.logged`` as its own stream; ``after`` is the last event the
        reader saw (the entry depends on it). Raises whatever the store raises: no log, no data."""
        event = AccessLogged(
            access_id=f"access-{new_event_id()}",
            case_id=case_id,
            subject_ref=subject_ref(reading.sub),
            role=reading.role,
            org=reading.org,
            resource=RESOURCE,
            purpose=reading.purpose,
        )
        envelope = new_envelope(
            event,
            source=SOURCE,
            subject=case_id,
            aggregate_id=event.access_id,
            aggregate_version=1,
            actor=Actor(role=reading.role, org=reading.org, jurisdiction=departement),
            jurisdiction=departement,
            now=now or self.clock.now(),
            depends_on=(after,) if after else (),
        )
        sealed = self.signer.seal(envelope, None)
        stored = await self.store.append(NewCommit.of([sealed]))
        self.on_commit(stored)  # the outbox relay publishes it at once
        return sealed


async def read_order(
    order_id: str,
    reading: Reading,
    *,
    handler: OrderHandler,
    access_log: AccessLog,
    visible: Visible,
) -> LoadedOrder:
    """One order, after its access is logged. Missing, or outside the reader's départements (it
    does not exist for them): ``OrderNotFound``, and nothing is logged, as nothing was shown."""
    loaded = await handler.load(order_id)
    if not loaded.exists or not visible(loaded.departement or ""):
        raise OrderNotFound(order_id)
    await access_log.record(
        reading,
        case_id=loaded.state.case_id,
        departement=loaded.departement,
        after=loaded.last_event_id,
    )
    return loaded


async def read_dashboard(
    reading: Reading,
    departements: Sequence[str],
    status: str | None,
    due_before: datetime | None,
    limit: int,
    *,
    dashboard: Dashboard,
    access_log: AccessLog,
) -> list[DashboardRow]:
    """The dashboard's rows, after one ``access.logged`` per CASE shown (not per order): the entry
    names a case and a resource, not an order, so two orders of one case in the same listing are
    one access to that case's protection orders. Rows carry no event id, so these entries depend
    on nothing. An empty listing logs nothing. One entry failing fails the whole read."""
    rows = await list_orders(dashboard, departements, status, due_before, limit)
    now = access_log.clock.now()
    cases: dict[str, str] = {}
    for row in rows:
        cases.setdefault(row.case_id, row.departement)
    for case_id, departement in cases.items():
        await access_log.record(reading, case_id=case_id, departement=departement or None, now=now)
    return rows


def subject_ref(sub: str) -> str:
    """The token's ``sub`` as the log's pseudonymous reference. A ``sub`` outside the identifier
    alphabet (an e-mail, ``auth0|...``) is logged as its SHA-256, which the IdP can match."""
    if _IDENTIFIER.match(sub):
        return sub
    return "sha256-" + hashlib.sha256(sub.encode()).hexdigest()
