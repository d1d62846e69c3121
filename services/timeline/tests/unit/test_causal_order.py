"""CaseTimeline: causal order, holding, release, redelivery and the case hash (DESIGN.md 5)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import reduce

from relais_timeline.domain.summary import EventSummary
from relais_timeline.domain.timeline import (
    CaseTimeline,
    apply,
    chain,
    empty_timeline,
    genesis_hash,
)

MakeEvent = Callable[..., EventSummary]


def fold(events: list[EventSummary]) -> CaseTimeline:
    return reduce(apply, events, empty_timeline("case-1"))


def ids(timeline: CaseTimeline) -> list[str]:
    return [e.event.event_id for e in timeline.entries]


def test_causes_come_first_then_time_then_id(event: MakeEvent) -> None:
    timeline = fold(
        [
            event("b", minute=5),
            event("a", minute=5),
            event("c", minute=1, depends_on=("a",)),  # a skewed clock: stamped before its cause
            event("z", minute=0),
        ]
    )
    assert ids(timeline) == ["z", "a", "c", "b"]
    assert [e.depth for e in timeline.entries] == [0, 0, 1, 0]


def test_a_long_chain_does_not_push_an_earlier_independent_event_to_the_end(
    event: MakeEvent,
) -> None:
    """Police report chain a1..a5 and, from another service, an independent event at minute 3."""
    chain_events = [
        event(f"a{i}", minute=m, depends_on=((f"a{i - 1}",) if i > 1 else ()))
        for i, m in zip(range(1, 6), (0, 1, 2, 4, 5), strict=True)
    ]
    timeline = fold([event("order", minute=3), *chain_events])
    assert ids(timeline) == ["a1", "a2", "a3", "order", "a4", "a5"]


def test_depth_is_one_more_than_the_deepest_dependency(event: MakeEvent) -> None:
    timeline = fold([event("a"), event("b", depends_on=("a",)), event("c", depends_on=("a", "b"))])
    assert {e.event.event_id: e.depth for e in timeline.entries} == {"a": 0, "b": 1, "c": 2}


def test_an_event_is_held_until_its_dependencies_arrive_then_released_transitively(
    event: MakeEvent,
) -> None:
    c = event("c", depends_on=("b",), minute=2)
    b = event("b", depends_on=("a",), minute=1)
    timeline = fold([c, b])
    assert timeline.entries == ()
    assert [p.event_id for p in timeline.pending] == ["b", "c"]
    assert timeline.case_hash == genesis_hash("case-1")

    released = apply(timeline, event("a"))
    assert ids(released) == ["a", "b", "c"]
    assert released.pending == ()


def test_redelivery_of_a_seen_event_is_a_no_op(event: MakeEvent) -> None:
    held = fold([event("b", depends_on=("a",))])
    assert apply(held, event("b", depends_on=("a",))) == held
    applied = fold([event("a"), event("b", depends_on=("a",))])
    assert apply(applied, event("a", minute=9)) == applied


def test_a_late_event_lands_in_the_middle_and_the_hash_follows_the_order(
    event: MakeEvent,
) -> None:
    late_first = fold([event("a", minute=0), event("c", minute=2), event("b", minute=1)])
    in_order = fold([event("a", minute=0), event("b", minute=1), event("c", minute=2)])
    assert ids(late_first) == ["a", "b", "c"]
    assert late_first.case_hash == in_order.case_hash


def test_the_case_hash_is_the_documented_sha256_chain(event: MakeEvent) -> None:
    timeline = fold([event("a"), event("b", minute=1)])
    h0 = hashlib.sha256(b"relais.timeline.v1:case-1").digest()
    h1 = hashlib.sha256(h0 + bytes.fromhex(event("a").event_hash)).digest()
    h2 = hashlib.sha256(h1 + bytes.fromhex(event("b").event_hash)).digest()
    assert timeline.case_hash == h2.hex() == chain("case-1", timeline.entries)


def test_the_departement_comes_from_case_opened_whatever_arrives_first(
    event: MakeEvent,
) -> None:
    opened = event("a", type_="case.opened", jurisdiction="75", data={"departement": "93"})
    report = event("b", jurisdiction="94", minute=-5)
    assert fold([report, opened]).departement == "93"
    assert fold([report]).departement == "94"
    assert fold([]).departement is None
