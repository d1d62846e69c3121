"""The supervisor of `make run`'s service processes, over small real processes: a process that
dies is started again and logged, one that keeps dying waits longer each time, and only a stop
ends them (then nothing restarts)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable

import pytest
from relais_infra.process import _alive
from relais_infra.supervisor import Backoff, Child, Supervisor

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
CRASHER = [sys.executable, "-c", "import sys; sys.exit(3)"]


def until(condition: Callable[[], bool], supervisor: Supervisor, limit_s: float = 30.0) -> None:
    """Poll the supervisor as `relais-infra run` does until `condition` holds (bounded)."""
    deadline = time.monotonic() + limit_s
    while not condition():
        assert time.monotonic() < deadline, "the supervisor never got there"
        supervisor.poll()
        time.sleep(0.02)


def test_the_doubling_backoff_is_capped_and_starts_at_the_first_delay() -> None:
    backoff = Backoff(first_s=1.0, max_s=30.0)
    assert [backoff.delay(n) for n in range(1, 8)] == [1, 2, 4, 8, 16, 30, 30]


@pytest.mark.timeout(60)
def test_a_process_killed_with_sigkill_is_started_again_and_the_restart_is_logged() -> None:
    lines: list[str] = []
    child = Child("timeline worker", SLEEPER)
    supervisor = Supervisor([child], Backoff(first_s=0.05), say=lines.append)
    supervisor.start()
    try:
        first = child.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        until(lambda: child.pid != first and child.running, supervisor)
        assert child.restarts == 1
        assert lines[0].startswith("exited    timeline worker: killed by signal 9 after ")
        assert lines[1] == f"restarted timeline worker (pid {child.pid}, restart 1)"
        assert not _alive(first)
    finally:
        supervisor.stop()
    assert not child.running


@pytest.mark.timeout(60)
def test_a_process_that_keeps_exiting_is_started_again_each_time_with_its_code_logged() -> None:
    lines: list[str] = []
    child = Child("intake api", CRASHER)
    supervisor = Supervisor([child], Backoff(first_s=0.01, max_s=0.05), say=lines.append)
    supervisor.start()
    try:
        until(lambda: child.restarts == 3, supervisor)
    finally:
        supervisor.stop()
    exits = [line for line in lines if line.startswith("exited    intake api: exit code 3 ")]
    restarts = [line for line in lines if line.startswith("restarted intake api ")]
    assert len(exits) >= 3
    assert [r.endswith(f"restart {n})") for n, r in enumerate(restarts, 1)] == [True] * 3


def test_the_waits_double_between_quick_exits_and_reset_after_a_healthy_run() -> None:
    """The backoff follows exits in a row; a process that ran long enough starts afresh."""
    now = [0.0]
    lines: list[str] = []
    child = Child("referrals api", CRASHER)
    backoff = Backoff(first_s=1.0, max_s=30.0, healthy_after_s=60.0)
    supervisor = Supervisor([child], backoff, say=lines.append, clock=lambda: now[0])
    supervisor.start()
    waits = []
    try:
        for _ in range(4):  # four quick exits: 1, 2, 4, 8 s
            assert child.proc is not None
            child.proc.wait()
            supervisor.poll()
            assert child.restart_at is not None
            waits.append(child.restart_at - now[0])
            now[0] = child.restart_at
            supervisor.poll()  # the wait is over: started again
            assert child.restart_at is None
        assert child.proc is not None
        child.proc.wait()
        now[0] += 120  # it ran two minutes before this exit: healthy, the backoff starts over
        supervisor.poll()
        assert child.restart_at is not None
        waits.append(child.restart_at - now[0])
    finally:
        supervisor.stop()
    assert waits == [1, 2, 4, 8, 1]
    assert lines[-1] == "exited    referrals api: exit code 3 after 120 s; restarting in 1 s"


@pytest.mark.timeout(60)
def test_after_stop_nothing_is_restarted_and_no_process_is_left() -> None:
    lines: list[str] = []
    children = [Child("a", SLEEPER), Child("b", SLEEPER), Child("c", CRASHER)]
    supervisor = Supervisor(children, Backoff(first_s=0.05), say=lines.append)
    supervisor.start()
    pids = [c.pid for c in children]
    supervisor.stop()
    for _ in range(10):
        assert supervisor.poll() == []
        time.sleep(0.02)
    assert [c.pid for c in children] == pids
    assert not any(c.running for c in children)
    assert not any(line.startswith("restarted") for line in lines)


LAUNCHER = """
import sys, time
from relais_infra.supervisor import Child, Supervisor
supervisor = Supervisor([Child("worker", sys.argv[1:])])
supervisor.start()
print(supervisor.children[0].pid, flush=True)
time.sleep(120)
"""


@pytest.mark.skipif(sys.platform != "linux", reason="the kernel's parent-death signal is Linux's")
@pytest.mark.timeout(60)
def test_the_services_end_with_a_launcher_killed_by_sigkill() -> None:
    """No orphan keeps its port after the launcher itself is `kill -9`ed."""
    launcher = subprocess.Popen(
        [sys.executable, "-c", LAUNCHER, *SLEEPER], stdout=subprocess.PIPE, text=True
    )
    try:
        assert launcher.stdout is not None
        service = int(launcher.stdout.readline())
        assert _alive(service)
        launcher.kill()
        launcher.wait()
        deadline = time.monotonic() + 20
        while _alive(service) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(service)
    finally:
        if launcher.poll() is None:
            launcher.kill()
            launcher.wait()
