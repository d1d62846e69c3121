"""The auditor's commands beside ``rebuild`` (see the README, "Auditing"):

    relais-audit verify [--workers N] [--cache DIR | --no-cache] [--no-progress]
    relais-audit replay --case ID [--as-of TIME] [--view structure|summaries]
    relais-audit who-knew --case ID [--from TIME] [--to TIME] [--json]
    relais-audit export [--out FILE] [--keep-key FILE]
    relais-audit revoke-key --service NAME --key-id ID --at TIME [--reason TEXT]

Settings come from the timeline's environment, as for ``rebuild``: the broker, the topic
namespace, the key registry file (``RELAIS_KEY_REGISTRY``). Exit 0 when all is well, 1 when
``verify`` finds a problem (or the case is unknown), 2 when the command cannot run.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import secrets
import sys
from pathlib import Path
from typing import Any

from relais_events.keyregistry import load_registry
from relais_events.topics import TIMELINE
from relais_kit.signing import revoke_key
from rich.console import Console
from rich.table import Table

from relais_timeline.config import TimelineSettings
from relais_timeline.domain.log_audit import Problem
from relais_timeline.domain.visibility import View
from relais_timeline.entrypoints.audit_replay import replay_case
from relais_timeline.entrypoints.audit_reports import exported, who_knew
from relais_timeline.entrypoints.audit_verify import Verified, verify_log

COMMANDS = ("verify", "replay", "who-knew", "export", "revoke-key")


def instant(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"{text!r} needs an offset (Z or +01:00)")
    return value.astimezone(dt.UTC)


def default_cache() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser() / "relais-audit"


def add_commands(commands: Any) -> None:
    verify = commands.add_parser("verify", help="prove the log complete and untouched")
    verify.add_argument("--workers", type=int, help="processes (default: one per core)")
    verify.add_argument("--cache", type=Path, default=default_cache(), help="verified signatures")
    verify.add_argument("--no-cache", action="store_true", help="verify every signature afresh")
    verify.add_argument("--no-progress", action="store_true")
    replay = commands.add_parser("replay", help="a case as the log knew it at a time")
    replay.add_argument("--case", required=True)
    replay.add_argument("--as-of", type=instant)
    replay.add_argument("--view", choices=[View.STRUCTURE, View.SUMMARIES], default="structure")
    knew = commands.add_parser("who-knew", help="who read a case, when and why")
    knew.add_argument("--case", required=True)
    knew.add_argument("--from", dest="since", type=instant)
    knew.add_argument("--to", dest="until", type=instant)
    knew.add_argument("--json", action="store_true", help="JSON Lines instead of a table")
    export = commands.add_parser("export", help="pseudonymised JSON Lines for an auditor")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--keep-key", type=Path, help="keep the pseudonym key (owner-only)")
    revoke = commands.add_parser("revoke-key", help="revoke a leaked key in the registry")
    revoke.add_argument("--service", required=True)
    revoke.add_argument("--key-id", required=True)
    revoke.add_argument("--at", required=True, type=instant, help="when it may have leaked")
    revoke.add_argument("--reason")


def run(args: argparse.Namespace, settings: TimelineSettings) -> int:
    bootstrap, topics = settings.kafka_bootstrap, settings.context_topics
    if args.command == "verify":
        if not settings.key_registry.exists():
            print(f"no key registry at {settings.key_registry}", file=sys.stderr)
            return 2
        outcome = verify_log(
            bootstrap,
            topics,
            load_registry(settings.key_registry),
            cache_dir=None if args.no_cache else args.cache,
            workers=args.workers,
            show_progress=not args.no_progress,
        )
        print_verified(outcome)
        return 1 if outcome.failed else 0
    if args.command == "replay":
        found = asyncio.run(replay_case(bootstrap, topics, args.case, args.as_of, View(args.view)))
        if found is None:
            print(f"the log holds no case {args.case}", file=sys.stderr)
            return 1
        print(found.model_dump_json(indent=2))
        return 0
    if args.command == "who-knew":
        reads = who_knew(bootstrap, settings.topic(TIMELINE), args.case, args.since, args.until)
        if args.json:
            for read in reads:
                print(read.model_dump_json())
        else:
            print_reads(args.case, reads)
        return 0
    if args.command == "export":
        return export(settings, args.out, args.keep_key)
    revoke_key(settings.key_registry, args.service, args.key_id, args.at, args.reason)
    print(f"{args.service}/{args.key_id} revoked from {args.at.isoformat()}")
    return 0


def describe(problem: Problem) -> str:
    label = "PROBLEM" if problem.fails else "NOTICE"
    where = f"{problem.topic}/{problem.partition}@{problem.offset}"
    return f"{label} {problem.kind} {where} event={problem.event_id or '-'}: {problem.detail}"


def print_verified(outcome: Verified) -> None:
    for problem in outcome.problems:
        print(describe(problem))
    failing = sum(p.fails for p in outcome.problems)
    print(
        f"verified {outcome.records} records of {outcome.partitions} partitions in "
        f"{outcome.seconds:.1f} s ({outcome.rate:,.0f} records/s, {outcome.workers} workers; "
        f"{outcome.checked} signatures checked, {outcome.cache_hits} known): "
        f"{failing} problems, {len(outcome.problems) - failing} notices"
    )


def print_reads(case_id: str, reads: list[Any]) -> None:
    table = Table(title=f"who read {case_id}")
    for column in ("time", "role", "org", "subject_ref", "resource", "purpose", "service"):
        table.add_column(column)
    table.add_column("cases shown", justify="right")
    for r in reads:
        row = (r.time.isoformat(), r.role, r.org, r.subject_ref, r.resource, r.purpose, r.service)
        table.add_row(*row, str(r.cases_shown))
    Console().print(table)


def export(settings: TimelineSettings, out: Path | None, keep_key: Path | None) -> int:
    key = secrets.token_bytes(32)
    if keep_key is not None:
        descriptor = os.open(keep_key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(key.hex() + "\n")
    lines = exported(
        settings.kafka_bootstrap, settings.context_topics, key, settings.topics_namespace
    )
    count = 0
    with out.open("wb") if out else open(sys.stdout.fileno(), "wb", closefd=False) as sink:
        for line in lines:
            sink.write(line + b"\n")
            count += 1
    print(f"exported {count} records", file=sys.stderr)
    return 0
