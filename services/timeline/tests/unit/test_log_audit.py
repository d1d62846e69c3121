"""The record-by-record checks of ``relais-audit verify``, on records held in memory.

Each test breaks one thing and expects exactly the matching problem, at the right offset and
event id; the real-Kafka tamper tests (``integration/test_audit_tamper.py``) do the same on a
copied log."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st
from relais_events.codec import from_record, to_record
from relais_events.envelope import Envelope
from relais_events.integrity import Signer, ViolationKind
from relais_events.keyregistry import KeyRegistry, new_key_pair
from relais_events.seal_checks import check_signature
from relais_timeline.domain.log_audit import (
    FirstSeen,
    LogKind,
    PartitionAudit,
    Problem,
    split_aggregates,
)
from relais_timeline.testing_log import Keys, case_log

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
KEYS = Keys.generate()


@dataclass(frozen=True)
class Rec:
    offset: int
    timestamp: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


def log(cases: int = 2) -> list[Rec]:
    found: list[Rec] = []
    for n in range(cases):
        for envelope in case_log(KEYS.signers, f"case-{n}", START + dt.timedelta(days=n)):
            record = to_record(envelope)
            stamp = int((envelope.time + dt.timedelta(seconds=1)).timestamp() * 1000)
            found.append(Rec(len(found), stamp, record.key, record.value, record.headers))
    return found


def renumbered(records: list[Rec]) -> list[Rec]:
    """The records as a copy of the log would hold them: offsets 0, 1, 2, ..."""
    return [replace(r, offset=n) for n, r in enumerate(records)]


def audit(records: list[Rec], registry: KeyRegistry = KEYS.registry) -> list[Problem]:
    keys = {(s, e.key_id): e for s, entries in registry.root.items() for e in entries}
    partition = PartitionAudit("topic", 0, keys, check_signature)
    for record in records:
        partition.feed(record)
    return partition.finish(records[-1].offset + 1 if records else 0)


def kinds(problems: list[Problem]) -> set[tuple[object, int]]:
    return {(p.kind, p.offset) for p in problems}


def event_id(record: Rec) -> str:
    return str(orjson.loads(record.value or b"")["id"])


def test_an_intact_log_has_no_problem() -> None:
    assert audit(log()) == []


def test_a_flipped_byte_is_a_hash_mismatch_at_its_record() -> None:
    records = log()
    value = records[2].value or b""
    at = value.index(b'"pn-75"') + 2
    records[2] = replace(records[2], value=value[:at] + bytes([value[at] ^ 1]) + value[at + 1 :])
    problems = audit(records)
    assert kinds(problems) == {(ViolationKind.HASH_MISMATCH, 2)}
    assert problems[0].event_id == event_id(records[2])


def test_a_dropped_record_is_a_gap_where_its_successor_stands() -> None:
    records = log()
    dropped = records.pop(2)  # the case's second report: version 3 of its stream
    problems = audit(renumbered(records))
    assert kinds(problems) == {(ViolationKind.VERSION_GAP, 2), (ViolationKind.BROKEN_LINK, 2)}
    gap = next(p for p in problems if p.kind is ViolationKind.VERSION_GAP)
    assert "expected version 3" in gap.detail
    assert orjson.loads(dropped.value or b"")["aggregateversion"] == 3


def test_swapped_records_are_out_of_order_at_the_pair_only() -> None:
    records = log()
    records[1], records[2] = records[2], records[1]
    assert kinds(audit(renumbered(records))) == {
        (ViolationKind.VERSION_GAP, 1),
        (ViolationKind.BROKEN_LINK, 1),
        (ViolationKind.OUT_OF_ORDER, 2),
        (ViolationKind.BROKEN_LINK, 2),
    }


def test_an_identical_republication_is_a_notice_and_a_conflicting_duplicate_fails() -> None:
    records = log()
    again = renumbered([*records, records[1]])
    problems = audit(again)
    assert kinds(problems) == {(LogKind.REPUBLISHED, len(records))}
    assert not any(p.fails for p in problems)
    original = _envelope(records[1])
    other = original.model_copy(update={"data": {**original.data, "children_present": 9}})
    forged = _resealed(records[1], KEYS.signers["intake"], other)  # the service's own key
    conflicting = renumbered([*records, forged])
    found = audit(conflicting)
    assert (LogKind.CONFLICTING_DUPLICATE, len(records)) in kinds(found)
    assert any(p.fails for p in found)


def test_keys_unknown_revoked_and_out_of_their_window_are_named() -> None:
    records = log(1)
    rogue_private, _ = new_key_pair("intake-rogue", valid_from=START)
    rogue = Signer("intake", "intake-rogue", rogue_private)
    leaked_private, leaked = new_key_pair("intake-leaked", valid_from=START)
    registry = KEYS.registry.with_key("intake", leaked).revoked(
        "intake", "intake-leaked", START - dt.timedelta(days=1)
    )
    first = _envelope(records[0])
    records[0] = _resealed(records[0], rogue, first)
    assert (ViolationKind.UNKNOWN_KEY, 0) in kinds(audit(records, registry))
    records[0] = _resealed(records[0], Signer("intake", "intake-leaked", leaked_private), first)
    assert (ViolationKind.KEY_REVOKED, 0) in kinds(audit(records, registry))
    closed = KEYS.registry.revoked("intake", KEYS.signers["intake"].key_id, START)
    assert {p.kind for p in audit(log(1), closed)} == {ViolationKind.KEY_REVOKED}


def test_offset_gaps_and_a_log_that_no_longer_starts_at_zero_are_named() -> None:
    records = log(1)
    keys = {(s, e.key_id): e for s, entries in KEYS.registry.root.items() for e in entries}
    partition = PartitionAudit("topic", 0, keys, check_signature, start_offset=3)
    for record in records[3:5] + records[6:]:
        partition.feed(record)
    gaps = [p for p in partition.finish(len(records) + 2) if p.kind is LogKind.OFFSET_GAP]
    assert [p.offset for p in gaps] == [0, 6, len(records)]


def test_undecodable_records_and_wrong_keys_or_headers_are_named() -> None:
    records = log(1)
    records[1] = replace(records[1], value=b"not json")
    records[2] = replace(records[2], key=b"another-case")
    records[3] = replace(records[3], headers=[("ce_id", b"someone-else")])
    assert kinds(audit(records)) == {
        (LogKind.UNDECODABLE, 1),
        (LogKind.RECORD_MISMATCH, 2),
        (LogKind.RECORD_MISMATCH, 3),
        (ViolationKind.VERSION_GAP, 2),  # version 2 never decoded
        (ViolationKind.BROKEN_LINK, 2),
    }


def test_an_aggregate_met_in_two_partitions_is_split() -> None:
    seen = {"case-1": FirstSeen(4, "e-4")}
    found = split_aggregates([("a", 0, seen), ("a", 1, {"case-1": FirstSeen(9, "e-9")})])
    assert [(p.kind, p.partition, p.offset, p.event_id) for p in found] == [
        (LogKind.SPLIT_AGGREGATE, 1, 9, "e-9")
    ]
    assert split_aggregates([("a", 0, seen), ("b", 0, {"other": FirstSeen(0, "x")})]) == []


RECORDS = log(1)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_any_flipped_byte_of_a_value_fails_at_its_record(data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(RECORDS) - 1))
    value = RECORDS[index].value or b""
    at = data.draw(st.integers(0, len(value) - 1))
    mask = data.draw(st.integers(1, 255))
    tampered = list(RECORDS)
    tampered[index] = replace(
        tampered[index], value=value[:at] + bytes([value[at] ^ mask]) + value[at + 1 :]
    )
    assert any(p.fails and p.offset == index for p in audit(tampered))


def _envelope(record: Rec) -> Envelope:
    return from_record(record.value or b"", record.headers)


def _resealed(record: Rec, signer: Signer, envelope: Envelope) -> Rec:
    """``envelope`` signed by ``signer`` in ``record``'s place, linked where it was."""
    sealed = signer.seal(envelope, envelope.prevhash)
    return replace(record, value=to_record(sealed).value)


def test_an_empty_partition_has_no_problem() -> None:
    assert audit([]) == []
