"""Summaries of pyinstrument sessions: where a process spent its CPU, as a few lines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer
from pyinstrument.session import Session


@dataclass(frozen=True)
class HotSpot:
    label: str
    seconds: float
    share: float  # of the busy (non-idle) time


@dataclass(frozen=True)
class Summary:
    name: str
    duration_s: float
    idle_s: float
    by_self: list[HotSpot]
    by_total: list[HotSpot]  # relais code only, inclusive
    html: Path
    text: Path


def _label(frame: Any) -> str:
    return f"{frame.function} ({frame.file_path_short}:{frame.line_no})"


def _is_idle(frame: Any) -> bool:
    """Self time of the selector is the event loop waiting for I/O, not work."""
    return str(frame.function).rsplit(".", 1)[-1] in ("select", "poll", "control")


def summarise(name: str, session_file: Path, out_dir: Path, top: int = 12) -> Summary:
    session = Session.load(session_file)
    html = out_dir / f"{name}.html"
    text = out_dir / f"{name}.txt"
    html.write_text(HTMLRenderer().render(session))
    text.write_text(ConsoleRenderer(unicode=True, color=False, short_mode=False).render(session))
    root = session.root_frame(trim_stem=False)
    self_time: dict[str, float] = defaultdict(float)
    total_time: dict[str, float] = defaultdict(float)
    idle = 0.0

    def walk(frame: Any, on_stack: frozenset[str]) -> None:
        nonlocal idle
        if frame.is_synthetic:
            return
        label = _label(frame)
        own = float(frame.total_self_time)
        if _is_idle(frame):
            idle += own
        else:
            self_time[label] += own
        if "relais_" in str(frame.file_path or "") and label not in on_stack:
            total_time[label] += float(frame.time)
        for child in frame.children:
            walk(child, on_stack | {label})

    if root is not None:
        walk(root, frozenset())
    busy = max(sum(self_time.values()), 1e-9)

    def ranked(times: dict[str, float]) -> list[HotSpot]:
        best = sorted(times.items(), key=lambda kv: kv[1], reverse=True)[:top]
        return [HotSpot(label, seconds, seconds / busy) for label, seconds in best]

    return Summary(
        name=name,
        duration_s=float(session.duration),
        idle_s=idle,
        by_self=ranked(self_time),
        by_total=ranked(total_time),
        html=html,
        text=text,
    )
