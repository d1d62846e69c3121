"""`relais-audit rebuild` over a source that stalls: it shows how far it got on its progress
bar, says what it waited for, exits 2 (it could not run) and leaves no rebuilt database."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

import pytest
from aiokafka import TopicPartition
from pymongo import AsyncMongoClient
from relais_timeline.config import TimelineSettings
from relais_timeline.entrypoints.cli import rebuild

pytestmark = pytest.mark.servers
TP = TopicPartition("relais.intake.v1", 0)


class Record:
    def __init__(self, offset: int) -> None:
        self.topic, self.partition, self.offset = TP.topic, TP.partition, offset
        self.key, self.value = b"case-x", b"garbage"
        self.headers: list[tuple[str, bytes]] = []
        self.timestamp = 1_700_000_000_000


class StalledLog:
    """Ten records in the log; the broker hands out three, then nothing more."""

    def __init__(self) -> None:
        self.next = 0

    async def open(self, topics: Sequence[str]) -> dict[TopicPartition, int]:
        return {TP: 10}

    async def fetch(
        self, partitions: Sequence[TopicPartition], timeout_ms: int
    ) -> Mapping[TopicPartition, Sequence[Any]]:
        if self.next >= 3:
            await asyncio.sleep(timeout_ms / 1000)
            return {}
        self.next += 1
        return {TP: [Record(self.next - 1)]}

    async def position(self, partition: TopicPartition) -> int:
        return self.next

    async def close(self) -> None:
        return None


@pytest.mark.timeout(60)
async def test_a_stalled_rebuild_shows_its_progress_and_exits_2(
    timeline_settings: TimelineSettings, capsys: pytest.CaptureFixture[str]
) -> None:
    target = f"{timeline_settings.database}_stalled"
    code = await rebuild(
        timeline_settings, target, keep=False, timeout_s=1, show_progress=True, source=StalledLog()
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "replaying" in err
    assert "3/10" in err
    assert "no progress for 1 s: records of relais.intake.v1/0" in err
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(timeline_settings.mongo_uri)
    try:
        assert target not in await client.list_database_names()
    finally:
        await client.close()
