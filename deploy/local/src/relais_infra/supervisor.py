"""The service processes of `relais-infra run`, kept running until Ctrl-C.

A service process that exits (a crash, an OOM kill, someone's `kill -9`) is started again after
a backoff that doubles with each exit in a row (1, 2, 4 ... 30 s), so a process that cannot start
(its port taken, its store gone) does not spin; one that had run for `healthy_after_s` starts
again from the first delay. Every exit and every restart is one line on the launcher's output.
Only `stop()` (Ctrl-C) ends them, and then nothing is restarted.

The children stay in the launcher's process group on purpose: a Ctrl-C in the terminal reaches
them at once. On Linux each also asks the kernel for a SIGTERM when the launcher dies, even by
`kill -9`, so no orphan keeps a port that the next `make run` needs.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Backoff:
    first_s: float = 1.0
    max_s: float = 30.0
    # A process that ran this long was healthy: its next exit waits `first_s` again.
    healthy_after_s: float = 60.0

    def delay(self, exits_in_a_row: int) -> float:
        """The wait before the restart that follows the `exits_in_a_row`-th quick exit (1-based)."""
        return min(self.max_s, self.first_s * 2.0 ** max(0, exits_in_a_row - 1))


@dataclass
class Child:
    """One supervised process: what it runs, and where it is in its life."""

    label: str
    argv: Sequence[str]
    env: dict[str, str] | None = None
    proc: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0
    restarts: int = 0  # restarts since the launcher started (what the log line counts)
    exits_in_a_row: int = 0  # quick exits since it last ran healthy_after_s
    restart_at: float | None = None  # set while it waits for its backoff

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass
class Supervisor:
    children: list[Child]
    backoff: Backoff = field(default_factory=Backoff)
    say: Callable[[str], None] = print
    clock: Callable[[], float] = time.monotonic
    stopping: bool = False

    def start(self) -> None:
        for child in self.children:
            self._spawn(child)

    def poll(self) -> list[Child]:
        """Notice exits, restart those whose backoff is over; returns the children restarted."""
        restarted = []
        now = self.clock()
        for child in self.children:
            if self.stopping:
                break
            if child.restart_at is None and child.proc is not None:
                code = child.proc.poll()
                if code is None:
                    continue
                ran = now - child.started_at
                child.exits_in_a_row = 1 if ran >= self.backoff.healthy_after_s else (
                    child.exits_in_a_row + 1
                )  # fmt: skip
                wait = self.backoff.delay(child.exits_in_a_row)
                child.restart_at = now + wait
                self.say(
                    f"exited    {child.label}: {_how(code)} after {ran:.0f} s; "
                    f"restarting in {wait:.0f} s"
                )
            if child.restart_at is not None and now >= child.restart_at:
                child.restarts += 1
                self._spawn(child)
                self.say(f"restarted {child.label} (pid {child.pid}, restart {child.restarts})")
                restarted.append(child)
        return restarted

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop every child (TERM, then KILL after `timeout_s`); nothing restarts after this."""
        self.stopping = True
        for child in self.children:
            child.restart_at = None
            if child.running and child.proc is not None:
                with contextlib.suppress(ProcessLookupError):
                    child.proc.terminate()
        deadline = self.clock() + timeout_s
        for child in self.children:
            if child.proc is None:
                continue
            try:
                child.proc.wait(timeout=max(0.0, deadline - self.clock()))
            except subprocess.TimeoutExpired:
                self.say(f"killing   {child.label}: still running {timeout_s:.0f} s after TERM")
                child.proc.kill()
                child.proc.wait()

    def _spawn(self, child: Child) -> None:
        child.restart_at = None
        child.started_at = self.clock()
        child.proc = subprocess.Popen(
            list(child.argv),
            env=child.env,
            stdin=subprocess.DEVNULL,
            preexec_fn=_ends_with(os.getpid()) if sys.platform == "linux" else None,  # noqa: PLW1509 (no threads here)
        )


_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _ends_with(launcher: int) -> Callable[[], None]:
    """Run in the child between fork and exec: a SIGTERM when `launcher` dies."""

    def arrange() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != launcher:  # it died before the request was in place
            os._exit(1)

    return arrange


def _how(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"
