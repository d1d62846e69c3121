"""``relais-audit replay --case ID --as-of TIME``: the case as the log knew it then.

Built the way the live timeline is, with no second implementation: every context record whose
key is the case id is decoded by the same ``from_record`` the worker uses (an undecodable one is
skipped, as the worker dead-letters it), projected by the same ``TimelineProjection`` (in memory)
with the record's log timestamp and origin, then cut by the domain's ``as_of`` and shaped by
``visible_entries``: the answer is the timeline api's ``?as_of=`` answer, entries and case hash.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence

from relais_events.codec import UndecodableRecord, from_record

from relais_timeline.adapters.memory import MemoryCommitteeCaseList, MemoryTimelineStore
from relais_timeline.application.projection import TimelineProjection
from relais_timeline.application.reads import TimelineView
from relais_timeline.domain.summary import Origin
from relais_timeline.domain.timeline import as_of
from relais_timeline.domain.visibility import View, visible_entries
from relais_timeline.entrypoints.audit_kafka import read_all
from relais_timeline.entrypoints.records import logged_at
from relais_timeline.entrypoints.schemas import TimelineOut


async def replay_case(
    bootstrap: str,
    topics: Sequence[str],
    case_id: str,
    instant: dt.datetime | None,
    view: View = View.STRUCTURE,
) -> TimelineOut | None:
    """The case's timeline as of ``instant`` (None: everything in the log now); None when the
    log holds no case of that id."""
    timelines = MemoryTimelineStore()
    projection = TimelineProjection(timelines, MemoryCommitteeCaseList())
    key = case_id.encode()
    # Read in a thread: kafka-python blocks, and the caller's loop may serve others meanwhile.
    found = await asyncio.to_thread(
        lambda: list(read_all(bootstrap, topics, lambda r: r.key == key))
    )
    for span, record in found:
        try:
            envelope = from_record(record.value, record.headers)
        except UndecodableRecord:
            continue
        origin = Origin(topic=span.topic, partition=span.partition, offset=record.offset)
        await projection.project(envelope, logged_at(record.timestamp), origin)
    timeline = await timelines.get(case_id)
    if timeline is None or not timeline.is_case:
        return None
    shown = timeline if instant is None else as_of(timeline, instant)
    return TimelineOut.of(
        TimelineView(
            case_id=case_id,
            departement=timeline.departement,
            view=view,
            entries=visible_entries(shown, view),
            watermark=shown.watermark,
            case_hash=shown.case_hash,
            as_of=instant,
        )
    )
