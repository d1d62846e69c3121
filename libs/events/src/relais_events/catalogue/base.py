"""The base of every event payload and the registry that knows them all.

An event type is one frozen pydantic model with a ``TYPE`` (the CloudEvents ``type``), a
``VERSION`` (an integer, bumped on any breaking change) and the ``TOPIC`` of its owning context.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """What partners may see of a fact. Personal data never goes here (see ``pii``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    TYPE: ClassVar[str]
    VERSION: ClassVar[int] = 1
    TOPIC: ClassVar[str]

    # What a reader in another context learns from the event beyond its fields, declared here,
    # next to them, so that no read model hard-codes another context's types as strings (the
    # committee's case list reads these; a change here is a change there, caught by its tests).
    OPENS: ClassVar[Mapping[str, str]] = {}  # deadline name -> the field holding its due instant
    CLOSES: ClassVar[frozenset[str]] = frozenset()  # deadline names it meets, ends or reports
    ENDS_CASE: ClassVar[bool] = False  # the case is closed or erased from this event on
    RISK_LEVEL: ClassVar[str | None] = None  # the field holding the risk level it sets


E = TypeVar("E", bound=type[Event])


class UnknownEventType(LookupError):  # noqa: N818  (name the project agreed on)
    """No model is registered for this (type, version)."""


class Registry:
    """Every event model by (type, version). One instance, ``catalogue``, serves the project."""

    def __init__(self) -> None:
        self._models: dict[tuple[str, int], type[Event]] = {}

    def register(self, model: E) -> E:
        key = (model.TYPE, model.VERSION)
        if key in self._models and self._models[key] is not model:
            raise ValueError(f"event {key[0]} v{key[1]} is registered twice")
        self._models[key] = model
        return model

    def model(self, type_: str, version: int) -> type[Event]:
        try:
            return self._models[(type_, version)]
        except KeyError:
            raise UnknownEventType(f"no event model for {type_} v{version}") from None

    def latest_version(self, type_: str) -> int:
        versions = [v for (t, v) in self._models if t == type_]
        if not versions:
            raise UnknownEventType(f"no event model for {type_}")
        return max(versions)

    def models(self) -> list[type[Event]]:
        return sorted(self._models.values(), key=lambda m: (m.TOPIC, m.TYPE, m.VERSION))


catalogue = Registry()
register = catalogue.register
