"""`make run` as an operator drives it: `relais-infra run` on its own state folder and free ports
(never the shared servers), then what a new user does with it.

One stack for the module, in this order: it says `ready` once, after every api answers; the
README's examples run as written against it; a `kill -9`ed timeline worker comes back and
catches up while the rest keeps running; with Kafka gone every api's `/readyz` says so; Ctrl-C
stops everything it started.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from relais_infra.layout import REPO_ROOT
from relais_infra.process import _alive, port_is_free
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings

pytestmark = pytest.mark.launcher

SERVICES = {
    "console": 8100,
    "intake": 8101,
    "protection-orders": 8102,
    "shelter": 8103,
    "referrals": 8104,
    "timeline": 8105,
}
STARTUP_LIMIT_S = 240.0
README = REPO_ROOT / "README.md"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Stack:
    """One `relais-infra run`, with every line it (and its services) printed."""

    env: dict[str, str]
    ports: dict[str, int]
    state: Path
    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    started_at: float = field(default_factory=time.monotonic)

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.ports[service]}"

    def read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, match: Callable[[str], bool], after: int = 0, limit_s: float = 60) -> int:
        """The index of the first line from `after` on that matches (bounded wait)."""
        deadline = time.monotonic() + limit_s
        while time.monotonic() < deadline:
            for i in range(after, len(self.lines)):
                if match(self.lines[i]):
                    return i
            if self.proc.poll() is not None:  # ended: only its last lines may still come
                deadline = min(deadline, time.monotonic() + 2)
            time.sleep(0.2)
        raise AssertionError(f"no such line within {limit_s:.0f} s:\n" + self.tail())

    def tail(self, n: int = 40) -> str:
        return "\n".join(self.lines[-n:])

    def pid_of(self, label: str) -> int:
        """The pid of the service process `label` (e.g. 'timeline worker') now."""
        pid = None
        for line in self.lines:
            found = re.match(rf"(?:starting  |restarted ){re.escape(label)} \(pid (\d+)", line)
            if found:
                pid = int(found.group(1))
        assert pid is not None, f"{label} was never started:\n" + self.tail()
        return pid

    def group_alive(self) -> bool:
        """Whether any process of the run's own process group (itself, its services) is left."""
        try:
            os.killpg(self.proc.pid, 0)
        except ProcessLookupError:
            return False
        return True


def _environment(state: Path, ports: dict[str, int]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        # The shared servers and any test namespace stay out of it: this run starts its own.
        if k not in ("RELAIS_KAFKA_BOOTSTRAP", "RELAIS_MONGO_URI", "RELAIS_TOPICS_NAMESPACE")
        and not k.startswith("RELAIS_CONSOLE_")
    }
    env.update(
        RELAIS_STATE_DIR=str(state),
        RELAIS_KEYS_DIR=str(state / "keys"),
        RELAIS_KEY_REGISTRY=str(state / "keys" / "registry.json"),
        RELAIS_KAFKA_PORT=str(_free_port()),
        RELAIS_KAFKA_CONTROLLER_PORT=str(_free_port()),
        RELAIS_FERRETDB_PORT=str(_free_port()),
        PYTHONUNBUFFERED="1",
    )
    for name, port in ports.items():
        env[f"RELAIS_{name.replace('-', '_').upper()}_HTTP_PORT"] = str(port)
    return env


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    state = tmp_path_factory.mktemp("make-run")
    ports = {name: _free_port() for name in SERVICES}
    env = _environment(state, ports)
    proc = subprocess.Popen(
        [sys.executable, "-m", "relais_infra.cli", "run"],
        env=env,
        cwd=REPO_ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        # Its own process group, as a terminal gives it: the services it starts stay in it, so a
        # Ctrl-C reaches them all, and a failed test can end exactly these processes.
        start_new_session=True,
    )
    running = Stack(env, ports, state, proc)
    reader = threading.Thread(target=running.read, daemon=True)
    reader.start()
    try:
        yield running
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGINT)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if running.group_alive():
            os.killpg(proc.pid, signal.SIGKILL)
        # Whatever a failed test left behind: the servers of this state folder only.
        subprocess.run(
            [sys.executable, "-m", "relais_infra.cli", "down"],
            env=env,
            capture_output=True,
            timeout=120,
            check=False,
        )


def _readyz(stack: Stack, service: str) -> tuple[int, dict[str, Any]]:
    try:
        response = httpx.get(f"{stack.url(service)}/readyz", timeout=10)
    except httpx.TransportError:
        return 0, {}
    return response.status_code, response.json()


def _apis(stack: Stack) -> list[str]:
    """The services whose api this run started (the ready line names each)."""
    ready = next(line for line in stack.lines if line.startswith("ready: "))
    return [name for name in SERVICES if f"{name} {stack.url(name)}" in ready]


