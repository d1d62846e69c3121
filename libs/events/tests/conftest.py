"""Shared fixtures: a fixed clock, a signing key published in a registry, sealed streams."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from relais_events.catalogue.base import Event
from relais_events.catalogue.intake import CaseClosed, CaseLinked, CaseOpened, ReportFiled
from relais_events.envelope import Envelope, new_envelope
from relais_events.integrity import Signer, seal_stream
from relais_events.keyregistry import KeyRegistry, empty_registry, new_key_pair
from relais_events.vocabulary import Actor, CaseKind, Channel, Role

NOW = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
KEY_FROM = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ACTOR = Actor(role=Role.POLICE, org="gn-brigade-75", jurisdiction="75")

StreamFactory = Callable[[str], list[Envelope]]
EnvelopeFactory = Callable[..., list[Envelope]]


@pytest.fixture(scope="session")
def signer_and_registry() -> tuple[Signer, KeyRegistry]:
    private, entry = new_key_pair("intake-2026-1", valid_from=KEY_FROM)
    return Signer("intake", "intake-2026-1", private), empty_registry().with_key("intake", entry)


@pytest.fixture(scope="session")
def signer(signer_and_registry: tuple[Signer, KeyRegistry]) -> Signer:
    return signer_and_registry[0]


@pytest.fixture(scope="session")
def registry(signer_and_registry: tuple[Signer, KeyRegistry]) -> KeyRegistry:
    return signer_and_registry[1]


def case_events(case_id: str) -> list[Event]:
    return [
        CaseOpened(
            case_id=case_id,
            kind=CaseKind.CONJUGAL_VIOLENCE,
            departement="75",
            opened_via=Channel.SMS_114,
            minor_victim=False,
        ),
        ReportFiled(
            case_id=case_id,
            report_id="r-1",
            channel=Channel.SMS_114,
            kind="alert",
            departement="75",
            minor_victim=False,
            children_present=2,
        ),
        CaseLinked(case_id=case_id, linked_case_id="case-0", link="same_perpetrator"),
        CaseClosed(case_id=case_id, reason="victim_safe"),
    ]


def unsealed(case_id: str, events: list[Event], start: dt.datetime = NOW) -> list[Envelope]:
    return [
        new_envelope(
            event,
            source="intake",
            subject=case_id,
            aggregate_id=case_id,
            aggregate_version=version,
            actor=ACTOR,
            jurisdiction="75",
            now=start + dt.timedelta(minutes=version),
        )
        for version, event in enumerate(events, start=1)
    ]


@pytest.fixture
def now() -> dt.datetime:
    return NOW


@pytest.fixture
def make_envelopes() -> EnvelopeFactory:
    """Unsealed envelopes of four events of one case: ``make(case_id, start=NOW)``."""

    def make(case_id: str, start: dt.datetime = NOW) -> list[Envelope]:
        return unsealed(case_id, case_events(case_id), start)

    return make


@pytest.fixture
def sealed_stream(signer: Signer) -> StreamFactory:
    """A sealed, intact stream of four events of one case."""

    def make(case_id: str) -> list[Envelope]:
        return seal_stream(signer, unsealed(case_id, case_events(case_id)), None)

    return make
