"""Sweeps: what a TTL index would do, done by the process (FerretDB has none, store rule 5)."""

from __future__ import annotations

import asyncio
import datetime as dt
import secrets
from typing import Any

import pytest
from relais_events.catalogue.timeline import AccessLogPurged, AccessPurpose
from relais_events.envelope import payload
from relais_events.vocabulary import Role
from relais_kit.application import Acting, ManualClock
from relais_kit.application.access_log import Shown
from relais_kit.periodic import Periodic
from relais_kit.runtime import Runtime
from relais_kit.settings import ServiceSettings


async def test_a_pass_that_fails_is_logged_and_the_next_one_runs() -> None:
    calls: list[int] = []

    async def flaky() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("store away")

    sweep = Periodic("flaky", 0.01, flaky)
    sweep.start()
    for _ in range(500):  # bounded: 500 x 10 ms at the very most
        if sweep.passes >= 2:
            break
        await asyncio.sleep(0.01)
    await sweep.stop()
    assert len(calls) >= 3
    assert sweep.passes == len(calls) - 1
    await sweep.stop()  # twice: nothing to stop


def test_a_period_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        Periodic("never", 0, lambda: asyncio.sleep(0))


@pytest.mark.servers
async def test_the_runtime_purges_idempotency_records_past_their_retention(servers: Any) -> None:
    clock = ManualClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    settings = ServiceSettings(
        service_name="kit-sweeps",
        mongo_uri=servers.mongo_uri,
        kafka_bootstrap=servers.kafka_bootstrap,
        database=servers.database(f"kit_sweeps_{secrets.token_hex(3)}"),
        idempotency_retention_s=3600,
    )
    runtime = Runtime.build(settings, clock=clock)
    assert [s.name for s in runtime.sweeps] == ["idempotency-purge", "access-log-purge"]
    try:
        await runtime.idempotency.claim("u1:old", "f")
        clock.advance(dt.timedelta(minutes=59))
        await runtime.idempotency.claim("u1:recent", "f")
        assert await runtime.purge_idempotency() == 0
        clock.advance(dt.timedelta(minutes=2))
        assert await runtime.purge_idempotency() == 1
        assert await runtime.idempotency.load("u1:old") is None
        assert await runtime.idempotency.load("u1:recent") is not None
    finally:
        await runtime.client.drop_database(settings.database)
        await runtime.client.close()


@pytest.mark.servers
async def test_the_runtime_purges_access_entries_past_twelve_months(servers: Any) -> None:
    """CNIL guidance (DOMAIN.md "Data protection"): the default keeps entries 365 days."""
    clock = ManualClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    settings = ServiceSettings(
        service_name="kit-access-purge",
        mongo_uri=servers.mongo_uri,
        kafka_bootstrap=servers.kafka_bootstrap,
        database=servers.database(f"kit_access_{secrets.token_hex(3)}"),
    )
    assert settings.access_log_retention_days == 365
    runtime = Runtime.build(settings, clock=clock)
    reader = Acting("member-1", Role.COMMITTEE_MEMBER, "clav-93", frozenset({"93"}))
    shown = [Shown("case-1", "93")]
    try:
        old = await runtime.access_log.record(reader, "case", AccessPurpose.AUDIT, shown)
        clock.advance(dt.timedelta(days=30))
        new = await runtime.access_log.record(reader, "case", AccessPurpose.AUDIT, shown)
        commits = [f"{e.aggregateid}:{e.aggregateversion:010d}" for e in (old, new)]
        await runtime.store.mark_published(commits)  # as the relay does once on Kafka
        clock.advance(dt.timedelta(days=336))  # the first is 366 days old, the second 336
        recorded = await runtime.purge_access_log()
        assert recorded is not None
        event = payload(recorded)
        assert isinstance(event, AccessLogPurged)
        assert event.entries == 1
        assert await runtime.store.load(old.aggregateid) == []
        assert await runtime.store.load(new.aggregateid) != []
        # The record goes through the outbox like any event, and is never purged itself.
        assert await runtime.store.load(event.purge_id) != []
    finally:
        await runtime.client.drop_database(settings.database)
        await runtime.client.close()
