"""The AsyncAPI document is current, parses, and names every registered event."""

from __future__ import annotations

import yaml
from relais_events import topics
from relais_events.asyncapi import DOCUMENT, message_name, render
from relais_events.catalogue import catalogue


def test_the_committed_document_is_current() -> None:
    stale = "docs/asyncapi.yaml is stale: run `uv run python -m relais_events.asyncapi`"
    assert DOCUMENT.is_file(), stale
    assert DOCUMENT.read_text(encoding="utf-8") == render(), stale


def test_it_documents_every_topic_and_event() -> None:
    document = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    assert document["asyncapi"] == "3.0.0"
    addresses = {c["address"] for c in document["channels"].values()}
    assert set(topics.CONTEXT_TOPICS) <= addresses
    messages = document["components"]["messages"]
    schemas = document["components"]["schemas"]
    for model in catalogue.models():
        name = message_name(model)
        assert messages[name]["name"] == model.TYPE
        assert name in schemas
        channel = next(c for c in document["channels"].values() if c["address"] == model.TOPIC)
        assert name in channel["messages"]


def test_every_local_reference_resolves() -> None:
    document = yaml.safe_load(render())

    def refs(node: object) -> list[str]:
        if isinstance(node, dict):
            own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
            return own + [r for v in node.values() for r in refs(v)]
        if isinstance(node, list):
            return [r for v in node for r in refs(v)]
        return []

    for ref in refs(document):
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
