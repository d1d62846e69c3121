"""``relais-audit``: the auditor's commands.

    relais-audit rebuild [--database NAME] [--keep] [--timeout-s 60] [--no-progress]
    relais-audit verify | replay | who-knew | export | revoke-key   (see ``audit_commands``)

replays every context topic from offset 0 into an EMPTY database (``<live>_rebuild_<time>`` by
default), compares each case hash with the live one (cut at the replay's end offsets), prints
the mismatches and exits 1 on any (2 when the target database is not empty, or when the replay
made no progress for ``--timeout-s``: a long log takes as long as it takes). A progress bar on
stderr shows the records replayed. Settings come from the timeline's environment
(``RELAIS_TIMELINE_*``, ``RELAIS_KAFKA_BOOTSTRAP``, ...).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence

from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TimeRemainingColumn

from relais_timeline.application.audit import compare
from relais_timeline.bootstrap import projecting
from relais_timeline.config import TimelineSettings
from relais_timeline.entrypoints import audit_commands
from relais_timeline.entrypoints.replay import LogSource, ReplayStalled, replay


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
    rebuild.add_argument("--no-progress", action="store_true", help="no progress bar")
    audit_commands.add_commands(commands)
    return parser


async def rebuild(
    settings: TimelineSettings,
    database: str | None,
    *,
    keep: bool,
    timeout_s: float,
    show_progress: bool = False,
    source: LogSource | None = None,
) -> int:
    target = database or f"{settings.database}_rebuild_{int(time.time())}"
    live, rebuilt = projecting(settings), projecting(settings, target)
    if await rebuilt.client[target].list_collection_names():
        print(f"refusing to rebuild into {target}: it is not empty", file=sys.stderr)
        await live.stop()
        await rebuilt.stop()
        return 2
    console = Console(stderr=True)
    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), TimeRemainingColumn())
    try:
        await rebuilt.start()
        started = time.monotonic()
        with Progress(*columns, console=console, disable=not show_progress) as bar:
            task = bar.add_task("replaying", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            try:
                replayed = await replay(
                    settings.kafka_bootstrap,
                    settings.context_topics,
                    rebuilt.projection,
                    timeout_s=timeout_s,
                    progress=progress,
                    source=source,
                )
            except ReplayStalled as stalled:
                print(f"relais-audit rebuild: {stalled}", file=sys.stderr)
                return 2
        elapsed = time.monotonic() - started
        case_ids = [*await live.timelines.case_ids(), *await rebuilt.timelines.case_ids()]
        mismatches = await compare(live.timelines, rebuilt.timelines, case_ids, replayed.up_to)
        for m in mismatches:
            print(f"MISMATCH {m.case_id} live={m.live_hash} rebuilt={m.rebuilt_hash}")
        rate = replayed.records / elapsed if elapsed else 0.0
        print(
            f"replayed {replayed.records} records ({replayed.undecodable} undecodable) in "
            f"{elapsed:.1f} s ({rate:,.0f}/s), compared {len(set(case_ids))} timelines, "
            f"{len(mismatches)} mismatches"
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
    return asyncio.run(
        rebuild(
            settings,
            args.database,
            keep=args.keep,
            timeout_s=args.timeout_s,
            show_progress=not args.no_progress,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
