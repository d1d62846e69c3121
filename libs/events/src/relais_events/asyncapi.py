"""The AsyncAPI 3.0 document of every topic and event, generated from the catalogue.

``python -m relais_events.asyncapi`` writes ``docs/asyncapi.yaml``; ``--check`` fails when it is
stale. PyYAML is needed only to run this tool (a dev dependency), so it is imported there.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from relais_events import topics
from relais_events.catalogue import Event, catalogue
from relais_events.envelope import Envelope

DOCUMENT = Path(__file__).parents[4] / "docs" / "asyncapi.yaml"  # the repository's docs/
_TOPIC_NAMES = {
    topics.INTAKE: "intake",
    topics.PROTECTION_ORDERS: "protectionOrders",
    topics.SHELTER: "shelter",
    topics.REFERRALS: "referrals",
    topics.TIMELINE: "timeline",
}


def message_name(model: type[Event]) -> str:
    return f"{model.TYPE}.v{model.VERSION}"


def build() -> dict[str, Any]:
    envelope = _component("Envelope", Envelope.model_json_schema)
    envelope["properties"]["data"] = {"type": "object"}
    schemas: dict[str, Any] = {"Envelope": envelope}
    messages: dict[str, Any] = {}
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    for topic, channel in _TOPIC_NAMES.items():
        models = [m for m in catalogue.models() if topic == m.TOPIC]
        for model in models:
            name = message_name(model)
            schemas[name] = _component(name, model.model_json_schema)
            messages[name] = _message(model)
        channels[channel] = {
            "address": topic,
            "description": f"Events of the {channel} context, keyed by case id.",
            "messages": {
                message_name(m): {"$ref": f"#/components/messages/{message_name(m)}"}
                for m in models
            },
            "bindings": {"kafka": {"bindingVersion": "0.5.0"}},
        }
        operations[f"publish_{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [
                {"$ref": f"#/channels/{channel}/messages/{message_name(m)}"} for m in models
            ],
        }
    channels["deadLetter"] = {
        "address": topics.DEADLETTER,
        "description": "Records no consumer could use, with the reason (UndecodableRecord.reason)"
        " and the original record; the format is the kit consumer's. Nothing is dropped silently.",
        "messages": {"deadLetter": {"$ref": "#/components/messages/deadLetter"}},
    }
    messages["deadLetter"] = {
        "name": "deadletter",
        "contentType": "application/json",
        "payload": {"type": "object", "description": "original record and failure reason"},
    }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Relais events",
            "version": "1.0.0",
            "description": "Every Relais event: CloudEvents 1.0 structured mode on Kafka. "
            "Personal data only in the sealed `pii` member (AES-GCM per case).",
        },
        "defaultContentType": "application/cloudevents+json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }


def _message(model: type[Event]) -> dict[str, Any]:
    return {
        "name": model.TYPE,
        "title": f"{model.TYPE} v{model.VERSION}",
        "summary": (model.__doc__ or model.TYPE).strip().splitlines()[0],
        "contentType": "application/cloudevents+json",
        "headers": {
            "type": "object",
            "properties": {
                "ce_type": {"type": "string", "const": model.TYPE},
                "ce_id": {"type": "string", "description": "the envelope id (UUIDv7)"},
                "ce_specversion": {"type": "string", "const": "1.0"},
                "traceparent": {"type": "string", "description": "W3C trace context"},
            },
            "required": ["ce_type", "ce_id"],
        },
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/Envelope"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": model.TYPE},
                        "schemaversion": {"const": model.VERSION},
                        "data": {"$ref": f"#/components/schemas/{message_name(model)}"},
                    },
                },
            ]
        },
        "bindings": {
            "kafka": {
                "key": {"type": "string", "description": "the case id (envelope subject)"},
                "bindingVersion": "0.5.0",
            }
        },
    }


def _component(name: str, schema_of: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    # Nested models stay in their component's own $defs (two contexts may both have a
    # "WithdrawalReason"); references point there with a JSON pointer.
    return schema_of(ref_template=f"#/components/schemas/{name}/$defs/{{model}}")


def render() -> str:
    import yaml

    return yaml.safe_dump(build(), sort_keys=True, allow_unicode=True, width=100)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relais_events.asyncapi")
    parser.add_argument("--check", action="store_true", help="fail if the document is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if not DOCUMENT.is_file() or DOCUMENT.read_text(encoding="utf-8") != text:
            print(f"{DOCUMENT} is stale (run: uv run python -m relais_events.asyncapi)")
            return 1
        return 0
    DOCUMENT.parent.mkdir(parents=True, exist_ok=True)
    DOCUMENT.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
