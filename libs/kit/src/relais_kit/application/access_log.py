"""The access log: every read of case data says who, role, organisation, what, when and why.

DESIGN.md section 6, DOMAIN.md "Data protection" and the CNIL's guidance on access logs. One
``access.logged`` per read request, in every service: the cases it showed (a listing names the
whole page in one entry), the reader's pseudonymous ``subject_ref`` and organisation (one format,
``acting.pseudonym``), the acting role, the resource and the purpose the reader stated (required
at the HTTP edge). Each entry is an aggregate of its own (``access-<uuid7>``, one commit at
version 1), so reads never race each other or a command for a version. It is signed, goes to the
timeline topic through the same outbox as every event, and depends on the last event the reader
saw of each case. No log, no data: when the entry cannot be written the read fails.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from relais_events.catalogue.timeline import MAX_CASES_PER_ACCESS, AccessLogged, AccessPurpose
from relais_events.envelope import Envelope, new_event_id
from relais_events.vocabulary import AccessedResource

from relais_kit.application.acting import Acting
from relais_kit.application.aggregate import Aggregate, written_once
from relais_kit.application.write_path import WritePath

ACCESS: Final[Aggregate[None]] = written_once("access")


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
        access_id = f"access-{new_event_id()}"
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
