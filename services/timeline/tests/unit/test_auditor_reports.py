"""The auditor's export carries no personal data and no stable case id; who-knew counts v1 and
v2 access-log entries, listings included, within the window asked."""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from relais_events.catalogue.timeline import AccessLoggedV1, AccessPurpose
from relais_events.codec import to_record
from relais_events.envelope import Envelope, new_envelope
from relais_events.vocabulary import Actor, Role
from relais_timeline.domain.access_report import case_read
from relais_timeline.domain.auditor_export import exported_event, pseudonym
from relais_timeline.testing_log import Keys, case_log

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
KEYS = Keys.generate()
CASE = "case-export-1"


def exported(key: bytes, originals: list[Envelope] | None = None) -> list[dict[str, Any]]:
    envelopes = originals or case_log(KEYS.signers, CASE, START)
    return [exported_event(orjson.loads(to_record(e).value), key) for e in envelopes]


def test_the_export_holds_no_personal_data_and_no_case_id() -> None:
    text = orjson.dumps(exported(b"k" * 32)).decode()
    for secret in (CASE, f"pk-{CASE}", '"pii"', '"sig"', "person_key", "member-1"):
        assert secret not in text
    assert '"pii_sealed":true' in text


def test_a_case_keeps_one_pseudonym_within_an_export_and_another_in_the_next() -> None:
    key, other = b"k" * 32, b"o" * 32
    events = exported(key)
    case_pseudonym = pseudonym(key, CASE)
    assert {e["subject"] for e in events} == {case_pseudonym}
    data = [e["data"] for e in events]
    assert all(d.get("case_id", case_pseudonym) == case_pseudonym for d in data)
    assert [d["case_ids"] for d in data if "case_ids" in d] == [[case_pseudonym]] * 2
    assert {e["subject"] for e in exported(other)} == {pseudonym(other, CASE)} != {case_pseudonym}


def test_what_the_export_keeps_lets_the_auditor_cite_and_follow_events() -> None:
    originals = case_log(KEYS.signers, CASE, START)
    events = exported(b"k" * 32, originals)
    assert [e["id"] for e in events] == [o.id for o in originals]
    assert [e["hash"] for e in events] == [o.hash for o in originals]
    assert [e["dependson"] for e in events] == [list(o.dependson) for o in originals]
    assert events[1]["actor"] == {"role": "police", "org": "pn-75", "jurisdiction": "75"}


def test_who_knew_reads_v2_listings_and_upcast_v1_entries_in_the_window() -> None:
    reads = [e for e in case_log(KEYS.signers, CASE, START) if e.type == "access.logged"]
    v1 = new_envelope(
        AccessLoggedV1(
            access_id="access-old",
            case_id=CASE,
            subject_ref="member-2",
            role=Role.COMMITTEE_MEMBER,
            org="clav-75",
            resource="timeline",
            purpose=AccessPurpose.AUDIT,
        ),
        source="timeline",
        subject=CASE,
        aggregate_id="access-old",
        aggregate_version=1,
        actor=Actor(role=Role.COMMITTEE_MEMBER, org="clav-75", jurisdiction="75"),
        jurisdiction="75",
        now=START,
    )
    found = [case_read(e, CASE) for e in [v1, *reads]]
    assert [(r.subject_ref, r.purpose, r.cases_shown) for r in found if r] == [
        ("member-2", "audit", 1),
        ("member-1", "committee_review", 1),
        ("member-1", "committee_review", 1),
    ]
    assert case_read(v1, "another-case") is None
    assert case_read(v1, CASE, since=START + dt.timedelta(seconds=1)) is None
    assert case_read(v1, CASE, until=START) is None  # the window is [since, until)
    assert case_read(case_log(KEYS.signers, CASE, START)[0], CASE) is None  # not an access
