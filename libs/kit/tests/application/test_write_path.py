"""The kit's write path: constant-cost loads, stale states caught, links, jurisdiction first."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from relais_events.envelope import Envelope
from relais_kit.application import AggregateBusy, NotVisible, OutsideJurisdiction, WritePath
from relais_kit.application.write_path import snapshot_of
from relais_kit.store import ConcurrencyConflict, NewCommit, StoredCommit

from .conftest import POLICE_93, REPORTS, Kit, Reports, TooFewReportsError, close, file


async def history(
    kit: Kit, case_id: str, commits: int, write_path: WritePath | None = None
) -> WritePath:
    """``commits`` commits on one case: the opening report, then one report each."""
    write_path = write_path or kit.write_path()
    for n in range(commits):
        await write_path.execute(
            REPORTS, case_id, file(case_id, f"r-{n}"), acting=POLICE_93, subject=case_id,
            jurisdiction="93", new=n == 0,
        )  # fmt: skip
    return write_path


async def test_a_new_aggregate_costs_one_insert_and_no_read(kit: Kit) -> None:
    await kit.write_path().execute(
        REPORTS, "case-1", file("case-1", "r-1"), acting=POLICE_93, subject="case-1",
        jurisdiction="93", new=True,
    )  # fmt: skip
    assert kit.store.reset() == ["append"]
    [commit] = kit.committed
    assert [e["type"] for e in commit.events] == ["case.opened", "report.filed"]


@pytest.mark.parametrize("fresh_process", [False, True])
async def test_a_command_costs_the_same_on_a_case_of_2_or_50_commits(
    kit: Kit, fresh_process: bool
) -> None:
    costs = []
    for commits in (2, 50):
        case_id = f"case-{commits}"
        writer = await history(kit, case_id, commits)
        write_path = kit.write_path(cache_size=0) if fresh_process else writer
        kit.store.reset()
        await write_path.execute(REPORTS, case_id, file(case_id, "r-last"), acting=POLICE_93)
        costs.append(kit.store.reset())
    # From the cache: the insert alone. In another process: the snapshot, then the insert.
    expected = ["find", "append"] if fresh_process else ["append"]
    assert costs == [expected, expected]


async def test_a_read_costs_the_same_on_a_case_of_2_or_50_commits(kit: Kit) -> None:
    costs = []
    for commits in (2, 50):
        await history(kit, f"case-{commits}", commits)
        kit.store.reset()
        loaded = await kit.write_path().load(REPORTS, f"case-{commits}")
        assert len(loaded.state.report_ids) == commits
        costs.append(kit.store.reset())
    assert costs == [["find", "find"], ["find", "find"]]  # snapshot, then the tail's first miss


async def test_a_stale_cached_state_is_caught_by_the_version_insert(kit: Kit) -> None:
    behind, ahead = kit.write_path(), kit.write_path()
    await history(kit, "case-1", 1)
    await behind.load(REPORTS, "case-1")  # behind caches version 2
    for n in range(3):
        await ahead.execute(REPORTS, "case-1", file("case-1", f"a-{n}"), acting=POLICE_93)
    done = await behind.execute(REPORTS, "case-1", file("case-1", "b-1"), acting=POLICE_93)
    assert done.state.report_ids == ("r-0", "a-0", "a-1", "a-2", "b-1")
    assert done.loaded.version == 6
    assert [e.aggregateversion for e in done.envelopes] == [6]


async def test_a_rule_refused_on_a_stale_state_is_decided_again_on_a_fresh_one(kit: Kit) -> None:
    behind, ahead = kit.write_path(), kit.write_path()
    await history(kit, "case-1", 1)
    await behind.load(REPORTS, "case-1")  # one report, as far as `behind` knows
    await ahead.execute(REPORTS, "case-1", file("case-1", "r-2"), acting=POLICE_93)
    closed = await behind.execute(REPORTS, "case-1", close("case-1"), acting=POLICE_93)
    assert closed.state.closed
    with pytest.raises(TooFewReportsError):  # and a rule refused on the latest state stays refused
        await kit.write_path().execute(
            REPORTS, "case-2", close("case-2"), acting=POLICE_93, subject="case-2",
            jurisdiction="93",
        )  # fmt: skip


async def test_a_snapshot_of_another_shape_is_never_read_back(kit: Kit) -> None:
    await history(kit, "case-1", 3)
    snapshot = await kit.memory.snapshot("case-1")
    assert snapshot is not None
    wrong = dataclasses.replace(snapshot, schema="reports:0", state='{"nonsense": true}')
    await kit.memory.save_snapshot(wrong)
    loaded = await kit.write_path().load(REPORTS, "case-1")
    assert loaded.state.report_ids == ("r-0", "r-1", "r-2")


async def test_the_snapshot_keeps_the_state_and_the_chain(kit: Kit) -> None:
    await history(kit, "case-1", 3)
    from_snapshot = await kit.write_path().load(REPORTS, "case-1")
    folded = await kit.write_path(cache_size=0)._tail(REPORTS, _empty("case-1"))
    assert from_snapshot == folded
    assert REPORTS.load_state(REPORTS.dump_state(folded.state)) == folded.state
    assert snapshot_of(REPORTS, folded).last_hash == kit.committed[-1].events[-1]["hash"]


def _empty(case_id: str) -> Any:
    from relais_kit.application import Loaded

    return Loaded(case_id, Reports())


async def test_a_version_always_taken_ends_busy_with_nothing_written(kit: Kit) -> None:
    await history(kit, "case-1", 1)

    class AlwaysTaken(type(kit.store)):  # type: ignore[misc]
        async def append(self, commit: NewCommit) -> StoredCommit:
            raise ConcurrencyConflict(commit.aggregate_id, commit.version)

    write_path = kit.write_path().over(AlwaysTaken(kit.memory))
    with pytest.raises(AggregateBusy):
        await write_path.execute(REPORTS, "case-1", file("case-1", "x"), acting=POLICE_93)
    assert len(await kit.memory.load("case-1")) == 1


async def test_jurisdiction_is_checked_before_anything_is_decided(kit: Kit) -> None:
    await history(kit, "case-1", 1)
    decided: list[int] = []

    def spy(loaded: Any, now: Any) -> list[Any]:
        decided.append(1)
        return []

    elsewhere = dataclasses.replace(POLICE_93, jurisdictions=frozenset({"75"}))
    with pytest.raises(NotVisible):  # the case does not exist for them
        await kit.write_path().execute(REPORTS, "case-1", spy, acting=elsewhere)
    with pytest.raises(OutsideJurisdiction):  # nor may they open one there
        await kit.write_path().execute(
            REPORTS, "case-2", spy, acting=elsewhere, subject="case-2", jurisdiction="93"
        )
    assert decided == []


async def test_links_mean_the_same_in_every_commit(kit: Kit) -> None:
    write_path = kit.write_path()
    opened = await write_path.execute(
        REPORTS, "case-1", file("case-1", "r-0"), acting=POLICE_93, subject="case-1",
        jurisdiction="93", new=True,
    )  # fmt: skip
    first, second = opened.envelopes
    # A person's command starts a conversation and has no causing event.
    assert (first.correlationid, second.correlationid) == (first.id, first.id)
    assert (first.causationid, second.causationid) == (None, None)
    assert (first.dependson, second.dependson) == ((), (first.id,))
    # A reaction to an event carries its conversation on and names it as its cause.
    reaction = await write_path.execute(
        REPORTS, "case-1", file("case-1", "r-1"), acting=POLICE_93, cause=second
    )
    [third] = reaction.envelopes
    assert (third.correlationid, third.causationid) == (first.id, second.id)
    assert third.dependson == (second.id,)  # the cause is also the stream's previous event
    assert isinstance(third, Envelope)
    assert third.sig is not None
    assert kit.committed[-1].follows == kit.committed[0].id
