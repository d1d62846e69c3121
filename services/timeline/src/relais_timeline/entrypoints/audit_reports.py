"""``relais-audit who-knew`` and ``relais-audit export``: reports read from the log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence

import orjson
from relais_events.catalogue.timeline import AccessLogged
from relais_events.codec import UndecodableRecord, from_record

from relais_timeline.domain.access_report import CaseRead, case_read
from relais_timeline.domain.auditor_export import exported_event
from relais_timeline.entrypoints.audit_kafka import read_all
from relais_timeline.entrypoints.records import logged_at

_ACCESS_TYPE = f'"type":"{AccessLogged.TYPE}"'.encode()


def who_knew(
    bootstrap: str,
    timeline_topic: str,
    case_id: str,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
) -> list[CaseRead]:
    """Every read that showed ``case_id`` in [since, until), in time order."""
    wanted = case_id.encode()

    def maybe(record: object) -> bool:  # a byte search first: most records are not about it
        value = getattr(record, "value", None) or b""
        return wanted in value and _ACCESS_TYPE in value

    reads = []
    for _, record in read_all(bootstrap, [timeline_topic], keep=maybe):
        try:
            envelope = from_record(record.value, record.headers)
        except UndecodableRecord:
            continue  # verify reports it; it records no read
        found = case_read(envelope, case_id, since, until)
        if found is not None:
            reads.append(found)
    return sorted(reads, key=lambda r: (r.time, r.event_id))


def exported(
    bootstrap: str, topics: Sequence[str], key: bytes, namespace: str = ""
) -> Iterator[bytes]:
    """One JSON line per record of ``topics`` (see ``domain.auditor_export``). A record that is
    not a valid event is exported as its place only, never its bytes (they could be anything):
    ``verify`` names what is wrong with it."""
    for span, record in read_all(bootstrap, topics):
        place = {
            "topic": span.topic.removeprefix(namespace),
            "partition": span.partition,
            "offset": record.offset,
            "logged_at": logged_at(record.timestamp).isoformat(),
        }
        try:
            envelope = from_record(record.value, record.headers)
        except UndecodableRecord:
            place["undecodable"] = True
        else:
            place["event"] = exported_event(envelope.model_dump(mode="json"), key)
        yield orjson.dumps(place, option=orjson.OPT_SORT_KEYS)
