"""OpenTelemetry context across Kafka: put in record headers on publish, read back on consume.

One trace runs from the HTTP request through the outbox relay to every consumer, because the
commit stores the request's `traceparent` and the relay publishes it in the record's headers.
"""

from __future__ import annotations

from collections.abc import Sequence

from opentelemetry import propagate, trace
from opentelemetry.context import Context

tracer = trace.get_tracer("relais")


def inject(
    headers: Sequence[tuple[str, bytes]] = (), context: Context | None = None
) -> list[tuple[str, bytes]]:
    """`headers` plus the W3C trace headers of `context` (default: the current one)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=context)
    kept = [(k, v) for k, v in headers if k not in carrier]
    return kept + [(k, v.encode()) for k, v in carrier.items()]


def extract(headers: Sequence[tuple[str, bytes]] | None) -> Context:
    """The trace context carried by a record's headers (an empty context when there is none)."""
    carrier = {k: v.decode("latin-1") for k, v in headers or ()}
    return propagate.extract(carrier)


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, to store in an event envelope."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def context_of(traceparent: str | None) -> Context:
    """The trace context named by a stored `traceparent`."""
    return propagate.extract({"traceparent": traceparent} if traceparent else {})
