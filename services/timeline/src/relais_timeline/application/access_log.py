"""``access.logged``: every read of case data says who, role, organisation, what, when and why.

DESIGN.md section 6 and DOMAIN.md "Data protection" (CNIL guidance on access logs). The log is
kept apart from the data: it is an event of the timeline context, on the timeline topic.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass

from relais_events.catalogue.timeline import AccessLogged, AccessPurpose
from relais_events.envelope import Envelope, new_envelope, new_event_id
from relais_events.vocabulary import IDENTIFIER_PATTERN, AccessedResource, Actor, Role

from relais_timeline.application.ports import EventOutbox
from relais_timeline.domain.visibility import Reader

_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)


@dataclass(frozen=True)
class Caller:
    """The authenticated caller, as the use cases need it (built from the token's claims)."""

    sub: str
    org: str
    roles: frozenset[str]
    jurisdictions: frozenset[str]

    @property
    def reader(self) -> Reader:
        return Reader(roles=self.roles, jurisdictions=self.jurisdictions)


def safe_identifier(value: str) -> str:
    """The value itself when it is a safe identifier, else a stable SHA-256 pseudonym of it (an
    e-mail-shaped ``sub`` must not land in the log in clear; the IdP can still match it)."""
    if _IDENTIFIER.match(value):
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


@dataclass(frozen=True)
class AccessLog:
    outbox: EventOutbox

    async def record(
        self,
        caller: Caller,
        role: Role,
        *,
        case_id: str,
        departement: str | None,
        resource: AccessedResource,
        purpose: AccessPurpose,
        now: dt.datetime,
    ) -> str:
        """Append one ``access.logged`` for ``caller`` reading ``resource`` of ``case_id``."""
        access_id = new_event_id()
        event = AccessLogged(
            access_id=access_id,
            case_id=case_id,
            subject_ref=safe_identifier(caller.sub),
            role=role,
            org=safe_identifier(caller.org),
            resource=resource,
            purpose=purpose,
        )
        envelope: Envelope = new_envelope(
            event,
            source="timeline",
            subject=case_id,
            aggregate_id=access_id,
            aggregate_version=1,
            actor=Actor(role=role, org=safe_identifier(caller.org), jurisdiction=departement),
            jurisdiction=departement,
            now=now,
        )
        await self.outbox.append(access_id, [envelope])
        return access_id
