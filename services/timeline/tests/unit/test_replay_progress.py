"""`relais-audit rebuild`'s `--timeout-s` is a time without progress, not a total: a source that
stops sending, or a store that stops answering, fails the replay; a long one that keeps moving
finishes however long it takes, and reports its progress on the way."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pytest
from aiokafka import TopicPartition
from relais_events.codec import to_record
from relais_timeline.application.projection import Arrival, TimelineProjection
from relais_timeline.entrypoints.replay import ReplayStalled, replay
from relais_timeline.testing import case_history

TP = TopicPartition("relais.intake.v1", 0)
LOGGED_MS = 1_700_000_000_000


@dataclass(frozen=True)
class Message:
    """What the replay reads of an aiokafka ConsumerRecord."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: Sequence[tuple[str, bytes]]
    timestamp: int


def undecodable(offset: int) -> Message:
    return Message(TP.topic, TP.partition, offset, b"case-x", b"not an event", [], LOGGED_MS)


def decodable(offset: int) -> Message:
    record = to_record(case_history(f"case-{offset}")[0])
    return Message(
        TP.topic, TP.partition, offset, record.key, record.value, record.headers, LOGGED_MS
    )


class ScriptedLog:
    """`ends` records in the log; it hands out `sent` of them, `pause_s` apart, then none."""

    def __init__(self, ends: int, sent: int, pause_s: float = 0.0, *, decoded: bool = False):
        self.ends, self.sent, self.pause_s, self.decoded = ends, sent, pause_s, decoded
        self.next = 0
        self.closed = False

    async def open(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        return {TP: self.ends}

    async def fetch(
        self, partitions: Sequence[TopicPartition], timeout_ms: int
    ) -> Mapping[TopicPartition, Sequence[Any]]:
        if self.next >= self.sent:  # stalled: a poll that waits its whole time and brings nothing
            await asyncio.sleep(timeout_ms / 1000)
            return {}
        await asyncio.sleep(self.pause_s)
        message = decodable(self.next) if self.decoded else undecodable(self.next)
        self.next += 1
        return {TP: [message]}

    async def position(self, partition: TopicPartition) -> int:
        return self.next

    async def close(self) -> None:
        self.closed = True


class Projection:
    """Counts what it is asked to write; `hang` makes it a store that never answers."""

    def __init__(self, *, hang: bool = False) -> None:
        self.hang = hang
        self.written = 0

    async def project_all(self, arrivals: Sequence[Arrival]) -> dict[str, list[str]]:
        if self.hang:
            await asyncio.Event().wait()
        self.written += len(arrivals)
        return {}


def projection(fake: Projection) -> TimelineProjection:
    return cast(TimelineProjection, fake)


@pytest.mark.timeout(30)
async def test_a_source_that_stops_sending_fails_once_nothing_came_for_the_timeout() -> None:
    log = ScriptedLog(ends=10, sent=4)
    seen: list[tuple[int, int]] = []
    with pytest.raises(ReplayStalled, match=r"no progress for 1 s: records of relais.intake.v1/0"):
        await replay(
            "unused",
            [TP.topic],
            projection(Projection()),
            timeout_s=1.0,
            progress=lambda done, total: seen.append((done, total)),
            source=log,
        )
    assert seen[0] == (0, 10)
    assert seen[-1] == (4, 10)  # the bar stood at 4 of 10 when it gave up
    assert log.closed


@pytest.mark.timeout(30)
async def test_a_replay_longer_than_the_timeout_finishes_while_it_keeps_moving() -> None:
    # 12 records 0.2 s apart: about 2.4 s in all, twice the timeout, never 1.2 s without one.
    log = ScriptedLog(ends=12, sent=12, pause_s=0.2)
    seen: list[int] = []
    replayed = await replay(
        "unused",
        [TP.topic],
        projection(Projection()),
        timeout_s=1.2,
        progress=lambda done, total: seen.append(done),
        source=log,
    )
    assert replayed.records == 12
    assert replayed.undecodable == 12
    assert seen == list(range(13))  # 0, then one step per batch


@pytest.mark.timeout(30)
async def test_a_store_that_stops_answering_fails_the_replay_instead_of_hanging_it() -> None:
    log = ScriptedLog(ends=3, sent=3, decoded=True)
    with pytest.raises(ReplayStalled, match="no progress for 1 s: the store"):
        await replay(
            "unused", [TP.topic], projection(Projection(hang=True)), timeout_s=1.0, source=log
        )
    assert log.closed


async def test_records_that_decode_are_written_to_the_store() -> None:
    store = Projection()
    replayed = await replay(
        "unused", [TP.topic], projection(store), timeout_s=5, source=ScriptedLog(3, 3, decoded=True)
    )
    assert (replayed.records, replayed.undecodable, store.written) == (3, 0, 3)
    assert [(p.topic, p.partition, p.offset) for p in replayed.up_to] == [(TP.topic, 0, 2)]
