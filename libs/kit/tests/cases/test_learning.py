"""A worker's intake records applied to the case directory (``learn_case``), as referrals and
shelter consume them: the case's stream in order, redeliveries, other topics."""

from __future__ import annotations

import datetime as dt

from relais_events.catalogue import Event
from relais_events.catalogue.intake import CaseErased, CaseOpened, ErasureBasis, ReportFiled
from relais_events.catalogue.shelter import SiteRegistered
from relais_events.envelope import Envelope, new_envelope
from relais_events.vocabulary import Actor, CaseKind, Channel, Role
from relais_kit.cases import CaseFacts, learn_case
from relais_kit.cases.memory import MemoryCaseDirectory

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
ACTOR = Actor(role=Role.POLICE, org="pn-93", jurisdiction="93")


def on_stream(event: Event, version: int, aggregate: str = "case-1") -> Envelope:
    return new_envelope(
        event,
        source="intake",
        subject=aggregate,
        aggregate_id=aggregate,
        aggregate_version=version,
        actor=ACTOR,
        jurisdiction="93",
        now=NOW,
    )


OPENED = CaseOpened(
    case_id="case-1",
    kind=CaseKind.CONJUGAL_VIOLENCE,
    departement="93",
    opened_via=Channel.POLICE,
    minor_victim=False,
)


def filed(minor: bool) -> ReportFiled:
    return ReportFiled(
        case_id="case-1",
        report_id="r-1",
        channel=Channel.POLICE,
        kind="complaint",
        departement="93",
        minor_victim=minor,
        children_present=0,
    )


async def test_the_cases_stream_is_learnt_in_order_and_a_redelivery_changes_nothing() -> None:
    cases = MemoryCaseDirectory()
    first, second = on_stream(OPENED, 1), on_stream(filed(minor=True), 2)
    for envelope in (first, second, first, second):
        await learn_case(cases, envelope)
    assert await cases.get("case-1") == CaseFacts(
        case_id="case-1",
        departement="93",
        kind=CaseKind.CONJUGAL_VIOLENCE,
        minor_victim=True,
        last_event_id=second.id,
        version=2,
    )


async def test_an_erased_case_is_known_closed() -> None:
    cases = MemoryCaseDirectory()
    await learn_case(cases, on_stream(OPENED, 1))
    erased = CaseErased(case_id="case-1", basis=ErasureBasis.ERASURE_REQUEST)
    learnt = await learn_case(cases, on_stream(erased, 2))
    assert learnt is not None
    assert learnt.closed
    assert await cases.get("case-1") == learnt


async def test_records_of_other_topics_and_events_before_the_case_teach_nothing() -> None:
    cases = MemoryCaseDirectory()
    site = SiteRegistered(
        site_id="site-1",
        operator_org="chrs-93",
        departement="93",
        accepts_children=False,
        step_free_access=False,
    )
    assert await learn_case(cases, on_stream(site, 1, aggregate="site-1")) is None
    assert await cases.get("case-1") is None
