"""The group member survives a broker that forgot it: a failed commit means "read it again".

Seen under a Kafka ``kill -9`` (tests/reliability): after the broker came back, the member's
commit failed with ``CommitFailedError`` (its member id unknown to the group), the polling task
died, and the worker process went on running while consuming nothing. A consumer double here
plays the group's side, so the case is exact and fast; the reliability suite covers the real one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import TopicPartition
from aiokafka.errors import CommitFailedError, KafkaConnectionError
from relais_kit.consumer import RawRecord
from relais_kit.group_consumer import GroupConsumer

TP = TopicPartition("t.relais.intake.v1", 0)


@dataclass
class Message:
    offset: int
    topic: str = TP.topic
    partition: int = TP.partition
    key: bytes = b"case-1"
    value: bytes = b"{}"
    headers: tuple[tuple[str, bytes], ...] = ()
    timestamp: int = 0


@dataclass
class GroupDouble:
    """A consumer of one partition of three records; fails as told, commits otherwise."""

    fail_commits: int = 0
    fail_polls: int = 0
    position: int = 0
    committed: int = 0
    log: list[str] = field(default_factory=list)

    def subscribe(self, topics: Sequence[str], listener: Any) -> None: ...
    async def start(self) -> None: ...
    async def stop(self) -> None: ...

    def assignment(self) -> set[TopicPartition]:
        return {TP}

    async def getmany(self, timeout_ms: int = 0, max_records: int = 500) -> dict[Any, Any]:
        if self.fail_polls:
            self.fail_polls -= 1
            raise KafkaConnectionError("broker away")
        if self.position >= 3:
            await asyncio.sleep(timeout_ms / 1000)
            return {}
        batch = [Message(o) for o in range(self.position, 3)]
        self.position = 3
        return {TP: batch}

    async def commit(self, offsets: dict[TopicPartition, int]) -> None:
        if self.fail_commits:
            self.fail_commits -= 1
            self.log.append("commit failed")
            raise CommitFailedError("the group has rebalanced")
        self.committed = offsets[TP]
        self.log.append(f"committed {offsets[TP]}")

    def seek(self, tp: TopicPartition, offset: int) -> None:
        self.position = offset
        self.log.append(f"sought {offset}")


async def run_until(member: GroupConsumer, double: GroupDouble, committed: int) -> None:
    await member.start()
    try:
        async with asyncio.timeout(5):
            while double.committed < committed:  # noqa: ASYNC110 - a double, polled briefly
                await asyncio.sleep(0.01)
    finally:
        await member.stop()


def member(double: GroupDouble, handled: list[int]) -> GroupConsumer:
    async def handle(records: Sequence[RawRecord]) -> None:
        handled.extend(r.offset for r in records)

    return GroupConsumer(
        "test",
        [TP.topic],
        group="g",
        bootstrap="127.0.0.1:1",
        handle=handle,
        wait_ms=0,
        retry_backoff_s=0.01,
        new_consumer=lambda **_: double,
    )


async def test_a_failed_commit_redelivers_the_batch_and_the_member_consumes_on() -> None:
    double, handled = GroupDouble(fail_commits=1), list[int]()
    await run_until(member(double, handled), double, committed=3)
    assert handled == [0, 1, 2, 0, 1, 2]  # handled, not committed: read again, then committed
    assert double.log == ["commit failed", "sought 0", "committed 3"]


async def test_a_failed_poll_is_retried_instead_of_ending_the_member() -> None:
    double, handled = GroupDouble(fail_polls=2), list[int]()
    await run_until(member(double, handled), double, committed=3)
    assert handled == [0, 1, 2]
