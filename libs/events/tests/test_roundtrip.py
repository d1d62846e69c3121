"""Every registered event type survives new_envelope -> to_record -> from_record -> payload.

The strategy is derived from each model's fields (patterns, bounds, enums, nested models), so an
event type added to the catalogue by any context is covered without touching this file.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
from typing import Any

import annotated_types
import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st
from pydantic import AwareDatetime, BaseModel, ValidationError
from pydantic.fields import FieldInfo
from relais_events.catalogue import Event, catalogue
from relais_events.codec import from_record, to_record
from relais_events.envelope import new_envelope, payload
from relais_events.vocabulary import Actor, Role

UTC_TIMES = st.datetimes(
    min_value=dt.datetime(2000, 1, 1),  # noqa: DTZ001  (hypothesis wants naive bounds)
    max_value=dt.datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(dt.UTC),
)


def strategy_for(annotation: Any, metadata: list[Any]) -> st.SearchStrategy[Any]:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return strategy_for(args[0], [*metadata, *args[1:]])
    if origin in (typing.Union, types.UnionType):
        return st.one_of([strategy_for(a, metadata if a is not type(None) else []) for a in args])
    if annotation is type(None):
        return st.none()
    if origin is typing.Literal:
        return st.sampled_from(args)
    if origin in (list, tuple):
        min_size = _bound(metadata, "min_length", 0)
        items = st.lists(strategy_for(args[0], []), min_size=min_size, max_size=min_size + 3)
        return items if origin is list else items.map(tuple)
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return st.sampled_from(list(annotation))
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return model_values(annotation)
    if annotation is bool:
        return st.booleans()
    if annotation is int:
        low = max(_bound(metadata, "ge", -(2**53)), _bound(metadata, "gt", -(2**53) - 1) + 1)
        high = min(_bound(metadata, "le", 2**53), _bound(metadata, "lt", 2**53 + 1) - 1)
        return st.integers(low, high)
    if annotation is float:
        low, high = _bound(metadata, "ge", -1e9), _bound(metadata, "le", 1e9)
        return st.floats(low, high, allow_nan=False, allow_infinity=False)
    if annotation is str:
        pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
        if pattern is not None:
            return st.from_regex(pattern, fullmatch=True)
        low = _bound(metadata, "min_length", 0)
        return st.text(min_size=low, max_size=max(low, _bound(metadata, "max_length", 30)))
    if annotation in (dt.datetime, AwareDatetime):
        return UTC_TIMES
    if annotation is dt.date:
        return st.dates(dt.date(2000, 1, 1), dt.date(2100, 1, 1))
    return st.from_type(annotation)


def _bound(metadata: list[Any], name: str, default: Any) -> Any:
    for item in metadata:
        if isinstance(item, annotated_types.GroupedMetadata):
            found = _bound(list(item), name, None)
            if found is not None:
                return found
        value = getattr(item, name, None)
        if value is not None:
            return value
    return default


def field_strategy(field: FieldInfo) -> st.SearchStrategy[Any]:
    return strategy_for(field.annotation, list(field.metadata))


def model_values(model: type[BaseModel]) -> st.SearchStrategy[Any]:
    fields = {name: field_strategy(field) for name, field in model.model_fields.items()}
    return st.fixed_dictionaries(fields).map(model.model_validate)


@st.composite
def events_of(draw: st.DrawFn, model: type[Event]) -> Event:
    values = draw(
        st.fixed_dictionaries(
            {name: field_strategy(field) for name, field in model.model_fields.items()}
        )
    )
    try:
        return model.model_validate(values)
    except ValidationError:  # a cross-field rule (e.g. an order's dates): try another draw
        reject()


@pytest.mark.parametrize("model", catalogue.models(), ids=lambda m: f"{m.TYPE}.v{m.VERSION}")
@settings(max_examples=25, deadline=None)
@given(data=st.data(), now=UTC_TIMES)
def test_every_event_type_round_trips(
    model: type[Event], data: st.DataObject, now: dt.datetime
) -> None:
    event = data.draw(events_of(model))
    envelope = new_envelope(
        event,
        source="timeline",
        subject="case-1",
        aggregate_id="agg-1",
        aggregate_version=1,
        actor=Actor(role=Role.SYSTEM, org="relais"),
        jurisdiction="971",
        now=now,
    )
    record = to_record(envelope)
    assert record.topic == model.TOPIC
    decoded = from_record(record.value, record.headers)
    assert decoded == envelope
    read = payload(decoded)
    if catalogue.latest_version(model.TYPE) == model.VERSION:
        assert read == event
    else:  # an old version comes out upcast to the latest model
        assert type(read) is catalogue.model(model.TYPE, catalogue.latest_version(model.TYPE))


def test_the_catalogue_has_every_agreed_name() -> None:
    types_ = {m.TYPE for m in catalogue.models()}
    assert {"report.filed", "shelter.allocated", "referral.accepted", "access.logged"} <= types_
