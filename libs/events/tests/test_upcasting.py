"""Old records are read through upcasters: risk.assessed v1 and v2 come out as the v3 model."""

from __future__ import annotations

import datetime as dt

import pytest
from relais_events.catalogue import catalogue
from relais_events.catalogue.intake import (
    CaseOpened,
    CaseOpenedV1,
    RiskAssessed,
    RiskAssessedV1,
    RiskAssessedV2,
)
from relais_events.codec import from_record, to_record
from relais_events.envelope import new_envelope, payload
from relais_events.upcasting import MissingUpcaster, Upcasters
from relais_events.vocabulary import Actor, Answer, CaseKind, Channel, RiskLevel, Role


def test_a_v1_risk_assessment_reads_as_the_latest(now: dt.datetime) -> None:
    old = RiskAssessedV1(
        case_id="case-3", assessment_id="a-1", level=RiskLevel.HIGH, indicators=["q4", "q11"]
    )
    envelope = new_envelope(
        old,
        source="intake",
        subject="case-3",
        aggregate_id="case-3",
        aggregate_version=2,
        actor=Actor(role=Role.POLICE, org="pn-13"),
        jurisdiction="13",
        now=now,
    )
    assert envelope.schemaversion == 1
    assert envelope.dataschema == "urn:relais:schema:risk.assessed:1"
    read = payload(from_record(to_record(envelope).value))
    assert isinstance(read, RiskAssessed)
    assert read.level is RiskLevel.HIGH
    assert [(a.question_id, a.answer) for a in read.answers] == [
        ("q4", Answer.YES),
        ("q11", Answer.YES),
    ]
    assert read.questionnaire == "unrecorded_v1"
    assert read.assessor_ref is None


def test_a_v1_case_opened_reads_as_v2_without_its_clear_person_key(now: dt.datetime) -> None:
    """Issue 13: no consumer keeps a copy of the key that linked a person's cases in clear."""
    old = CaseOpenedV1(
        case_id="case-9",
        kind=CaseKind.CONJUGAL_VIOLENCE,
        departement="93",
        opened_via=Channel.POLICE,
        person_key="f" * 64,
        minor_victim=False,
    )
    envelope = new_envelope(
        old,
        source="intake",
        subject="case-9",
        aggregate_id="case-9",
        aggregate_version=1,
        actor=Actor(role=Role.POLICE, org="pn-93"),
        jurisdiction="93",
        now=now,
    )
    read = payload(from_record(to_record(envelope).value))
    assert isinstance(read, CaseOpened)
    assert read.departement == "93"
    assert "f" * 64 not in read.model_dump_json()
    assert "person_key" not in CaseOpened.model_fields


def test_a_v2_risk_assessment_reads_with_an_unknown_assessor(now: dt.datetime) -> None:
    old = RiskAssessedV2(
        case_id="case-4", assessment_id="a-2", level=RiskLevel.MEDIUM, questionnaire="dash-2009"
    )
    envelope = new_envelope(
        old,
        source="intake",
        subject="case-4",
        aggregate_id="case-4",
        aggregate_version=3,
        actor=Actor(role=Role.POLICE, org="pn-13"),
        jurisdiction="13",
        now=now,
    )
    read = payload(from_record(to_record(envelope).value))
    assert isinstance(read, RiskAssessed)
    assert (read.level, read.questionnaire, read.assessor_ref) == (
        RiskLevel.MEDIUM,
        "dash-2009",
        None,
    )


def test_both_versions_stay_registered() -> None:
    assert catalogue.model("risk.assessed", 1) is RiskAssessedV1
    assert catalogue.model("risk.assessed", 2) is RiskAssessedV2
    assert catalogue.model("risk.assessed", 3) is RiskAssessed
    assert catalogue.latest_version("risk.assessed") == 3


def test_a_gap_in_the_chain_is_an_error() -> None:
    with pytest.raises(MissingUpcaster):
        Upcasters().upcast(catalogue, "risk.assessed", 1, {})


def test_an_upcaster_cannot_be_registered_twice() -> None:
    upcasters = Upcasters()
    upcasters.register("x", 1)(dict)
    with pytest.raises(ValueError, match="twice"):
        upcasters.register("x", 1)(dict)
