"""The tamper test (issue 13): on a COPY of a real, signed log in Kafka, one change at a time,
and ``relais-audit verify`` catches it and names it (kind, topic, partition, offset, event id).

The original log is written once (``testing_log``: the services' streams, sealed and chained by
the real signer) to a namespace of its own; each test copies it record by record, partition by
partition (keys, headers and timestamps kept) to a new namespace, with one change on the way.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import orjson
import pytest
from kafka import KafkaAdminClient, KafkaProducer, TopicPartition
from relais_events.codec import from_record, to_record
from relais_events.integrity import Signer, ViolationKind
from relais_events.keyregistry import new_key_pair, save_registry
from relais_events.topics import CONTEXT_TOPICS, INTAKE
from relais_infra.testing import Servers
from relais_kit.topics import TopicSettings, ensure_topics
from relais_timeline.domain.log_audit import LogKind, Problem
from relais_timeline.entrypoints.audit_kafka import read, spans
from relais_timeline.entrypoints.audit_verify import verify_log
from relais_timeline.entrypoints.cli import main
from relais_timeline.testing_log import Keys, case_log, records

pytestmark = pytest.mark.servers

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
KEYS = Keys.generate()
LEAKED_PRIVATE, LEAKED = new_key_pair("intake-leaked", valid_from=START - dt.timedelta(days=30))
REGISTRY = KEYS.registry.with_key("intake", LEAKED).revoked(
    "intake", "intake-leaked", START - dt.timedelta(days=1), "laptop stolen"
)
PARTITIONS = 2


@dataclass(frozen=True)
class Copied:
    key: bytes
    value: bytes
    headers: list[tuple[str, bytes]]
    timestamp: int

    @property
    def document(self) -> dict[str, object]:
        found: dict[str, object] = orjson.loads(self.value)
        return found


Layout = dict[tuple[str, int], list[Copied]]  # (topic without namespace, partition) -> records


@dataclass
class Logs:
    servers: Servers
    original: Layout
    copies: Iterator[int]

    def copy(self, change: Callable[[Layout], None] = lambda _: None) -> tuple[str, Layout]:
        """A new namespace holding the original log with ``change`` applied."""
        namespace = f"{self.servers.topic_namespace}audit{next(self.copies)}."
        layout = {where: list(found) for where, found in self.original.items()}
        change(layout)
        write(self.servers.kafka_bootstrap, namespace, layout)
        return namespace, layout

    def verify(self, namespace: str, workers: int | None = None) -> list[Problem]:
        topics = [f"{namespace}{t}" for t in CONTEXT_TOPICS]
        bootstrap = self.servers.kafka_bootstrap
        return verify_log(bootstrap, topics, REGISTRY, cache_dir=None, workers=workers).problems


def write(bootstrap: str, namespace: str, layout: Layout) -> None:
    ensure_topics(
        bootstrap, TopicSettings(namespace=namespace, partitions=PARTITIONS), CONTEXT_TOPICS
    )
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    for (topic, partition), found in layout.items():
        for r in found:
            producer.send(
                f"{namespace}{topic}",
                key=r.key,
                value=r.value,
                headers=r.headers,
                partition=partition,
                timestamp_ms=r.timestamp,
            )
    producer.flush()
    producer.close()


@pytest.fixture(scope="module")
def logs(servers: Servers) -> Logs:
    namespace = f"{servers.topic_namespace}audit-original."
    ensure_topics(
        servers.kafka_bootstrap,
        TopicSettings(namespace=namespace, partitions=PARTITIONS),
        CONTEXT_TOPICS,
    )
    producer = KafkaProducer(bootstrap_servers=servers.kafka_bootstrap, linger_ms=5)
    for n in range(6):
        for r in records(
            case_log(KEYS.signers, f"case-{n}", START + dt.timedelta(hours=n)), namespace
        ):
            producer.send(r.topic, key=r.key, value=r.value, headers=r.headers)
    producer.flush()
    producer.close()
    original: Layout = {}
    topics = [f"{namespace}{t}" for t in CONTEXT_TOPICS]
    for span, batch in read(servers.kafka_bootstrap, spans(servers.kafka_bootstrap, topics)):
        original.setdefault((span.topic.removeprefix(namespace), span.partition), []).extend(
            Copied(r.key, r.value, list(r.headers), r.timestamp) for r in batch
        )
    return Logs(servers, original, itertools.count())


def named(problems: list[Problem]) -> set[tuple[object, str, int, int, str | None]]:
    return {
        (p.kind, p.topic.rsplit(".", 2)[-2], p.partition, p.offset, p.event_id) for p in problems
    }


def intake_partition(layout: Layout) -> tuple[tuple[str, int], list[Copied]]:
    """The intake partition with the most records (every one holds whole case streams)."""
    return max(((w, f) for w, f in layout.items() if w[0] == INTAKE), key=lambda wf: len(wf[1]))


def position(found: list[Copied], aggregate: str, version: int) -> int:
    return next(
        i
        for i, r in enumerate(found)
        if r.document["aggregateid"] == aggregate and r.document["aggregateversion"] == version
    )


def test_an_untouched_copy_verifies_and_the_command_says_so(
    logs: Logs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace, layout = logs.copy()
    assert logs.verify(namespace) == []
    assert sum(map(len, layout.values())) == 6 * 8
    save_registry(REGISTRY, tmp_path / "registry.json")
    monkeypatch.setenv("RELAIS_TIMELINE_TOPICS_NAMESPACE", namespace)
    monkeypatch.setenv("RELAIS_TIMELINE_KEY_REGISTRY", str(tmp_path / "registry.json"))
    assert main(["verify", "--no-progress", "--cache", str(tmp_path / "cache")]) == 0
    assert "verified 48 records" in capsys.readouterr().out
    assert main(["verify", "--no-progress", "--cache", str(tmp_path / "cache")]) == 0
    assert "0 signatures checked, 48 known" in capsys.readouterr().out  # the cache served


def test_a_flipped_byte_is_caught_and_named(
    logs: Logs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    where, found = intake_partition(logs.original)
    index = position(found, str(found[0].document["aggregateid"]), 2)

    def flip(layout: Layout) -> None:
        record = layout[where][index]
        at = record.value.index(b'"pn-75"') + 3
        value = record.value[:at] + bytes([record.value[at] ^ 0x01]) + record.value[at + 1 :]
        layout[where][index] = replace(record, value=value)

    namespace, layout = logs.copy(flip)
    event_id = str(layout[where][index].document["id"])
    assert named(logs.verify(namespace)) == {
        (ViolationKind.HASH_MISMATCH, "intake", where[1], index, event_id)
    }
    save_registry(REGISTRY, tmp_path / "registry.json")
    monkeypatch.setenv("RELAIS_TIMELINE_TOPICS_NAMESPACE", namespace)
    monkeypatch.setenv("RELAIS_TIMELINE_KEY_REGISTRY", str(tmp_path / "registry.json"))
    assert main(["verify", "--no-progress", "--no-cache"]) == 1
    printed = capsys.readouterr().out
    assert (
        f"PROBLEM hash_mismatch {namespace}{INTAKE}/{where[1]}@{index} event={event_id}" in printed
    )


def test_a_dropped_record_is_caught_and_named(logs: Logs) -> None:
    where, found = intake_partition(logs.original)
    case = str(found[0].document["aggregateid"])
    dropped = position(found, case, 2)

    def drop(layout: Layout) -> None:
        del layout[where][dropped]

    namespace, layout = logs.copy(drop)
    after = position(layout[where], case, 3)  # where the successor now stands
    successor = str(layout[where][after].document["id"])
    problems = logs.verify(namespace)
    assert named(problems) == {
        (ViolationKind.VERSION_GAP, "intake", where[1], after, successor),
        (ViolationKind.BROKEN_LINK, "intake", where[1], after, successor),
    }
    assert any("expected version 2" in p.detail for p in problems)
    assert named(logs.verify(namespace, workers=2)) == named(problems)  # the process path too


def test_two_swapped_records_are_caught_and_named(logs: Logs) -> None:
    where, found = intake_partition(logs.original)
    case = str(found[0].document["aggregateid"])
    first, second = position(found, case, 2), position(found, case, 3)

    def swap(layout: Layout) -> None:
        part = layout[where]
        part[first], part[second] = part[second], part[first]

    namespace, layout = logs.copy(swap)
    ids = [str(layout[where][i].document["id"]) for i in (first, second)]
    assert named(logs.verify(namespace)) == {
        (ViolationKind.VERSION_GAP, "intake", where[1], first, ids[0]),
        (ViolationKind.BROKEN_LINK, "intake", where[1], first, ids[0]),
        (ViolationKind.OUT_OF_ORDER, "intake", where[1], second, ids[1]),
        (ViolationKind.BROKEN_LINK, "intake", where[1], second, ids[1]),
    }


def test_a_record_signed_with_an_unknown_key_is_caught_and_named(logs: Logs) -> None:
    where, found = intake_partition(logs.original)
    private, _ = new_key_pair("intake-rogue", valid_from=START)
    rogue = Signer("intake", "intake-rogue", private)
    genuine = from_record(found[1].value, found[1].headers)
    inserted = rogue.seal(
        genuine.model_copy(
            update={
                "id": "01a00000-0000-7000-8000-000000000001",
                "aggregateid": f"r-rogue-{genuine.subject}",
                "aggregateversion": 1,
            }
        ),
        None,
    )
    record = Copied(found[1].key, to_record(inserted).value, found[1].headers, found[1].timestamp)
    record = replace(
        record,
        headers=[(k, inserted.id.encode() if k == "ce_id" else v) for k, v in record.headers],
    )
    namespace, _ = logs.copy(lambda layout: layout[where].insert(1, record))
    assert named(logs.verify(namespace)) == {
        (ViolationKind.UNKNOWN_KEY, "intake", where[1], 1, inserted.id)
    }


def test_a_record_resigned_with_a_revoked_key_is_caught_and_named(logs: Logs) -> None:
    where, found = intake_partition(logs.original)
    case = str(found[0].document["aggregateid"])
    index = position(found, case, 2)
    genuine = from_record(found[index].value, found[index].headers)
    altered = genuine.model_copy(update={"data": {**genuine.data, "children_present": 0}})
    forged = Signer("intake", "intake-leaked", LEAKED_PRIVATE).seal(altered, genuine.prevhash)
    namespace, layout = logs.copy(
        lambda layout: layout[where].__setitem__(
            index, replace(layout[where][index], value=to_record(forged).value)
        )
    )
    after = position(layout[where], case, 3)
    successor = str(layout[where][after].document["id"])
    assert named(logs.verify(namespace)) == {
        (ViolationKind.KEY_REVOKED, "intake", where[1], index, forged.id),
        (ViolationKind.BROKEN_LINK, "intake", where[1], after, successor),  # its hash changed
    }


def test_a_republished_record_is_a_notice_and_a_log_with_records_deleted_fails(
    logs: Logs,
) -> None:
    where, found = intake_partition(logs.original)
    namespace, _ = logs.copy(lambda layout: layout[where].append(layout[where][0]))
    problems = logs.verify(namespace)
    assert [(p.kind, p.offset) for p in problems] == [(LogKind.REPUBLISHED, len(found))]
    admin = KafkaAdminClient(bootstrap_servers=logs.servers.kafka_bootstrap)
    try:
        admin.delete_records({TopicPartition(f"{namespace}{where[0]}", where[1]): 1})
    finally:
        admin.close()
    gaps = [p for p in logs.verify(namespace) if p.kind is LogKind.OFFSET_GAP]
    assert [(p.offset, p.detail) for p in gaps] == [(0, "the log starts at 1")]
