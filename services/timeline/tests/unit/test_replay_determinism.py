"""Property: any permutation and duplication of a causally valid set of events gives the same
entries and the same case hash (DESIGN.md 5: every replica and every replay agree)."""

from __future__ import annotations

import datetime as dt
import hashlib
from functools import reduce

from hypothesis import given, settings
from hypothesis import strategies as st
from relais_timeline.domain.summary import EventSummary, Origin
from relais_timeline.domain.timeline import (
    CaseTimeline,
    _causal_order,
    apply,
    apply_all,
    chain,
    empty_timeline,
)

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@st.composite
def causal_histories(draw: st.DrawFn) -> list[EventSummary]:
    """A DAG: each event may depend on any earlier ones; times collide on purpose (few values)."""
    count = draw(st.integers(min_value=1, max_value=12))
    events: list[EventSummary] = []
    for index in range(count):
        earlier = [e.event_id for e in events]
        depends = draw(st.lists(st.sampled_from(earlier), unique=True)) if earlier else []
        minute = draw(st.integers(min_value=0, max_value=3))
        event_id = f"e{draw(st.integers(0, 10_000))}-{index}"
        events.append(
            EventSummary(
                event_id=event_id,
                type="report.filed",
                time=T0 + dt.timedelta(minutes=minute),
                source="intake",
                actor_role="police",
                actor_org="pn-75",
                jurisdiction="75",
                depends_on=tuple(depends),
                event_hash=hashlib.sha256(event_id.encode()).hexdigest(),
                data={},
                logged_at=T0 + dt.timedelta(minutes=draw(st.integers(0, 10))),
                origin=Origin(topic="relais.intake.v1", partition=0, offset=index),
            )
        )
    return events


def fold(events: list[EventSummary]) -> CaseTimeline:
    return reduce(apply, events, empty_timeline("case-1"))


@settings(max_examples=200, deadline=None)
@given(data=st.data(), history=causal_histories())
def test_any_arrival_order_with_duplicates_gives_the_same_timeline(
    data: st.DataObject, history: list[EventSummary]
) -> None:
    duplicated = history + data.draw(st.lists(st.sampled_from(history), max_size=6))
    arrival = data.draw(st.permutations(duplicated))

    reference = fold(history)
    replica = fold(arrival)

    assert replica.entries == reference.entries
    assert replica.case_hash == reference.case_hash
    assert replica == reference  # pending, watermark and département too
    assert replica.pending == ()
    assert len(replica.entries) == len(history)
    for entry in replica.entries:  # causes always come first
        position = {e.event.event_id: i for i, e in enumerate(replica.entries)}
        assert all(position[d] < position[entry.event.event_id] for d in entry.event.depends_on)


@settings(max_examples=100, deadline=None)
@given(data=st.data(), history=causal_histories())
def test_a_missing_cause_holds_the_same_events_in_every_order(
    data: st.DataObject, history: list[EventSummary]
) -> None:
    missing = data.draw(st.sampled_from(history))
    partial = [e for e in history if e is not missing]
    one, other = fold(partial), fold(data.draw(st.permutations(partial)))
    assert one == other
    assert all(missing.event_id not in e.event.depends_on for e in one.entries)


@settings(max_examples=200, deadline=None)
@given(data=st.data(), history=causal_histories())
def test_applying_in_batches_equals_sorting_and_hashing_everything_again(
    data: st.DataObject, history: list[EventSummary]
) -> None:
    """The incremental path (append and extend the hash) gives exactly what a full re-sort and
    re-hash of every entry gives, whatever the batches and their order."""
    arrival = data.draw(st.permutations(history))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(arrival)), max_size=4)))
    timeline = empty_timeline("case-1")
    for start, end in zip([0, *cuts], [*cuts, len(arrival)], strict=True):
        timeline = apply_all(timeline, arrival[start:end])
    assert timeline.entries == _causal_order(timeline.entries)
    assert timeline.case_hash == chain("case-1", timeline.entries)
    assert timeline == fold(history)
