"""Fixtures of the reliability suite: servers of its own, which its tests kill.

``own_servers`` is one Kafka and one FerretDB for the whole package, started through the launcher
under a temporary state folder on free ports (never the shared 9092/27017, whatever
RELAIS_KAFKA_BOOTSTRAP / RELAIS_MONGO_URI say); a test that kills one restarts it before it ends.
``stack`` gives each test its own service processes, namespace and databases on them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.reliability.figures import REPORTED
from tests.reliability.stack import OwnServers, Stack


@pytest.fixture(scope="package")
def own_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OwnServers]:
    own = OwnServers(tmp_path_factory.mktemp("reliability-state"))
    own.up()
    try:
        yield own
    finally:
        own.down()


@pytest.fixture
async def stack(own_servers: OwnServers, tmp_path: Path) -> AsyncIterator[Stack]:
    running = Stack(own_servers, tmp_path / "stack")
    await running.start()
    try:
        yield running
    finally:
        running.stop()
        own_servers.up()  # a test that failed half-way through a fault leaves none behind


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if REPORTED:
        terminalreporter.section("reliability figures")
        for line in REPORTED:
            terminalreporter.write_line(line)
