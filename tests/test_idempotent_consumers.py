"""Reliability of the timeline consumer on real Kafka: duplicates, poison records, restarts.

- Duplicate deliveries (the exact bytes of a case's records, again and in reverse order) change
  nothing: same entries, same case hash.
- Poison records on a context topic (not JSON, an unknown type, headers that contradict the
  value) go to the namespaced ``relais.deadletter.v1`` with the original bytes, topic, partition
  and offset, and the worker keeps applying the events after them.
- A worker stopped while commands are filed catches up when it comes back (nothing lost); a
  worker in a NEW consumer group re-reads every topic from offset 0, so every record is
  delivered twice: the case hashes do not move, and the poison is dead-lettered again.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import orjson
import pytest
from relais_events.envelope import new_event_id
from relais_events.topics import DEADLETTER, INTAKE
from relais_infra.testing import Servers

from .harness import Json, Platform, Record, bearer, open_platform, then_hash

pytestmark = pytest.mark.servers

DEP = "13"


@dataclass(frozen=True)
class Poison:
    reason: str
    value: bytes
    headers: list[tuple[str, bytes]]
    partition: int = -1
    offset: int = -1


@pytest.fixture(scope="module")
async def platform(
    servers: Servers, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Platform]:
    async with open_platform(servers, "sys3", tmp_path_factory.mktemp("sys3-keys")) as opened:
        yield opened


@pytest.fixture(scope="module")
def poisons() -> list[Poison]:
    """The poison records published by the first test, with where the broker put them."""
    return []


async def file_case(platform: Platform) -> Json:
    body: Json = {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": DEP,
        "minor_victim": False,
        "assessment": {"questionnaire": "dash-2009", "level": "high"},
    }
    return await platform.report(body, bearer("police", DEP, sub="opj-13", org="pn-13"))


async def attach(platform: Platform, case_id: str) -> str:
    body: Json = {
        "case_id": case_id,
        "channel": "sms_114",
        "report_kind": "alert",
        "case_kind": "conjugal_violence",
        "departement": DEP,
        "minor_victim": False,
    }
    filed = await platform.report(body, bearer("hotline", DEP, sub="cnr-114", org="cnr-114"))
    event_id: str = filed["min_event"]
    return event_id


async def committee_read(platform: Platform, case_id: str, min_event: str) -> Json:
    headers = bearer("committee_member", DEP, sub="member-13", org="clav-13")
    answer = await platform.case_timeline(case_id, headers, min_event)
    assert answer.status_code == 200, answer.text
    body: Json = answer.json()
    return body


@pytest.fixture(scope="module")
async def case_id(platform: Platform) -> str:
    filed = await file_case(platform)
    await committee_read(platform, filed["case_id"], filed["min_event"])
    value: str = filed["case_id"]
    return value


def letters_of(records: list[Record]) -> list[tuple[dict[str, Any], dict[str, bytes]]]:
    return [(orjson.loads(r.value), dict(r.headers)) for r in records]


def letters_for(records: list[Record], poison: Poison, topic: str) -> list[dict[str, Any]]:
    return [
        letter
        for letter, _ in letters_of(records)
        if (letter["topic"], letter["partition"], letter["offset"])
        == (topic, poison.partition, poison.offset)
    ]


async def test_duplicates_change_nothing_and_poison_is_dead_lettered_with_its_place(
    platform: Platform, case_id: str, poisons: list[Poison]
) -> None:
    key = case_id.encode()
    records = [
        r
        for r in await platform.read(INTAKE, lambda found: sum(r.key == key for r in found) >= 3)
        if r.key == key
    ]
    before = await committee_read(platform, case_id, records[-1].envelope().id)
    assert [e["event_id"] for e in before["entries"]] == [r.envelope().id for r in records]

    unknown = orjson.loads(records[0].value) | {"type": "report.teleported", "id": new_event_id()}
    lying = [(k, b"case.closed" if k == "ce_type" else v) for k, v in records[1].headers]
    assert lying != list(records[1].headers)
    candidates = [
        Poison("bad_json", b"{not json", []),
        Poison("unknown_type", orjson.dumps(unknown), []),
        Poison("header_mismatch", records[1].value, lying),
    ]
    topic = platform.topic(INTAKE)
    duplicates = [[*records], [*reversed(records)], [*records]]
    for poison, again in zip(candidates, duplicates, strict=True):
        sent = await platform.producer.send_and_wait(
            topic, key=key, value=poison.value, headers=poison.headers
        )
        poisons.append(
            Poison(poison.reason, poison.value, poison.headers, sent.partition, sent.offset)
        )
        for record in again:
            await platform.producer.send_and_wait(
                topic, key=record.key, value=record.value, headers=list(record.headers)
            )

    later = await attach(platform, case_id)  # after every poison and duplicate on the partition
    after = await committee_read(platform, case_id, later)
    assert after["entries"][:-1] == before["entries"]
    assert after["entries"][-1]["event_id"] == later
    assert after["case_hash"] == then_hash(before["case_hash"], after["entries"][-1]["event_hash"])
    stored = await platform.live.timelines.get(case_id)
    assert stored is not None
    assert stored.pending == ()

    dead = await platform.read(
        DEADLETTER, lambda found: all(letters_for(found, p, topic) for p in poisons)
    )
    for poison in poisons:
        [letter] = letters_for(dead, poison, topic)
        assert letter["reason"] == poison.reason
        assert letter["consumer"] == "timeline"  # the projection decodes (once), not the re-keying
        assert base64.b64decode(letter["value"]) == poison.value  # the original bytes
        assert base64.b64decode(letter["key"]) == key
        assert [[k, base64.b64decode(v)] for k, v in letter["headers"]] == [
            [k, v] for k, v in poison.headers
        ]
    reasons = {h["relais_reason"] for letter, h in letters_of(dead) if letter["topic"] == topic}
    assert reasons == {p.reason.encode() for p in poisons}


async def test_a_restart_loses_nothing_and_a_new_group_rereading_everything_changes_nothing(
    platform: Platform, case_id: str, poisons: list[Poison]
) -> None:
    await platform.stop_worker()
    filed = await file_case(platform)  # while no worker runs: the intake does not need one
    await platform.restart_worker()  # same group: resumes from its committed offsets
    await committee_read(platform, filed["case_id"], filed["min_event"])

    cases = [case_id, filed["case_id"]]
    hashes = {}
    for case in cases:
        stored = await platform.live.timelines.get(case)
        assert stored is not None
        hashes[case] = (stored.case_hash, len(stored.entries))

    await platform.restart_worker(group="regroup")  # from offset 0: every record again
    for case in cases:
        # A new event per case, after all of that case's records: once applied, the new group
        # has re-read (and ignored) every earlier record of the case's partition.
        later = await attach(platform, case)
        after = await committee_read(platform, case, later)
        case_hash, count = hashes[case]
        assert len(after["entries"]) == count + 1
        assert after["case_hash"] == then_hash(case_hash, after["entries"][-1]["event_hash"])

    if poisons:  # the first test's poison, met again by the new group: dead-lettered again
        topic = platform.topic(INTAKE)
        dead = await platform.read(
            DEADLETTER, lambda found: all(len(letters_for(found, p, topic)) >= 2 for p in poisons)
        )
        assert [len(letters_for(dead, p, topic)) for p in poisons] == [2] * len(poisons)
