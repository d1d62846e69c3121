"""Reads of a case: jurisdiction, not-found, and the access log written before the data."""

from __future__ import annotations

import pytest
from relais_events.catalogue.timeline import AccessLogged, AccessPurpose
from relais_events.envelope import Envelope, payload
from relais_events.vocabulary import Role
from relais_intake.application.queries import read_case
from relais_intake.domain import errors
from relais_kit.application import Acting

from .conftest import World
from .test_handlers import HOTLINE, file


async def test_every_read_is_logged_with_who_what_and_why(world: World) -> None:
    case = await file(world)
    view = await read_case(
        case.case_id,
        purpose=AccessPurpose.COMMITTEE_REVIEW,
        services=world.services,
        reader=Acting(
            sub="clav-93-4",
            role=Role.COMMITTEE_MEMBER,
            org="clav-93",
            jurisdictions=frozenset({"93"}),
        ),
    )
    assert view.report_ids == (case.report_id,)
    [logged] = [
        Envelope.model_validate(e)
        for c in await world.commits()
        for e in c.events
        if e["type"] == "access.logged"
    ]
    event = payload(logged)
    assert isinstance(event, AccessLogged)
    assert (event.subject_ref, event.role, event.org, event.purpose) == (
        "clav-93-4",
        Role.COMMITTEE_MEMBER,
        "clav-93",
        AccessPurpose.COMMITTEE_REVIEW,
    )
    assert logged.dependson == (case.written.envelopes[-1].id,)
    assert logged.time == world.clock.now()
    assert view.access_event_id == logged.id
    assert (logged.subject, logged.aggregateid, logged.aggregateversion) == (
        case.case_id,
        event.access_id,
        1,
    )


async def test_missing_case_read_is_not_found_and_not_logged(world: World) -> None:
    with pytest.raises(errors.CaseNotFound):
        await read_case(
            "case-nope",
            purpose=AccessPurpose.AUDIT,
            services=world.services,
            reader=HOTLINE,
        )
    assert await world.commits() == []
