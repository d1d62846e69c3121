"""Fixtures of the browser tests: the real services, one headless Chromium, the shared story.

Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright without its own browser
download; ``make test`` installs it with apt-get when it can. The flags keep it from reaching
for the network, which is closed here (without them it stalls on refused connections).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright
from relais_infra.testing import Servers

from .stack import Stack, open_stack

CHROMIUM = os.environ.get("RELAIS_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# One stack and one browser for every module of this package (starting them is most of the time).
@pytest.fixture(scope="package")
async def stack(servers: Servers) -> AsyncIterator[Stack]:
    keys = Path(os.environ["RELAIS_KEYS_DIR"])
    async with open_stack(servers, keys, "console") as opened:
        yield opened


@pytest.fixture(scope="package")
async def browser() -> AsyncIterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install Debian's chromium and chromium-driver "
            "(apt-get install -y chromium chromium-driver), or set RELAIS_CHROMIUM"
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        await launched.close()


@dataclass
class Story:
    """What one test leaves for the next (the module's tests tell one story, in order)."""

    case_id: str = ""
    first_report_before: str = ""  # an instant before the first report was filed
    order_id: str = ""
    notes: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def story() -> Story:
    return Story()
