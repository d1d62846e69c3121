"""Reads of case data, each one logged as ``access.logged`` before the data is returned.

Who, role, organisation, what, when (the envelope's time) and why (a purpose the caller states):
the CNIL's guidance on access logs, and DOMAIN.md "Data protection". Each entry is its own
one-event stream (aggregate id = the access id, subject = the case): reads never race each other
for a version, and no read has to load the log so far. It is signed, kept apart from the case's
data on the timeline topic, and goes out through the same outbox as every event. No log, no data:
when the entry cannot be written the read fails. The view is folded from the case's stream
itself, so a client reads its own writes at once; only link suggestions come from a read model.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from typing import Final

from relais_events.catalogue.intake import CaseLinkKind
from relais_events.catalogue.timeline import AccessLogged, AccessPurpose
from relais_events.envelope import new_event_id
from relais_events.vocabulary import IDENTIFIER_PATTERN, AccessedResource, CaseKind, RiskLevel

from relais_intake.application.execution import Acting, Authorize
from relais_intake.application.ports import Clock, LinkSuggestions
from relais_intake.application.reports import suggested_links
from relais_intake.application.streams import CaseStreams, LoadedCase, LoadedStream, Pending
from relais_intake.domain.case import CaseStatus
from relais_intake.domain.errors import CaseNotFound

_IDENTIFIER: Final = re.compile(IDENTIFIER_PATTERN)


@dataclass(frozen=True)
class CaseView:
    case_id: str
    kind: CaseKind
    departement: str
    status: CaseStatus
    risk_level: RiskLevel | None
    minor_victim: bool
    report_ids: tuple[str, ...]
    links: tuple[tuple[str, CaseLinkKind], ...]
    version: int
    opened_at: dt.datetime
    last_event_id: str
    suggested_links: tuple[str, ...]
    access_event_id: str


async def read_case(
    case_id: str,
    *,
    purpose: AccessPurpose,
    streams: CaseStreams,
    suggestions: LinkSuggestions,
    reader: Acting,
    clock: Clock,
    authorize: Authorize,
) -> CaseView:
    loaded = await streams.load_case(case_id)
    state = loaded.state
    if state is None or loaded.last is None or state.status is CaseStatus.ERASED:
        raise CaseNotFound(case_id)
    authorize(state.departement)
    access_id = await log_access(
        loaded, "case", purpose, streams=streams, reader=reader, clock=clock
    )
    return CaseView(
        case_id=case_id,
        kind=state.kind,
        departement=state.departement,
        status=state.status,
        risk_level=state.risk_level,
        minor_victim=state.minor_victim,
        report_ids=state.report_ids,
        links=state.links,
        version=loaded.version,
        opened_at=loaded.envelopes[0].time,
        last_event_id=loaded.last.id,
        suggested_links=await suggested_links(suggestions, state),
        access_event_id=access_id,
    )


async def log_access(
    case: LoadedCase,
    resource: AccessedResource,
    purpose: AccessPurpose,
    *,
    streams: CaseStreams,
    reader: Acting,
    clock: Clock,
) -> str:
    """Append ``access.logged``; it depends on the case's last event: what the reader saw."""
    state, last = case.state, case.last
    assert state is not None
    assert last is not None
    event = AccessLogged(
        access_id=f"access-{new_event_id()}",
        case_id=state.case_id,
        subject_ref=subject_ref(reader.sub),
        role=reader.role,
        org=reader.org,
        resource=resource,
        purpose=purpose,
    )

    [logged] = await streams.append(
        LoadedStream(event.access_id, ()),
        [Pending(event)],
        case_id=state.case_id,
        actor=reader.actor(state.departement),
        jurisdiction=state.departement,
        now=clock(),
        depends_on=[last.id],
    )
    return logged.id


def subject_ref(sub: str) -> str:
    """The token's ``sub`` as the log's pseudonymous reference. A ``sub`` outside the identifier
    alphabet (an e-mail, ``auth0|...``) is logged as its SHA-256, which the IdP can match."""
    if _IDENTIFIER.match(sub):
        return sub
    return "sha256-" + hashlib.sha256(sub.encode()).hexdigest()
