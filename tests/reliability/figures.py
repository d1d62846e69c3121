"""The figures each fault prints: load sent, acknowledged, applied, dead-lettered, duplicates.

They are printed when the test runs (``pytest -s``) and again in pytest's terminal summary, so
``make test`` shows them without ``-s``; they are never compared with a speed target.
"""

from __future__ import annotations

from typing import Any

from tests.reliability.load import Convergence, Load

REPORTED: list[str] = []


def report(fault: str, load: Load, seen: Convergence, **extra: Any) -> str:
    answers = ", ".join(f"{k}: {v}" for k, v in sorted(load.answers().items()))
    parts = [
        f"sent={len(load.ops)}",
        f"acknowledged={len(load.acknowledged)}",
        f"applied={seen.applied}",
        f"missing={len(seen.missing)}",
        f"duplicates={seen.duplicates}",
        f"report_entries={seen.report_entries}",
        f"unacknowledged_entries={seen.unacknowledged}",
        f"hangs={load.hangs}",
        f"slowest_answer_s={max((op.slowest_s for op in load.ops), default=0):.1f}",
        f"unpublished={seen.unpublished or 0}",
        *(f"{k}={v}" for k, v in extra.items()),
        f"answers={{{answers}}}",
    ]
    line = f"[reliability] {fault}: " + " ".join(parts)
    print(line, flush=True)
    REPORTED.append(line)
    return line


def note(fault: str, **extra: Any) -> str:
    line = f"[reliability] {fault}: " + " ".join(f"{k}={v}" for k, v in extra.items())
    print(line, flush=True)
    REPORTED.append(line)
    return line
