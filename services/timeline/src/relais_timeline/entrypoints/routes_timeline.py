"""``GET /v1/cases/{case_id}/timeline``: the entries the caller may see, watermark, case hash."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import AwareDatetime
from relais_events.vocabulary import Identifier
from relais_kit.http.purpose import Purpose

from relais_timeline.application.errors import (
    CaseNotVisible,
    EventNotYetApplied,
)
from relais_timeline.entrypoints.dependencies import ServingDep, TimelineReader, problem
from relais_timeline.entrypoints.schemas import TimelineOut

router = APIRouter(prefix="/v1/cases", tags=["timeline"])


@router.get("/{case_id}/timeline", response_model=TimelineOut)
async def case_timeline(
    *,
    case_id: Identifier,
    who: TimelineReader,
    purpose: Purpose,
    service: ServingDep,
    as_of: Annotated[AwareDatetime | None, Query(description="entries the log held then")] = None,
    min_event: Annotated[
        Identifier | None, Query(description="wait briefly until this event is applied")
    ] = None,
) -> TimelineOut:
    try:
        view = await service.reads.case_timeline(
            who,
            case_id,
            purpose,
            as_of_instant=as_of.astimezone(dt.UTC) if as_of else None,
            min_event=min_event,
        )
    except (CaseNotVisible, EventNotYetApplied) as error:
        raise problem(error) from error
    return TimelineOut.of(view)