def _headers(role: str, sub: str, purpose: str = "") -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(), sub=sub, roles=[role], org="org-93", jurisdictions=["93"]
    )
    extra = {"X-Relais-Purpose": purpose} if purpose else {}
    return {"Authorization": f"Bearer {token}", **extra}


def _file_report(stack: Stack, n: int) -> dict[str, Any]:
    body = {
        "channel": "police",
        "report_kind": "complaint",
        "case_kind": "conjugal_violence",
        "departement": "93",
        "minor_victim": False,
        "victim": {"last_name": f"Durand-{n}", "first_name": "Léa"},
        "narrative": "Menaces répétées.",
    }
    response = httpx.post(
        f"{stack.url('intake')}/v1/reports",
        json=body,
        headers={**_headers("police", "officer-op"), "Idempotency-Key": f"operator-{n}"},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    filed: dict[str, Any] = response.json()
    return filed


def _timeline_event_ids(stack: Stack, case_id: str, min_event: str) -> set[str]:
    response = httpx.get(
        f"{stack.url('timeline')}/v1/cases/{case_id}/timeline",
        params={"min_event": min_event},
        headers=_headers("committee_member", "member-op", "committee_review"),
        timeout=30,
    )
    if response.status_code != 200:
        return set()
    return {entry["event_id"] for entry in response.json()["entries"]}


@pytest.mark.timeout(STARTUP_LIMIT_S + 60)
def test_one_ready_line_with_the_addresses_once_every_api_answers(stack: Stack) -> None:
    ready = stack.wait_for(lambda line: line.startswith("ready: "), limit_s=STARTUP_LIMIT_S)
    print(f"make run: ready {time.monotonic() - stack.started_at:.0f} s after it started")
    before = stack.lines[:ready]
    apis = _apis(stack)
    assert {"console", "intake", "protection-orders", "referrals", "timeline"} <= set(apis)
    # Every api had finished its start-up (uvicorn says so once its lifespan ran) before it.
    assert sum("Application startup complete" in line for line in before) == len(apis)
    # The launcher offers no address before then (uvicorn's own lines name theirs), and the line
    # is not repeated.
    launcher = [line for line in before if line.startswith(("starting ", "started ", "Ctrl-C"))]
    assert len(launcher) >= len(apis)
    assert not any("http://" in line for line in launcher)
    assert sum(line.startswith("ready") for line in stack.lines) == 1
    for name in apis:
        status, body = _readyz(stack, name)
        assert status == 200, (name, body)
        if name != "console":  # the console owns no store and reads no topic
            assert body["checks"] == {"kafka": "ok", "mongo": "ok"}, name


def _readme_blocks() -> list[str]:
    """The README's shell blocks that call a service over HTTP."""
    blocks = re.findall(r"```bash\n(.*?)```", README.read_text(), flags=re.DOTALL)
    return [b for b in blocks if re.search(r"http://127\.0\.0\.1:81\d\d", b)]


def test_every_readme_link_points_inside_the_repository() -> None:
    text = README.read_text()
    targets = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert local, "the README links to its design documents"
    for target in local:
        path = (REPO_ROOT / target).resolve()
        assert path.is_relative_to(REPO_ROOT), target
        assert path.exists(), target
    # Nor a path out of the checkout in prose (`../shared/DESIGN.md` was one); "GET .../x" is not.
    assert re.findall(r"(?<!\.)\.\./\w", text) == []


@pytest.mark.timeout(180)
def test_the_readme_examples_run_as_written(stack: Stack) -> None:
    stack.wait_for(lambda line: line.startswith("ready: "), limit_s=STARTUP_LIMIT_S)
    blocks = _readme_blocks()
    assert blocks, "the README shows how to file a report and read the timeline"
    outputs = []
    for block in blocks:
        # As written, but at this stack's ports (the README's are the defaults).
        script = re.sub(
            r"http://127\.0\.0\.1:(81\d\d)",
            lambda m: stack.url(_service_at(int(m.group(1)))),
            block,
        )
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=REPO_ROOT,
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        said = f"{block}\n--- stdout\n{done.stdout}\n--- stderr\n{done.stderr}"
        assert done.returncode == 0, said
        outputs.append(done.stdout)
    # Among what the README prints: the committee's timeline of the case it filed.
    printed = [line for out in outputs for line in out.splitlines() if '"entries"' in line]
    assert printed, "no example printed a timeline"
    timeline = json.loads(printed[0])
    assert [e["type"] for e in timeline["entries"]] == ["case.opened", "report.filed"]
    assert timeline["case_hash"]


def _readme_audit_line(command: str) -> str:
    """The README's `relais-audit <command>` line, without its comment."""
    for line in README.read_text().splitlines():
        if line.startswith(f"uv run relais-audit {command}"):
            return line.split("#", 1)[0].strip()
    raise AssertionError(f"the README shows no `relais-audit {command}`")


@pytest.mark.timeout(180)
@pytest.mark.parametrize(
    ("command", "says"),
    [("verify", "0 problems"), ("rebuild", " 0 mismatches")],
)
def test_the_readme_audit_commands_run_as_written(stack: Stack, command: str, says: str) -> None:
    """After the README's report: the log verifies, and a rebuild agrees with the live store."""
    stack.wait_for(lambda line: line.startswith("ready: "), limit_s=STARTUP_LIMIT_S)
    line = _readme_audit_line(command)
    assert line == f"uv run relais-audit {command}"  # nothing to fill in
    # The README's shell has make run's defaults; here they are this stack's servers.
    env = dict(
        stack.env,
        RELAIS_KAFKA_BOOTSTRAP=f"127.0.0.1:{stack.env['RELAIS_KAFKA_PORT']}",
        RELAIS_MONGO_URI=f"mongodb://127.0.0.1:{stack.env['RELAIS_FERRETDB_PORT']}/",
        XDG_CACHE_HOME=str(stack.state / "cache"),  # verify's signature cache: not the user's
    )
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", line],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    assert done.returncode == 0, f"{line}\n{done.stdout}\n{done.stderr}"
    assert says in done.stdout + done.stderr, done.stdout + done.stderr
    assert "replayed 0 records" not in done.stdout


def _service_at(default_port: int) -> str:
    return next(name for name, port in SERVICES.items() if port == default_port)


@pytest.mark.timeout(240)
def test_a_killed_timeline_worker_is_restarted_and_catches_up(stack: Stack) -> None:
    stack.wait_for(lambda line: line.startswith("ready: "), limit_s=STARTUP_LIMIT_S)
    worker = stack.pid_of("timeline worker")
    others = {label: stack.pid_of(label) for label in ("intake api", "timeline api")}
    mark = len(stack.lines)
    killed_at = time.monotonic()
    os.kill(worker, signal.SIGKILL)
    # Reports filed while the worker is away are acknowledged all the same (the store has them).
    filed = [_file_report(stack, n) for n in range(3)]
    killed = "exited    timeline worker: killed by signal 9"
    stack.wait_for(lambda line: line.startswith(killed), mark)
    stack.wait_for(lambda line: line.startswith("restarted timeline worker (pid "), mark)
    restarted_after = time.monotonic() - killed_at
    assert stack.pid_of("timeline worker") != worker
    assert {label: stack.pid_of(label) for label in others} == others  # nothing else restarted
    assert stack.proc.poll() is None

    deadline = time.monotonic() + 120
    missing = {f["min_event"]: f for f in filed}
    while missing and time.monotonic() < deadline:
        for min_event, report in list(missing.items()):
            if set(report["event_ids"]) <= _timeline_event_ids(stack, report["case_id"], min_event):
                del missing[min_event]
        time.sleep(0.5)
    assert not missing, f"{len(missing)} of 3 reports never reached the timeline\n" + stack.tail()
    print(
        f"timeline worker kill -9: restarted after {restarted_after:.1f} s; the 3 reports filed "
        f"meanwhile were on their timelines {time.monotonic() - killed_at:.1f} s after the kill"
    )


@pytest.mark.timeout(120)
def test_with_kafka_gone_every_api_with_a_store_is_not_ready(stack: Stack) -> None:
    stack.wait_for(lambda line: line.startswith("ready: "), limit_s=STARTUP_LIMIT_S)
    apis = [name for name in _apis(stack) if name != "console"]
    kafka = int((stack.state / "kafka" / "kafka.pid").read_text())
    os.kill(kafka, signal.SIGKILL)
    answers: dict[str, tuple[int, dict[str, Any]]] = {}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        answers = {name: _readyz(stack, name) for name in apis}
        if all(status == 503 for status, _ in answers.values()):
            break
        time.sleep(0.5)
    for name, (status, body) in answers.items():
        assert status == 503, (name, status, body)
        assert body["checks"] == {"kafka": "failed", "mongo": "ok"}, name


@pytest.mark.timeout(120)
def test_ctrl_c_stops_the_services_then_the_servers_it_started(stack: Stack) -> None:
    stack.wait_for(lambda line: line.startswith("ready: "), limit_s=STARTUP_LIMIT_S)
    ferretdb = int((stack.state / "ferretdb" / "ferretdb.pid").read_text())
    mark = len(stack.lines)
    os.killpg(stack.proc.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
    assert stack.proc.wait(timeout=90) == 0
    stack.wait_for(lambda line: line.startswith("stopped: services"), mark, limit_s=10)
    assert not any(line.startswith("restarted") for line in stack.lines[mark:])
    assert not stack.group_alive()  # no service process is left
    assert not _alive(ferretdb)
    assert not list(stack.state.glob("*/*.pid"))
    assert all(port_is_free(port) for port in stack.ports.values())
    assert port_is_free(int(stack.env["RELAIS_FERRETDB_PORT"]))
