"""Kafka records: what the relay writes and consumers read; poison records get a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import orjson
import pytest
from relais_events import topics
from relais_events.canonical import canonical_json
from relais_events.codec import UndecodableRecord, from_record, to_record
from relais_events.envelope import Envelope

EnvelopeFactory = Callable[..., list[Envelope]]
TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"


def test_a_record_is_keyed_by_case_on_its_context_topic(make_envelopes: EnvelopeFactory) -> None:
    envelope = make_envelopes("case-7")[1].model_copy(update={"traceparent": TRACE})
    record = to_record(envelope)
    assert record.topic == topics.INTAKE
    assert record.key == b"case-7"
    headers = dict(record.headers)
    assert headers["ce_type"] == b"report.filed"
    assert headers["ce_id"] == envelope.id.encode()
    assert headers["traceparent"] == TRACE.encode()
    assert headers["content-type"] == b"application/cloudevents+json"
    assert record.value == canonical_json(envelope.model_dump(mode="json"))
    assert from_record(record.value, record.headers) == envelope


def test_no_traceparent_header_when_unset(make_envelopes: EnvelopeFactory) -> None:
    assert "traceparent" not in dict(to_record(make_envelopes("c")[0]).headers)


def document(make_envelopes: EnvelopeFactory) -> dict[str, object]:
    return dict(make_envelopes("case-7")[0].model_dump(mode="json"))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.pop("subject"), "bad_envelope"),
        (lambda d: d.update(type="case.teleported"), "unknown_type"),
        (lambda d: d.update(schemaversion=9), "unknown_type"),
        (lambda d: d.update(data={"case_id": "c"}), "bad_data"),
        (lambda d: d.update(time="yesterday"), "bad_envelope"),
        (lambda d: d.update(jurisdiction="20"), "bad_envelope"),
    ],
)
def test_a_record_that_cannot_be_used_is_undecodable(
    make_envelopes: EnvelopeFactory, change: Callable[[dict[str, object]], object], reason: str
) -> None:
    broken = document(make_envelopes)
    change(broken)
    with pytest.raises(UndecodableRecord) as caught:
        from_record(orjson.dumps(broken))
    assert caught.value.reason == reason


@pytest.mark.parametrize("value", [b"{not json", b"[1, 2]", b"", "é".encode("latin-1")])
def test_bytes_that_are_not_an_envelope_are_undecodable(value: bytes) -> None:
    with pytest.raises(UndecodableRecord):
        from_record(value)


def test_headers_that_contradict_the_value_are_undecodable(
    make_envelopes: EnvelopeFactory,
) -> None:
    record = to_record(make_envelopes("case-7")[0])
    with pytest.raises(UndecodableRecord) as caught:
        from_record(record.value, [("ce_id", b"someone-else")])
    assert caught.value.reason == "header_mismatch"


def test_a_naive_clock_is_refused(make_envelopes: EnvelopeFactory) -> None:
    with pytest.raises(ValueError, match="timezone"):
        make_envelopes("c", start=dt.datetime(2026, 3, 2, 9, 30))  # noqa: DTZ001
