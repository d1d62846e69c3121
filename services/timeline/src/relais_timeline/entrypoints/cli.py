"""``relais-audit``: the auditor's commands.

    relais-audit rebuild [--database NAME] [--keep] [--timeout-s 60]
    relais-audit verify | replay | who-knew | export | revoke-key   (see ``audit_commands``)

replays every context topic from offset 0 into an EMPTY database (``<live>_rebuild_<time>`` by
default), compares each case hash with the live one (cut at the replay's end offsets), prints
the mismatches and exits 1 on any (2 when the target database is not empty). Settings come
from the timeline's environment (``RELAIS_TIMELINE_*``, ``RELAIS_KAFKA_BOOTSTRAP``, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

from relais_timeline.application.audit import compare
from relais_timeline.bootstrap import projecting
from relais_timeline.config import TimelineSettings
from relais_timeline.entrypoints import audit_commands
from relais_timeline.entrypoints.replay import replay


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relais-audit", description="Relais auditor tools")
    commands = parser.add_subparsers(dest="command", required=True)
    rebuild = commands.add_parser("rebuild", help="replay the log and compare case hashes")
    rebuild.add_argument("--database", help="the empty database to rebuild into")
    rebuild.add_argument("--keep", action="store_true", help="keep the rebuilt database")
    rebuild.add_argument(
        "--timeout-s",
        type=float,
        default=60.0,
        help="give up after this long WITHOUT progress (a long log may take much longer)",
    )
    audit_commands.add_commands(commands)
    return parser


async def rebuild(
    settings: TimelineSettings, database: str | None, *, keep: bool, timeout_s: float
) -> int:
    target = database or f"{settings.database}_rebuild_{int(time.time())}"
    live, rebuilt = projecting(settings), projecting(settings, target)
    if await rebuilt.client[target].list_collection_names():
        print(f"refusing to rebuild into {target}: it is not empty", file=sys.stderr)
        await live.stop()
        await rebuilt.stop()
        return 2
    try:
        await rebuilt.start()
        started = time.monotonic()
        shown = [0.0]

        def progress(done: int, total: int) -> None:
            elapsed = time.monotonic() - started
            if done < total and elapsed - shown[0] < 2:
                return
            shown[0] = elapsed
            rate = done / elapsed if elapsed else 0.0
            print(f"replayed {done}/{total} records, {rate:,.0f}/s", file=sys.stderr, flush=True)

        replayed = await replay(
            settings.kafka_bootstrap,
            settings.context_topics,
            rebuilt.projection,
            timeout_s=timeout_s,
            progress=progress,
        )
        case_ids = [*await live.timelines.case_ids(), *await rebuilt.timelines.case_ids()]
        mismatches = await compare(live.timelines, rebuilt.timelines, case_ids, replayed.up_to)
        for m in mismatches:
            print(f"MISMATCH {m.case_id} live={m.live_hash} rebuilt={m.rebuilt_hash}")
        print(
            f"replayed {replayed.records} records ({replayed.undecodable} undecodable), "
            f"compared {len(set(case_ids))} timelines, {len(mismatches)} mismatches"
        )
        return 1 if mismatches else 0
    finally:
        if not keep:
            await rebuilt.client.drop_database(target)
        await live.stop()
        await rebuilt.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = TimelineSettings()
    if args.command in audit_commands.COMMANDS:
        return audit_commands.run(args, settings)
    return asyncio.run(rebuild(settings, args.database, keep=args.keep, timeout_s=args.timeout_s))


if __name__ == "__main__":
    sys.exit(main())
