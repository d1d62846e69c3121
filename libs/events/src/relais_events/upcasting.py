"""Upcasters: how an old version of an event's ``data`` becomes the next version.

One function per (type, from_version) turns a v(N) ``data`` dict into v(N+1). Reading a record
applies them in a chain up to the latest registered model, so consumers only ever handle the latest
model, while every old model stays registered to document (and schema-check) what old records hold.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from relais_events.catalogue.base import Registry, UnknownEventType

Upcaster = Callable[[dict[str, Any]], dict[str, Any]]


class MissingUpcaster(UnknownEventType):
    """A record is older than the latest model and no upcaster bridges the gap."""


class Upcasters:
    def __init__(self) -> None:
        self._steps: dict[tuple[str, int], Upcaster] = {}

    def register(self, type_: str, from_version: int) -> Callable[[Upcaster], Upcaster]:
        def decorate(step: Upcaster) -> Upcaster:
            if (type_, from_version) in self._steps:
                raise ValueError(f"upcaster for {type_} v{from_version} is registered twice")
            self._steps[(type_, from_version)] = step
            return step

        return decorate

    def upcast(
        self, registry: Registry, type_: str, version: int, data: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        """Bring ``data`` of ``type_`` v``version`` to the latest version registered."""
        registry.model(type_, version)  # an unknown (type, version) fails here, not midway
        latest = registry.latest_version(type_)
        while version < latest:
            try:
                step = self._steps[(type_, version)]
            except KeyError:
                raise MissingUpcaster(f"no upcaster from {type_} v{version}") from None
            data = step(data)
            version += 1
        return version, data


upcasters = Upcasters()
upcaster = upcasters.register
