"""A worker process's main: SIGTERM or SIGINT sets ``stop``, and the process ends cleanly once
its ``run(stop)`` has returned (what ``make run`` and a container runtime send)."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

WORKER = """
import asyncio
from relais_kit.runtime import run_until_signalled

async def run(stop: asyncio.Event) -> None:
    print("running", flush=True)
    await stop.wait()
    await asyncio.sleep(0)  # the worker's loops end their pass, its runtime closes
    print("stopped", flush=True)

run_until_signalled(run)
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_the_worker_after_its_run_returns(sig: signal.Signals) -> None:
    worker = subprocess.Popen(
        [sys.executable, "-c", WORKER], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )
    try:
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "running"  # its handlers are installed
        worker.send_signal(sig)
        out, _ = worker.communicate(timeout=30)
    finally:
        worker.kill()
        worker.wait()
    assert worker.returncode == 0, out
    assert out.strip() == "stopped"
