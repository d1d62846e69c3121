"""Every kind of bad record reaches the dead letters with its reason, through both consumer loops.

On real Kafka, one topic gets good signed events mixed with a record of each kind the gate
refuses: malformed (not JSON, not an envelope), unsigned, wrongly signed (altered after signing,
signed by a key the registry does not know, by a stranger under a known key id, by a revoked
key), replayed (an id already applied, with other content, validly signed) and oversized. Each
consumer loop that services run takes the topic:

- ``consume_forever`` + ``EventRunner``: the referrals worker's loop;
- ``GroupConsumer`` + ``BatchRunner``: the timeline worker's projecting member;

(protection orders consume nothing: their worker only fires deadlines). Both apply exactly the
good events, dead-letter each bad record once with its reason and its place in the topic, and
count in = count applied + count dead-lettered. The fingerprints of the replay check are in the
real store (FerretDB here).
"""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pymongo.asynchronous.database import AsyncDatabase
from relais_events.codec import to_record
from relais_events.envelope import Envelope
from relais_events.integrity import Signer
from relais_events.keyregistry import new_key_pair
from relais_events.seal_checks import envelope_hash
from relais_events.topics import DEADLETTER, INTAKE
from relais_infra.testing import Servers
from relais_kit.batch_consumer import BatchRunner, Decoded
from relais_kit.consumer import EventRunner, RawRecord, consume_forever
from relais_kit.group_consumer import GroupConsumer
from relais_kit.ingress import KeyRegistrySource, MongoFingerprints, RecordGate
from relais_kit.store.memory import MemoryProcessedEvents
from relais_kit.topics import TopicSettings

from .conftest import NOW, REGISTRY, SIGNER, ConsumerFactory, eventually, report, unsigned_report

pytestmark = [pytest.mark.servers, pytest.mark.timeout(120)]
MAX_BYTES = 64 * 1024
GOOD = 5
_LEAKED, _LEAKED_ENTRY = new_key_pair("intake-leaked", valid_from=NOW - dt.timedelta(days=365))
LEAKED = Signer("intake", "intake-leaked", _LEAKED)
# Unknown to the registry / a stranger's key under intake's own key id.
UNKNOWN = Signer("intake", "intake-unknown", Ed25519PrivateKey.generate())
STRANGER = Signer("intake", SIGNER.key_id, Ed25519PrivateKey.generate())
KEYS = REGISTRY.with_key("intake", _LEAKED_ENTRY).revoked(
    "intake", "intake-leaked", NOW - dt.timedelta(days=1), "leaked"
)


def value(envelope: Envelope) -> bytes:
    return to_record(envelope).value


def altered(envelope: Envelope) -> Envelope:
    """The same sealed envelope with other data: its hash and signature no longer match."""
    data = {**envelope.data, "children_present": 3}
    return envelope.model_copy(update={"data": data})


def feed() -> tuple[list[Envelope], list[tuple[bytes, str]]]:
    """The good events, and each bad record's bytes with the reason it must be refused for."""
    good = [report("case-1", v) for v in range(1, GOOD + 1)]
    replay = SIGNER.seal(altered(good[0]).model_copy(update={"hash": None, "sig": None}), None)
    assert (replay.id, replay.hash != good[0].hash) == (good[0].id, True)
    forged = altered(good[1])
    resigned = forged.model_copy(
        update={"hash": envelope_hash(forged.model_copy(update={"hash": None, "sig": None}))}
    )
    bad = [
        (b"{not json", "bad_json"),
        (orjson.dumps({"id": "x", "type": "report.filed"}), "bad_envelope"),
        (value(unsigned_report("case-1", 9)), "unsealed"),
        (value(altered(good[2])), "hash_mismatch"),
        (value(UNKNOWN.seal(unsigned_report("case-1", 10), None)), "unknown_key"),
        (value(STRANGER.seal(unsigned_report("case-1", 11), None)), "bad_signature"),
        (value(LEAKED.seal(unsigned_report("case-1", 12), None)), "key_revoked"),
        (value(resigned), "bad_signature"),
        (value(replay), "conflicting_duplicate"),
        (b'{"padding": "' + b"x" * MAX_BYTES + b'"}', "oversized"),
    ]
    return good, bad


async def send_all(
    producer: AIOKafkaProducer,
    topic: str,
    good: Sequence[Envelope],
    bad: Sequence[tuple[bytes, str]],
) -> dict[int, str]:
    """Good and bad interleaved on one partition (one key: log order is send order), the replay
    after the event it replays; the offset of each bad record with its reason."""
    places: dict[int, str] = {}
    queue: list[tuple[bytes, str | None]] = [(value(good[0]), None)]
    rest = [(value(e), None) for e in good[1:]]
    for item in bad:
        queue.append(item)
        if rest:
            queue.append(rest.pop(0))
    queue.extend(rest)
    for raw, reason in queue:
        sent = await producer.send_and_wait(topic, key=b"case-1", value=raw)
        if reason is not None:
            places[sent.offset] = reason
    return places


