"""Tracing set-up: one TracerProvider per process, exporting where the settings say.

`relais_kit.tracing` carries the context across Kafka; this module decides where spans go.
"""

from __future__ import annotations

import importlib
import logging

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
)
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from relais_kit.settings import ServiceSettings

log = logging.getLogger(__name__)
# The OTLP exporter is an optional package: the kit does not ship it (settings.otel_exporter).
_OTLP_MODULE = "opentelemetry.exporter.otlp.proto.http.trace_exporter"


def build_tracer_provider(
    settings: ServiceSettings, exporter: SpanExporter | None = None
) -> TracerProvider:
    """A provider for `settings.service_name`; `exporter` overrides the configured one."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": f"relais-{settings.service_name}"})
    )
    if exporter is not None:
        # Synchronous export: a test sees its spans as soon as they end, without waiting.
        provider.add_span_processor(SimpleSpanProcessor(exporter))
    elif settings.otel_exporter == "console":
        provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter()))
    elif settings.otel_exporter == "otlp":
        provider.add_span_processor(BatchSpanProcessor(_otlp(settings.otel_endpoint or "")))
    return provider


def in_memory_tracer_provider(
    settings: ServiceSettings,
) -> tuple[TracerProvider, InMemorySpanExporter]:
    """For tests: a provider whose finished spans can be read back from the exporter."""
    exporter = InMemorySpanExporter()
    return build_tracer_provider(settings, exporter), exporter


def configure_tracing(settings: ServiceSettings) -> TracerProvider:
    """Install the process-wide provider once (OpenTelemetry refuses to replace it)."""
    current = trace.get_tracer_provider()
    if isinstance(current, TracerProvider):
        return current
    provider = build_tracer_provider(settings)
    trace.set_tracer_provider(provider)
    return provider


def _otlp(endpoint: str) -> SpanExporter:
    try:
        module = importlib.import_module(_OTLP_MODULE)
    except ImportError as exc:
        raise RuntimeError(
            "otel_exporter=otlp needs opentelemetry-exporter-otlp-proto-http installed"
        ) from exc
    exporter: SpanExporter = module.OTLPSpanExporter(endpoint=endpoint)
    return exporter
