"""The SLA manager escalates an unanswered referral exactly once (DOMAIN.md: default 48 hours),
whatever the ticks, the workers and the crashes between a claim and its completion."""

from __future__ import annotations

import datetime as dt

from relais_events.vocabulary import ConsentPurpose
from relais_kit.due import Firing, Visit
from relais_referrals.application.consents import give_consent
from relais_referrals.application.referrals import Sending, answer_referral, send_referral
from relais_referrals.domain.commands import AcceptReferral

from .harness import CIDFF_WORKER, OFFICER, SCOPE, Harness, opened

CASE = "case-1"
SLA = dt.timedelta(hours=48)


async def sent(h: Harness) -> str:
    await h.handlers.on_event(opened(CASE))
    partner = await h.partner()
    await give_consent(CASE, SCOPE, services=h.services, acting=OFFICER)
    categories = tuple(sorted(SCOPE.data_categories))
    referral_id, _ = await send_referral(
        CASE,
        Sending(partner, ConsentPurpose.SUPPORT, categories),
        services=h.services,
        acting=OFFICER,
    )
    return referral_id


async def escalations(h: Harness) -> list[str]:
    return [e.id for e in await h.stream(CASE) if e.type == "referral.escalated"]


async def test_nothing_before_the_due_instant_then_one_escalation(h: Harness) -> None:
    await sent(h)
    due = h.clock.now() + SLA
    manager = h.manager()
    h.clock.set(due - dt.timedelta(microseconds=1))
    assert await manager.tick() == []
    h.clock.set(due)
    assert await manager.tick() == [Visit.FIRED]
    for _ in range(3):
        h.clock.advance(dt.timedelta(hours=5))
        assert await manager.tick() == []
    assert len(await escalations(h)) == 1
    [envelope] = [e for e in await h.stream(CASE) if e.type == "referral.escalated"]
    assert envelope.actor.role == "system"


async def test_an_answered_referral_is_dropped_not_escalated(h: Harness) -> None:
    referral_id = await sent(h)
    accept = AcceptReferral(referral_id, CIDFF_WORKER.org_ref)
    await answer_referral(CASE, accept, services=h.services, acting=CIDFF_WORKER)
    h.clock.advance(SLA)
    assert await h.manager().tick() == [Visit.CLOSED]
    assert await escalations(h) == []
    assert h.schedule.entries() == []


async def test_two_workers_escalate_once(h: Harness) -> None:
    await sent(h)
    h.clock.advance(SLA)
    visits = [*await h.manager("worker-a").tick(), *await h.manager("worker-b").tick()]
    assert visits == [Visit.FIRED]  # the second found the entry gone
    assert len(await escalations(h)) == 1


async def test_a_worker_dead_between_claim_and_commit_is_recovered_once(h: Harness) -> None:
    referral_id = await sent(h)
    h.clock.advance(SLA)
    [entry] = h.schedule.entries()
    # worker-a claimed, then died before committing: the entry is still due, no escalation.
    assert await h.firings.claim(Firing(entry.firing_key, "worker-a", h.clock.now()))
    assert await h.manager("worker-b").tick() == [Visit.IN_FLIGHT]  # a live claim of another
    assert await h.manager("worker-a").tick() == [Visit.REFIRED]  # worker-a restarted
    assert len(await escalations(h)) == 1
    assert referral_id in entry.key


async def test_a_dead_claim_past_its_lease_is_taken_over_and_a_late_commit_is_not_repeated(
    h: Harness,
) -> None:
    await sent(h)
    h.clock.advance(SLA)
    [entry] = h.schedule.entries()
    assert await h.firings.claim(Firing(entry.firing_key, "worker-a", h.clock.now()))
    h.clock.advance(dt.timedelta(minutes=3))  # the lease is 2 minutes
    assert await h.manager("worker-b").tick() == [Visit.REFIRED]
    # Had worker-a committed after all, its next tick would find nothing due.
    await h.schedule.add([entry])
    assert await h.manager("worker-a").tick() == [Visit.CLOSED]
    assert len(await escalations(h)) == 1


async def test_an_entry_whose_commit_never_landed_is_abandoned(h: Harness) -> None:
    referral_id = await sent(h)
    [entry] = h.schedule.entries()
    ghost = type(entry)(entry.stream_id, "referral-ghost", entry.due_at, 99, entry.scheduled_at)
    await h.schedule.add([ghost])
    h.clock.advance(SLA)
    visits = await h.manager().tick()
    assert sorted(visits) == sorted([Visit.FIRED, Visit.ABANDONED])
    assert [e.referral_id for e in h.schedule.entries()] == []
    assert referral_id in {e.data.get("referral_id") for e in await h.stream(CASE)}
