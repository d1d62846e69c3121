"""Intake -> Kafka -> timeline worker -> committee: one case reported by three channels.

A pharmacy opens the case, the police and the 3919 attach to it, the risk is raised; the
committee of the département reads the timeline right after the command (``?min_event=``) in
causal order and without personal data; another département gets nothing; republishing the log
changes nothing; ``relais-audit rebuild`` agrees with the live timeline and reports a forgery;
every read left an ``access.logged`` on the timeline topic.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from relais_events.topics import INTAKE, TIMELINE
from relais_infra.testing import Servers
from relais_timeline.bootstrap import projecting
from relais_timeline.domain.timeline import chain
from relais_timeline.entrypoints.cli import rebuild

from .harness import Json, Platform, Record, bearer, open_platform, then_hash, types_of

pytestmark = pytest.mark.servers

DEP, ELSEWHERE = "93", "75"
VICTIM = {"last_name": "Quesnoy-Barthélémy", "first_name": "Apolline", "birth_date": "1988-07-14"}
PHONE = "+33 6 71 82 93 04"
NARRATIVE = "Menaces de mort au domicile, enfants témoins, arme blanche."
SECRETS = (
    VICTIM["last_name"],
    VICTIM["first_name"],
    "1988-07-14",
    PHONE,
    "71 82 93",
    "arme blanche",
)
MEMBER = "member-93"


def report(channel: str, kind: str, **changes: Any) -> Json:
    body: Json = {
        "channel": channel,
        "report_kind": kind,
        "case_kind": "conjugal_violence",
        "departement": DEP,
        "minor_victim": False,
        "children_present": 2,
        "victim": VICTIM,
        "narrative": NARRATIVE,
        "contact_phone": PHONE,
    }
    return body | changes


@dataclass(frozen=True)
class FiledCase:
    case_id: str
    pharmacy: list[str]  # the report.filed id (a reporting point gets nothing more back)
    police: list[str]  # report.filed, risk.assessed (medium, in the same command)
    hotline: list[str]  # report.filed
    raised: list[str]  # risk.assessed (grave danger)

    @property
    def last(self) -> str:
        return self.raised[-1]


@pytest.fixture(scope="module")
async def platform(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with open_platform(servers, "sys1", tmp_path_factory.mktemp("sys1-keys")) as opened:
        yield opened


@pytest.fixture(scope="module")
async def case(platform: Platform) -> FiledCase:
    pharmacy = bearer("reporting_point", DEP, sub="pharmacie-9301", org="pharmacie-9301")
    ack = await platform.report(report("pharmacy", "alert"), pharmacy)
    assert set(ack) == {"reference", "event_id"}  # a reporting point reads nothing back
    case_id = ack["reference"]

    assessment = {"questionnaire": "dash-2009", "level": "medium", "answers": []}
    police = await platform.report(
        report("police", "complaint", case_id=case_id, assessment=assessment),
        bearer("police", DEP, sub="opj-93", org="pn-93"),
    )
    hotline_token = bearer("hotline", DEP, sub="ecoutante-3919", org="fnsf")
    hotline = await platform.report(
        report("hotline_3919", "call", case_id=case_id, victim=None), hotline_token
    )
    assert police["opened"] is False
    assert hotline["opened"] is False
    raise_ = {"questionnaire": "dash-2009", "level": "grave_danger", "raised_by_judgement": True}
    raised = await platform.intake.post(
        f"/v1/cases/{case_id}/risk-assessments", json=raise_, headers=hotline_token
    )
    assert raised.status_code == 201, raised.text
    return FiledCase(
        case_id,
        [ack["event_id"]],
        police["event_ids"],
        hotline["event_ids"],
        raised.json()["event_ids"],
    )


async def committee_read(
    platform: Platform, reads: Counter[str], case_id: str, min_event: str | None = None
) -> Json:
    """What the département's committee member reads (200, counted for the access log)."""
    headers = bearer("committee_member", DEP, sub=MEMBER, org="clav-93")
    answer = await platform.case_timeline(case_id, headers, min_event)
    assert answer.status_code == 200, answer.text
    reads[MEMBER] += 1
    assert '"pii"' not in answer.text
    for secret in SECRETS:
        assert secret not in answer.text, secret
    body: Json = answer.json()
    return body


async def test_the_committee_reads_the_three_reports_and_the_raised_risk_in_causal_order(
    platform: Platform, case: FiledCase, reads: Counter[str]
) -> None:
    body = await committee_read(platform, reads, case.case_id, min_event=case.last)
    entries = body["entries"]
    assert types_of(entries) == [
        "case.opened",
        "report.filed",  # pharmacy
        "report.filed",  # police
        "risk.assessed",  # medium, filed with the police report
        "report.filed",  # 3919
        "risk.assessed",  # raised to grave danger
    ]
    ids = [e["event_id"] for e in entries]
    assert ids[1:] == [*case.pharmacy, *case.police, *case.hotline, *case.raised]
    assert [e["data"].get("channel") for e in entries if e["type"] == "report.filed"] == [
        "pharmacy",
        "police",
        "hotline_3919",
    ]
    # The intake chains a case's events: each depends on the one before it in the case stream,
    # so a report follows case.opened, and each risk follows the report(s) before it.
    assert [e["depends_on"] for e in entries] == [[], *([i] for i in ids[:-1])]
    assert [e["depth"] for e in entries] == list(range(len(entries)))
    assert entries[-1]["data"]["level"] == "grave_danger"
    assert body["departement"] == DEP
    assert body["view"] == "summaries"
    assert all("person_key" not in e["data"] for e in entries)
    stored = await platform.live.timelines.get(case.case_id)
    assert stored is not None
    assert body["case_hash"] == stored.case_hash == chain(case.case_id, stored.entries)
    assert stored.pending == ()


