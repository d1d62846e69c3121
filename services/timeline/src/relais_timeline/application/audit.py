"""Replay equivalence (DESIGN.md section 5): a rebuild from offset 0 gives the live case hashes.

The live store may have read past the point where the replay stopped, so each live timeline is
first cut at the replay's end offsets (``within``): both sides then hold exactly the events the
log had up to those offsets, and their case hashes must be equal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from relais_events.catalogue.timeline import PartitionOffset

from relais_timeline.application.ports import TimelineStore
from relais_timeline.domain.timeline import genesis_hash, within


@dataclass(frozen=True)
class Mismatch:
    case_id: str
    live_hash: str
    rebuilt_hash: str


async def compare(
    live: TimelineStore,
    rebuilt: TimelineStore,
    case_ids: Iterable[str],
    replayed_up_to: Iterable[PartitionOffset],
) -> list[Mismatch]:
    """Cases whose live hash (cut at ``replayed_up_to``) differs from the rebuilt one."""
    limit = tuple(replayed_up_to)
    mismatches = []
    for case_id in sorted(set(case_ids)):
        live_timeline = await live.get(case_id)
        rebuilt_timeline = await rebuilt.get(case_id)
        live_hash = (
            within(live_timeline, limit).case_hash if live_timeline else genesis_hash(case_id)
        )
        rebuilt_hash = rebuilt_timeline.case_hash if rebuilt_timeline else genesis_hash(case_id)
        if live_hash != rebuilt_hash:
            mismatches.append(Mismatch(case_id, live_hash, rebuilt_hash))
    return mismatches
