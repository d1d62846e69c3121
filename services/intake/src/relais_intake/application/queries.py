"""Reads of case data, each one logged as ``access.logged`` before the data is returned.

The kit's access log records who, role, organisation, what, when and why (a purpose the caller
states): the CNIL's guidance on access logs, and DOMAIN.md "Data protection". No log, no data:
when the entry cannot be written the read fails. The view is folded from the case's stream
itself (snapshot and tail), so a client reads its own writes at once; only link suggestions
come from a read model.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from relais_events.catalogue.intake import CaseLinkKind
from relais_events.catalogue.timeline import AccessPurpose
from relais_events.vocabulary import CaseKind, RiskLevel
from relais_kit.application import Acting
from relais_kit.application.access_log import Shown

from relais_intake.application.case_stream import CASE
from relais_intake.application.reports import suggested_links
from relais_intake.application.services import IntakeServices
from relais_intake.domain.case import CaseStatus
from relais_intake.domain.errors import CaseNotFound


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
    case_id: str, *, purpose: AccessPurpose, services: IntakeServices, reader: Acting
) -> CaseView:
    loaded = await services.write_path.load(CASE, case_id)
    state = loaded.state
    if (
        state is None
        or loaded.last_event_id is None
        or loaded.created_at is None
        or state.status is CaseStatus.ERASED
    ):
        raise CaseNotFound(case_id)
    reader.ensure_sees(state.departement)
    logged = await services.access_log.record(
        reader, "case", purpose, [Shown(case_id, state.departement, loaded.last_event_id)]
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
        opened_at=loaded.created_at,
        last_event_id=loaded.last_event_id,
        suggested_links=await suggested_links(services.suggestions, state),
        access_event_id=logged.id,
    )
