"""JSON Schema of every event type and version, committed under ``libs/events/schemas/``.

``python -m relais_events.schemas`` writes them; ``--check`` fails when they are stale. The
committed files are the contract: ``compatibility_problems`` says whether the current model of a
type and version still reads what the committed schema allowed (a field removed or retyped, or a
new required field, needs a version bump and an upcaster; a new optional field does not).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from relais_events.catalogue import Event, catalogue

SCHEMA_DIR = Path(__file__).parents[2] / "schemas"  # libs/events/schemas (a source checkout)
_ANNOTATIONS = frozenset({"title", "description", "default", "examples"})


def schema_filename(type_: str, version: int) -> str:
    return f"{type_}.v{version}.json"


def model_schema(model: type[Event]) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema["$id"] = f"urn:relais:schema:{model.TYPE}:{model.VERSION}"
    schema["x-relais-topic"] = model.TOPIC
    return schema


def render(schema: dict[str, Any]) -> str:
    """Stable text: sorted keys, two-space indent, a final newline."""
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def expected_files() -> dict[str, str]:
    return {schema_filename(m.TYPE, m.VERSION): render(model_schema(m)) for m in catalogue.models()}


def write(directory: Path = SCHEMA_DIR) -> list[str]:
    """Write every schema; returns the names written. Never deletes a committed schema."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in expected_files().items():
        (directory / name).write_text(text, encoding="utf-8")
    return sorted(expected_files())


def stale(directory: Path = SCHEMA_DIR) -> list[str]:
    """Names of the schema files missing or different from what the catalogue gives."""
    return [
        name
        for name, text in sorted(expected_files().items())
        if not (directory / name).is_file()
        or (directory / name).read_text(encoding="utf-8") != text
    ]


def compatibility_problems(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Why a model with schema ``new`` cannot read every document valid under ``old``."""
    return _compare(_resolve(old, old), _resolve(new, new), "")


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    # Inline local $refs and drop annotations, so two schemas compare by what they accept.
    if isinstance(node, dict):
        if "$ref" in node:
            target: Any = root
            for part in node["$ref"].removeprefix("#/").split("/"):
                target = target[part]
            return _resolve(target, root)
        return {k: _resolve(v, root) for k, v in node.items() if k not in _ANNOTATIONS | {"$defs"}}
    if isinstance(node, list):
        return [_resolve(item, root) for item in node]
    return node


def _compare(old: Any, new: Any, path: str) -> list[str]:
    if old == new:
        return []
    if not (isinstance(old, dict) and isinstance(new, dict)):
        return [f"{path or '/'}: {old!r} became {new!r}"]
    problems: list[str] = []
    if "enum" in old and "enum" in new:
        lost = [v for v in old["enum"] if v not in new["enum"]]
        problems += [f"{path}: value {v!r} removed" for v in lost]
    for key in sorted(set(old) | set(new)):
        if key in {"enum", "required"}:
            continue
        here = f"{path}/{key}"
        if key == "properties":
            for field, spec in sorted(old.get("properties", {}).items()):
                if field not in new.get("properties", {}):
                    problems.append(f"{here}/{field}: removed")
                else:
                    problems += _compare(spec, new["properties"][field], f"{here}/{field}")
        elif key in {"$id", "x-relais-topic"}:
            continue
        elif key not in old or key not in new:
            problems.append(f"{here}: {'added' if key not in old else 'removed'}")
        else:
            problems += _compare(old[key], new[key], here)
    added_required = set(new.get("required", [])) - set(old.get("required", []))
    problems += [f"{path}/required: {field} is newly required" for field in sorted(added_required)]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m relais_events.schemas")
    parser.add_argument("--check", action="store_true", help="fail if committed schemas are stale")
    args = parser.parse_args(argv)
    if args.check:
        names = stale()
        if names:
            print("stale event schemas (run: uv run python -m relais_events.schemas):", *names)
            return 1
        return 0
    print(f"wrote {len(write())} schemas to {SCHEMA_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
