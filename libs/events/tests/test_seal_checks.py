"""The record-level path of the checks (``sealed_document``) sees exactly what the envelope path
sees, so the auditor's fast ``verify`` and ``verify_stream`` cannot disagree."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st
from relais_events.codec import to_record
from relais_events.envelope import Envelope
from relais_events.integrity import Signer, envelope_hash
from relais_events.seal_checks import document_hash, sealed_document, sealed_envelope

from .conftest import StreamFactory, case_events, unsealed

texts = st.text(st.characters(codec="utf-8"), max_size=20)
values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)  # what orjson writes: no event holds more
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=10,
)


@given(data=st.dictionaries(texts, values, max_size=5))
def test_the_document_hash_of_a_record_is_its_envelope_hash(
    data: dict[str, object], signer: Signer
) -> None:
    envelope = unsealed("case-1", case_events("case-1"))[0].model_copy(update={"data": data})
    sealed = signer.seal(envelope, None)
    document = orjson.loads(to_record(sealed).value)
    assert document_hash(document) == envelope_hash(sealed) == sealed.hash


def test_a_record_reads_as_its_envelope(sealed_stream: StreamFactory) -> None:
    for envelope in sealed_stream("case-1"):
        document = orjson.loads(to_record(envelope).value)
        assert sealed_document(document) == sealed_envelope(envelope)


@pytest.mark.parametrize(
    ("member", "value"),
    [
        ("aggregateversion", "2"),
        ("aggregateversion", True),
        ("time", "2026-03-02T09:30:00"),  # no offset
        ("time", "yesterday"),
        ("id", 7),
        ("sig", ["not", "text"]),
        ("source", None),
    ],
)
def test_a_record_missing_what_the_checks_need_is_refused(
    sealed_stream: StreamFactory, member: str, value: object
) -> None:
    envelope: Envelope = sealed_stream("case-1")[0]
    document = orjson.loads(to_record(envelope).value) | {member: value}
    with pytest.raises((KeyError, TypeError, ValueError)):
        sealed_document(document)
    del document[member]
    if member not in ("sig",):
        with pytest.raises((KeyError, TypeError, ValueError)):
            sealed_document(document)
