"""People at the console: one browser context each (their own session cookie), a page, and
the checks every page passes: no serious or critical axe-core violation, no Content-Security-
Policy refusal, and a full-page screenshot under ``.relais/screenshots/``."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from playwright.async_api import Browser, Page, Response

HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parents[3]
SCREENSHOTS: Final = ROOT / ".relais" / "screenshots"
AXE: Final = (HERE.parent / "vendor" / "axe-core" / "axe.min.js").read_text()
BLOCKING: Final = ("serious", "critical")


@dataclass
class Person:
    page: Page
    base: str
    console_errors: list[str] = field(default_factory=list)

    async def login(self, role: str, org: str, departements: str, sub: str) -> None:
        await self.visit("/connexion/dev", shot="connexion-dev" if role == "police" else None)
        await self.page.select_option("#f-role", role)
        await self.page.fill("#f-sub", sub)
        await self.page.fill("#f-org", org)
        await self.page.fill("#f-departements", departements)
        await self.submit("Se connecter")

    async def visit(self, path: str, *, shot: str | None = None) -> Response:
        answer = await self.page.goto(self.base + path)
        assert answer is not None
        if shot:
            await self.check(shot)
        return answer

    async def submit(self, button: str) -> None:
        async with self.page.expect_navigation():
            await self.page.get_by_role("button", name=button).click()

    async def check(self, name: str) -> None:
        """Accessibility (axe-core, injected: the page's CSP does not apply to the test's own
        script), CSP refusals seen so far, then the screenshot."""
        await self.page.evaluate(AXE + "\n;0")
        found: list[dict[str, Any]] = await self.page.evaluate(
            "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
            ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target)}))"
        )
        blocking = [v for v in found if v["impact"] in BLOCKING]
        assert not blocking, f"{name}: accessibility violations {blocking}"
        refused = [m for m in self.console_errors if "Content Security Policy" in m]
        assert not refused, f"{name}: {refused}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    async def reload_until(
        self, condition: Callable[[], Awaitable[bool]], within_s: float = 60.0
    ) -> None:
        """Reload until ``condition`` holds (a list page that is not live), or fail."""
        deadline = time.monotonic() + within_s
        while not await condition():
            assert time.monotonic() < deadline, f"not seen on {self.page.url} in {within_s} s"
            await self.page.wait_for_timeout(500)
            await self.page.reload()


async def person(browser: Browser, base: str) -> Person:
    context = await browser.new_context(locale="fr-FR", timezone_id="Europe/Paris")
    page = await context.new_page()
    page.set_default_timeout(20_000)
    who = Person(page, base)
    page.on("console", lambda message: who.console_errors.append(message.text))
    return who