async def test_another_departement_and_a_reporting_point_get_nothing(
    platform: Platform, case: FiledCase
) -> None:
    url_path = f"/v1/cases/{case.case_id}/timeline"
    other = bearer("committee_member", ELSEWHERE, sub="member-75", org="clav-75")
    answer = await platform.case_timeline(case.case_id, other, min_event=case.last)
    assert answer.status_code in (403, 404)
    assert answer.headers["content-type"] == "application/problem+json"
    assert "entries" not in answer.json()
    assert case.case_id not in answer.text.replace(url_path, "")  # only the instance names it
    for secret in (*SECRETS, "report.filed", "grave_danger"):
        assert secret not in answer.text
    pharmacy = bearer("reporting_point", DEP, sub="pharmacie-9301", org="pharmacie-9301")
    assert (await platform.case_timeline(case.case_id, pharmacy)).status_code == 403


async def test_republishing_the_same_records_changes_nothing(
    platform: Platform, case: FiledCase, reads: Counter[str]
) -> None:
    before = await committee_read(platform, reads, case.case_id, min_event=case.last)
    key = case.case_id.encode()

    def mine(records: list[Record]) -> list[Record]:
        return [r for r in records if r.key == key]

    records = mine(await platform.read(INTAKE, lambda found: len(mine(found)) >= 6))
    assert [r.envelope().id for r in records] == [e["event_id"] for e in before["entries"]]
    filed = [r for r in records if r.envelope().type == "report.filed"]
    assert all(r.envelope().pii is not None for r in filed)  # sealed in the log ...
    assert all(VICTIM["last_name"].encode() not in r.value for r in records)  # ... not in clear
    for record in [*records, *reversed(records)]:  # the exact bytes, twice, in both orders
        await platform.producer.send_and_wait(
            record.topic, key=record.key, value=record.value, headers=list(record.headers)
        )
    # A later command on the same case: the same partition, so once it is applied every
    # duplicate before it has been read.
    later = await platform.report(
        report("sms_114", "alert", case_id=case.case_id, victim=None, narrative=None),
        bearer("hotline", DEP, sub="operateur-114", org="cnr-114"),
    )
    after = await committee_read(platform, reads, case.case_id, min_event=later["min_event"])
    assert after["entries"][:-1] == before["entries"]
    assert after["entries"][-1]["event_id"] == later["min_event"]
    assert after["case_hash"] == then_hash(before["case_hash"], after["entries"][-1]["event_hash"])
    stored = await platform.live.timelines.get(case.case_id)
    assert stored is not None
    assert stored.pending == ()
    assert len(stored.entries) == len(after["entries"])


async def test_the_auditor_rebuild_agrees_and_reports_a_forged_timeline(
    platform: Platform, case: FiledCase, reads: Counter[str], capsys: pytest.CaptureFixture[str]
) -> None:
    live = await committee_read(platform, reads, case.case_id)
    target = f"{platform.timeline_settings.database}_audit"
    code, out = await platform.relais_audit("rebuild", "--database", target, "--keep")
    assert code == 0, out
    assert " 0 mismatches" in out
    assert "replayed 0 records" not in out
    rebuilt = projecting(platform.timeline_settings, target)
    try:
        timeline = await rebuilt.timelines.get(case.case_id)
        assert timeline is not None
        assert timeline.case_hash == live["case_hash"]
        assert [e.event.event_id for e in timeline.entries] == [
            e["event_id"] for e in live["entries"]
        ]
        # Into a database that is not empty: refused, not merged.
        code, out = await platform.relais_audit("rebuild", "--database", target)
        assert code == 2, out
        assert "not empty" in out
    finally:
        await rebuilt.client.drop_database(target)
        await rebuilt.stop()

    stored = await platform.live.timelines.get(case.case_id)
    assert stored is not None
    kept = stored.entries[:2] + stored.entries[3:]  # a report dropped, re-hashed as a forger would
    forged = stored.model_copy(update={"entries": kept, "case_hash": chain(case.case_id, kept)})
    await platform.live.timelines.put(forged)
    try:
        settings = platform.timeline_settings
        assert await rebuild(settings, None, keep=False, timeout_s=60) == 1
        assert f"MISMATCH {case.case_id}" in capsys.readouterr().out
    finally:
        await platform.live.timelines.put(stored)
    assert await rebuild(platform.timeline_settings, None, keep=False, timeout_s=60) == 0


async def test_every_read_left_an_access_log_on_the_timeline_topic(
    platform: Platform, case: FiledCase, reads: Counter[str]
) -> None:
    auditor = bearer("auditor", "*", sub="auditrice-1", org="cnil")
    audit = await platform.case_timeline(case.case_id, auditor)
    assert audit.status_code == 200
    assert audit.json()["view"] == "structure"
    assert all(e["data"] is None for e in audit.json()["entries"])
    reads["auditrice-1"] += 1

    def logged(records: list[Record]) -> Counter[str]:
        found: Counter[str] = Counter()
        for record in records:
            envelope = record.envelope()
            if envelope.type == "access.logged" and envelope.subject == case.case_id:
                found[envelope.data["subject_ref"]] += 1
        return found

    records = await platform.read(TIMELINE, lambda found: logged(found) >= reads)
    assert logged(records) == reads  # one per read, none for the refused ones
    accesses = [r.envelope() for r in records if r.envelope().type == "access.logged"]
    purposes = {(e.data["subject_ref"], e.data["role"], e.data["purpose"]) for e in accesses}
    assert purposes == {
        (MEMBER, "committee_member", "committee_review"),
        ("auditrice-1", "auditor", "audit"),
    }
    for record in records:
        for secret in SECRETS:
            assert secret.encode() not in record.value