async def dead_letters(servers: Servers, topic: str, expected: int) -> list[dict[str, Any]]:
    """Every letter of ``topic``, once ``expected`` are there (and no more arrive)."""
    reader = AIOKafkaConsumer(bootstrap_servers=servers.kafka_bootstrap, enable_auto_commit=False)
    await reader.start()
    try:
        cluster = await reader._client.fetch_all_metadata()
        found = sorted(cluster.partitions_for_topic(topic) or ())
        partitions = [TopicPartition(topic, p) for p in found]
        reader.assign(partitions)
        await reader.seek_to_beginning(*partitions)
        letters: list[dict[str, Any]] = []
        deadline = asyncio.get_running_loop().time() + 30
        while len(letters) < expected:
            reasons = sorted(letter["reason"] for letter in letters)
            assert asyncio.get_running_loop().time() < deadline, f"only {reasons} dead-lettered"
            for batch in (await reader.getmany(timeout_ms=200)).values():
                for record in batch:
                    letter = orjson.loads(record.value)
                    letter["header_reason"] = dict(record.headers)["relais_reason"].decode()
                    letters.append(letter)
        await asyncio.sleep(0.5)  # anything more would be a letter too many
        for batch in (await reader.getmany(timeout_ms=500)).values():
            letters.extend(orjson.loads(r.value) for r in batch)
        return letters
    finally:
        await reader.stop()


def gate(database: AsyncDatabase[dict[str, Any]]) -> RecordGate:
    return RecordGate(
        KeyRegistrySource(registry=KEYS),
        MongoFingerprints(database["fingerprints"]),
        max_bytes=MAX_BYTES,
    )


@pytest.mark.parametrize("loop", ["event_runner", "batch_runner"])
async def test_each_bad_record_is_dead_lettered_with_its_reason_and_none_is_applied_or_lost(  # noqa: PLR0917  (fixtures)
    loop: str,
    servers: Servers,
    topics: TopicSettings,
    producer: AIOKafkaProducer,
    consumer_of: ConsumerFactory,
    database: AsyncDatabase[dict[str, Any]],
) -> None:
    intake = topics.name(INTAKE)
    good, bad = feed()
    places = await send_all(producer, intake, good, bad)
    applied: list[str] = []

    if loop == "event_runner":

        async def one(envelope: Envelope) -> None:
            applied.append(envelope.id)

        runner = EventRunner(
            loop, one, MemoryProcessedEvents(), producer, topics, gate=gate(database)
        )
        consumer = await consumer_of(intake, f"dl-{loop}")
        task = asyncio.create_task(consume_forever(consumer, runner))

        async def stop() -> None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
            await consumer.stop()

    else:

        async def many(items: Sequence[Decoded]) -> None:
            applied.extend(i.envelope.id for i in items)

        batches = BatchRunner(loop, many, producer, topics, gate=gate(database))

        async def handle(records: Sequence[RawRecord]) -> None:
            await batches.handle(records)

        member = GroupConsumer(
            loop,
            [intake],
            group=f"dl-{loop}-{servers.run_id}",
            bootstrap=servers.kafka_bootstrap,
            handle=handle,
        )
        await member.start()
        stop = member.stop

    try:
        await eventually(lambda: len(applied) >= GOOD, 30, "the good events applied")
        letters = await dead_letters(servers, topics.name(DEADLETTER), len(bad))
    finally:
        await stop()

    assert sorted(applied) == sorted(e.id for e in good)  # each good one once, no bad one
    assert len(places) + GOOD == len(applied) + len(letters)  # in = applied + dead-lettered
    assert {(letter["offset"], letter["reason"]) for letter in letters} == set(places.items())
    assert all(letter["header_reason"] == letter["reason"] for letter in letters)
    assert Counter(letter["reason"] for letter in letters) == Counter(reason for _, reason in bad)
    assert all(letter["topic"] == intake and letter["consumer"] == loop for letter in letters)
    oversized = next(letter for letter in letters if letter["reason"] == "oversized")
    assert oversized["value_truncated"]
    assert oversized["value_bytes"] > MAX_BYTES
    kept = next(letter for letter in letters if letter["reason"] == "bad_json")
    assert base64.b64decode(kept["value"]) == b"{not json"
