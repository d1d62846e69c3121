"""A service in time recorded after the manager fired the lapse (issue 16), on memory adapters:
the lapse is annulled in the service's commit, the ruling deadline is scheduled again and the
manager fires it as if the lapse had never fired."""

from __future__ import annotations

from datetime import timedelta

from relais_events.catalogue.protection_orders import DeadlineKind
from relais_kit.due import Visit

from .steps import ORDER, RULING_DUE, SERVICE_DUE, Harness, paris, pending_order, served

SECOND = timedelta(seconds=1)


async def test_a_late_service_annuls_the_lapse_and_the_ruling_deadline_runs_again(
    harness: Harness,
) -> None:
    await pending_order(harness)
    manager = harness.manager()
    harness.clock.set(SERVICE_DUE)
    assert await manager.tick() == [Visit.FIRED]
    assert harness.types(ORDER)[-1] == "protection_order.lapsed"
    before = {e.key for e in harness.schedule.entries() if e.kind is DeadlineKind.RULING}

    # Thursday morning the clerk records the service the bailiff made Wednesday evening.
    outcome = await harness.act(ORDER, served(SERVICE_DUE - SECOND), at=paris(3, 6, 9))
    assert [e.type for e in outcome.envelopes] == [
        "protection_order.lapse_annulled",
        "protection_order.summons_served",
    ]
    assert outcome.envelopes[0].data["recorded_by"] == "justice_clerk"
    assert outcome.state.stage == "summons_served"
    # Scheduled again by the commit that reopened it (the lapse's own entry is dropped at due).
    [ruling] = [
        e
        for e in harness.schedule.entries()
        if e.kind is DeadlineKind.RULING and e.key not in before
    ]
    assert (ruling.due_at, ruling.version) == (RULING_DUE, outcome.loaded.version)
    row = await harness.dashboard.get(ORDER)
    assert row is not None
    assert (row.status, row.next_deadline) == ("summons_served", DeadlineKind.RULING)

    harness.clock.set(RULING_DUE)
    assert sorted(await manager.tick()) == sorted([Visit.FIRED, Visit.CLOSED])
    assert harness.types(ORDER)[-1] == "protection_order.ruling_overdue"
    assert harness.types(ORDER).count("protection_order.lapsed") == 1  # both stay on record
