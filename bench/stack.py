"""Subprocesses of the end-to-end bench: start, wait until ready, measure memory, stop."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from bench.open_loop import rss_mb


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Service:
    """One Python process of the bench (optionally under pyinstrument)."""

    name: str
    argv: list[str]
    cwd: Path
    env: dict[str, str]
    port: int | None = None
    profile: Path | None = None  # a pyinstrument session file to write on exit
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    @property
    def log_file(self) -> Path:
        return self.cwd / f"{self.name}.log"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        prefix = [sys.executable]
        if self.profile is not None:
            prefix += ["-m", "pyinstrument", "-r", "pyisession", "-o", str(self.profile)]
        with self.log_file.open("wb") as log:
            self.process = subprocess.Popen(
                [*prefix, *self.argv],
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 25) -> str:
        try:
            text = self.log_file.read_text(errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    async def wait_ready(self, timeout_s: float = 90.0) -> None:
        deadline = time.monotonic() + timeout_s
        async with aiohttp.ClientSession() as session:
            while time.monotonic() < deadline:
                if not self.alive():
                    raise RuntimeError(f"{self.name} exited during start-up:\n{self.log_tail()}")
                try:
                    async with session.get(f"{self.base_url}/readyz") as answer:
                        if answer.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                await asyncio.sleep(0.2)
        raise RuntimeError(f"{self.name} not ready within {timeout_s:.0f} s:\n{self.log_tail()}")

    def stop(self, timeout_s: float = 30.0) -> None:
        """SIGINT, SIGKILL if stuck. Not SIGTERM: uvicorn re-raises the signal it caught once it
        has shut down, and the default SIGTERM action skips atexit (profiles, Mongo stats)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            print(f"{self.name} did not stop within {timeout_s:.0f} s: killed", file=sys.stderr)
            process.kill()
            process.wait(10)


def uvicorn_argv(app: str, port: int, *, factory: bool, app_dir: Path | None = None) -> list[str]:
    argv = ["-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port), "--workers", "1"]
    argv += ["--no-access-log", "--log-level", "warning", "--lifespan", "on"]
    argv += ["--timeout-graceful-shutdown", "10"]
    if factory:
        argv.append("--factory")
    if app_dir is not None:
        argv += ["--app-dir", str(app_dir)]
    return argv


@dataclass(frozen=True)
class Memory:
    name: str
    pid: int | None
    current_mb: float | None
    peak_mb: float | None
    cpu_s: float | None = None  # user + system CPU seconds over the process's life


def memory(name: str, pid: int | None) -> Memory:
    if pid is None:
        return Memory(name, None, None, None)
    try:
        current, peak = rss_mb(pid)
    except OSError:
        return Memory(name, pid, None, None)
    return Memory(name, pid, current, peak, cpu_seconds(pid))


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of a process, from /proc (clock ticks)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def base_env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    keep = ("RELAIS_AUTH_", "RELAIS_STATE_DIR", "RELAIS_CACHE_DIR", "RELAIS_BENCH_")
    env.update({k: v for k, v in os.environ.items() if k.startswith(keep)})
    env.update(extra)
    env["PYTHONUNBUFFERED"] = "1"
    return env
