"""Who knew what of a case, and when (DOMAIN.md "Data protection", the CNIL's access-log guidance).

Read from the ``access.logged`` entries every service writes for every read of case data: v2
names every case the read showed (``case_ids``), and v1 records (one case each) are upcast to
v2 when read, so both count. One line per read that showed the case: who (the reader's
pseudonymous ``subject_ref``, acting role, organisation), what (the resource, and how many
cases the same answer showed: a listing shows a page), when (the entry's ``time``) and why (the
stated purpose), with the service that served it.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict
from relais_events.catalogue.timeline import AccessLogged
from relais_events.envelope import Envelope, payload


class CaseRead(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    time: dt.datetime
    subject_ref: str
    role: str
    org: str
    resource: str
    purpose: str
    service: str
    cases_shown: int
    access_id: str
    event_id: str


def case_read(
    envelope: Envelope,
    case_id: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> CaseRead | None:
    """The read ``envelope`` records, if it is an access-log entry that showed ``case_id`` in
    [since, until); None for any other event."""
    if envelope.type != AccessLogged.TYPE:
        return None
    if (since is not None and envelope.time < since) or (
        until is not None and envelope.time >= until
    ):
        return None
    entry = payload(envelope)
    if not isinstance(entry, AccessLogged) or case_id not in entry.case_ids:
        return None
    return CaseRead(
        time=envelope.time,
        subject_ref=entry.subject_ref,
        role=str(entry.role),
        org=entry.org,
        resource=str(entry.resource),
        purpose=str(entry.purpose),
        service=envelope.service,
        cases_shown=len(entry.case_ids),
        access_id=entry.access_id,
        event_id=envelope.id,
    )
