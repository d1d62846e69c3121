"""The access log: every read of case data says who, role, organisation, what, when and why.

DESIGN.md section 6, DOMAIN.md "Data protection" and the CNIL's guidance on access logs. One
``access.logged`` per read request, in every service: the cases it showed (a listing names the
whole page in one entry), the reader's pseudonymous ``subject_ref`` and organisation (one format,
``acting.pseudonym``), the acting role, the resource and the purpose the reader stated (required
at the HTTP edge). Each entry is an aggregate of its own (``access-<uuid7>``, one commit at
version 1), so reads never race each other or a command for a version. It is signed, goes to the
timeline topic through the same outbox as every event, and depends on the last event the reader
saw of each case. No log, no data: when the entry cannot be written the read fails.

Retention (CNIL guidance, DOMAIN.md "Data protection": 6 to 12 months): ``purge`` deletes from
the service's own store the entries logged before the retention, once published (the commit
store is the one copy of them a service holds; no read model keeps them). An entry's id starts
with the clock's instant (``entry_id``), so "logged before T" is an ``_id`` range. Each purge
that deleted something is recorded as an ``access_log.purged`` event through the same outbox:
counts, never cases nor readers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from relais_events.catalogue.timeline import (
    MAX_CASES_PER_ACCESS,
    AccessLogged,
    AccessLogPurged,
    AccessPurpose,
)
from relais_events.envelope import Envelope, new_event_id
from relais_events.vocabulary import AccessedResource

from relais_kit.application.acting import Acting
from relais_kit.application.aggregate import Aggregate, written_once
from relais_kit.application.write_path import WritePath

ACCESS: Final[Aggregate[None]] = written_once("access")
PURGE: Final[Aggregate[None]] = written_once("access-log-purge")
_PREFIX: Final = "access-"  # every entry's aggregate id: ``access-<ms>-<uuid7>``


@dataclass(frozen=True)
class Shown:
    """One case a read answered with: its id, its département, the last event the reader saw."""

    case_id: str
    departement: str | None
    last_event_id: str | None = None


@dataclass(frozen=True)
class AccessLog:
    write_path: WritePath

    async def record(
        self,
        reader: Acting,
        resource: AccessedResource,
        purpose: AccessPurpose,
        shown: Sequence[Shown],
    ) -> Envelope:
        """Append one ``access.logged`` for this read; returns its envelope (its id answers)."""
        cases = list(dict.fromkeys(s.case_id for s in shown))
        if len(cases) > MAX_CASES_PER_ACCESS:
            raise ValueError(f"a read shows at most {MAX_CASES_PER_ACCESS} cases")
        access_id = entry_id(self.write_path.clock.now())
        departements = {s.departement for s in shown}
        jurisdiction = departements.pop() if len(departements) == 1 else None
        event = AccessLogged(
            access_id=access_id,
            case_ids=cases,
            subject_ref=reader.subject_ref,
            role=reader.role,
            org=reader.org_ref,
            resource=resource,
            purpose=purpose,
        )
        committed = await self.write_path.append_new(
            ACCESS,
            access_id,
            [event],
            acting=reader,
            # A read of one case is about that case; a listing is about itself.
            subject=cases[0] if len(cases) == 1 else access_id,
            jurisdiction=jurisdiction,
            depends_on=list(dict.fromkeys(s.last_event_id for s in shown if s.last_event_id)),
        )
        return committed.envelopes[0]

    async def purge(self, retention: dt.timedelta) -> Envelope | None:
        """Delete the entries logged more than ``retention`` ago (published ones only); the
        ``access_log.purged`` recording it, or None when there was nothing to delete."""
        now = self.write_path.clock.now()
        before = now - retention
        deleted = await self.write_path.store.purge_published(_PREFIX, _id_bound(before))
        if not deleted:
            return None
        system = Acting.system(self.write_path.service)
        # Not ``access-...``: a purge record is never in the range a later purge deletes.
        purge_id = f"retention-{new_event_id()}"
        event = AccessLogPurged(
            purge_id=purge_id,
            service=system.org_ref,
            logged_before=before,
            retention_days=max(1, retention.days),
            entries=deleted,
        )
        committed = await self.write_path.append_new(
            PURGE, purge_id, [event], acting=system, subject=purge_id, jurisdiction=None
        )
        return committed.envelopes[0]


def entry_id(logged_at: dt.datetime) -> str:
    """``access-<ms>-<uuid7>``: the instant logged (the clock's, as the envelope's ``time``) in
    Unix milliseconds, 12 hex digits so that ids sort as time, then a fresh UUIDv7, unique and
    in creation order within one millisecond (a UUIDv7 alone takes the system's time, not the
    clock's)."""
    return f"{_id_bound(logged_at)}-{new_event_id()}"


def _id_bound(instant: dt.datetime) -> str:
    """Every entry logged before ``instant`` sorts below this. (Entries written before ids
    carried the clock, ``access-<uuid7>``, sort by their UUIDv7's first 32 bits of time: within
    about 65 seconds of the same bound.)"""
    return f"{_PREFIX}{int(instant.timestamp() * 1000):012x}"
