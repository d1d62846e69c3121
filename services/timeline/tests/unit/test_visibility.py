"""Who sees what of a timeline: one test per rule of ``view_for`` (need-to-know, default deny)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from relais_events.catalogue.intake import CaseOpenedV1
from relais_events.envelope import new_envelope
from relais_events.vocabulary import Actor, CaseKind, Channel, Role
from relais_timeline.domain.summary import EventSummary, summarize
from relais_timeline.domain.timeline import apply, empty_timeline
from relais_timeline.domain.visibility import (
    Reader,
    View,
    committee_departements,
    view_for,
    visible_entries,
)

MakeEvent = Callable[..., EventSummary]


def reader(*roles: Role, jurisdictions: tuple[str, ...] = ("75",)) -> Reader:
    return Reader(roles=frozenset(roles), jurisdictions=frozenset(jurisdictions))


def test_a_reporting_point_reads_nothing_back_even_with_another_role() -> None:
    assert view_for(reader(Role.REPORTING_POINT), "75") is View.NOTHING
    assert view_for(reader(Role.REPORTING_POINT, Role.COMMITTEE_MEMBER), "75") is View.NOTHING


def test_a_committee_member_sees_summaries_of_their_departement_only() -> None:
    assert view_for(reader(Role.COMMITTEE_MEMBER), "75") is View.SUMMARIES
    assert view_for(reader(Role.COMMITTEE_MEMBER), "93") is View.NOTHING
    assert view_for(reader(Role.COMMITTEE_MEMBER, jurisdictions=("*",)), "75") is View.NOTHING


def test_an_auditor_sees_the_structure_in_jurisdiction_or_nationally() -> None:
    assert view_for(reader(Role.AUDITOR), "75") is View.STRUCTURE
    assert view_for(reader(Role.AUDITOR), "93") is View.NOTHING
    assert view_for(reader(Role.AUDITOR, jurisdictions=("*",)), "93") is View.STRUCTURE
    assert view_for(reader(Role.AUDITOR, jurisdictions=("*",)), None) is View.STRUCTURE


@pytest.mark.parametrize(
    "role", [Role.POLICE, Role.PROSECUTOR, Role.ADMIN, Role.SHELTER_OPERATOR, Role.ASSOCIATION]
)
def test_every_other_role_is_denied_by_default(role: Role) -> None:
    assert view_for(reader(role, jurisdictions=("75", "*")), "75") is View.NOTHING


def test_a_case_without_a_known_departement_is_seen_by_no_committee() -> None:
    assert view_for(reader(Role.COMMITTEE_MEMBER), None) is View.NOTHING


def test_the_structure_view_has_no_data_and_the_summary_view_has_it(event: MakeEvent) -> None:
    timeline = apply(empty_timeline("case-1"), event("a", data={"channel": "police"}))
    assert visible_entries(timeline, View.STRUCTURE)[0].data is None
    assert visible_entries(timeline, View.SUMMARIES)[0].data == {"channel": "police"}
    assert visible_entries(timeline, View.NOTHING) == []


def test_a_summary_never_holds_pii_nor_the_person_key() -> None:
    opened = new_envelope(  # a v1 record: its person key was in clear
        CaseOpenedV1(
            case_id="case-1",
            kind=CaseKind.CONJUGAL_VIOLENCE,
            departement="75",
            opened_via=Channel.POLICE,
            person_key="pk-123",
            minor_victim=False,
        ),
        source="intake",
        subject="case-1",
        aggregate_id="case-1",
        aggregate_version=1,
        actor=Actor(role=Role.POLICE, org="pn-75", jurisdiction="75"),
        jurisdiction="75",
        now=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
    )
    summary = summarize(opened, opened.time, None)
    assert "person_key" not in summary.data
    assert summary.data["kind"] == "conjugal_violence"
    assert "pii" not in summary.model_dump()


def test_committee_lists_are_for_committee_members_of_the_departement() -> None:
    assert committee_departements(reader(Role.COMMITTEE_MEMBER), ["75", "93"]) == ["75"]
    assert committee_departements(reader(Role.AUDITOR, jurisdictions=("*",)), ["75"]) == []
    assert committee_departements(reader(Role.REPORTING_POINT), ["75"]) == []
