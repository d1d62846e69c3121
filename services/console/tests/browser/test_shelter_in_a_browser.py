"""The shelter operator at the console in a real headless Chromium (issue 14, "Done when": a
shelter operator allocates a place and sees the envelope chart move).

The premises are set up through the services' own APIs, as their owners would: a case filed by the
police through intake, a site with its declared places registered by its operator, and a funding
envelope of 5 nuitées opened by the funder (the console has no page for those); then the shelter
worker learns the case from intake's topic (the shelter answers CaseNotKnown until it did). Then,
in the browser, the operator sees their site's week and the free places of the département, is
refused an allocation without consent (the sentence next to the box, everything typed kept) and one
for a case the shelter does not know (next to the case number), allocates one adult and one child
for three nights, finds the allocation again, claims nights against the envelope and sees its chart
go 0 -> 2 -> 4 of 5, a night claimed twice refused, the envelope run out and the site's week lose
the places. An operator of another département sees refusals and no figure; one of another
organisation in the same département sees no site and cannot allocate the site's places. Every page
passes axe-core and is saved under ``.relais/screenshots/``. One story, in order: the second test
reads what the first left.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Final

import httpx
import pytest
from playwright.async_api import Browser, expect
from relais_kit.auth import mint_dev_token
from relais_kit.settings import AuthSettings

from .people import Person, person
from .stack import Stack

pytestmark = [pytest.mark.servers, pytest.mark.timeout(180)]
DEP: Final = "93"
OPERATOR_ORG: Final = "chrs-93-tilleuls"
ENVELOPE_NIGHTS: Final = 5
KNOWN_ATTEMPTS: Final = 60  # about a minute of Retry-After: 1 for the worker to learn the case
WIDTH: Final = 600  # the chart's SVG width (relais_console.domain.envelope_chart.WIDTH)


def _headers(role: str, org: str, dep: str = DEP) -> dict[str, str]:
    token = mint_dev_token(
        AuthSettings(), sub=f"{org}-setup", roles=[role], org=org, jurisdictions=[dep]
    )
    return {"Authorization": f"Bearer {token}"}


async def _created(client: httpx.AsyncClient, url: str, body: dict[str, Any], **who: str) -> Any:
    answer = await client.post(url, json=body, headers=_headers(**who))
    assert answer.status_code == 201, answer.text
    return answer.json()


@dataclass
class Premises:
    case_id: str
    site_id: str
    envelope_id: str
    today: dt.date
    notes: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
async def premises(stack: Stack) -> Premises:
    # The console's forms default to the server's calendar day: places and the envelope cover
    # the day before too, so a test run across midnight still finds them.
    today = dt.date.today()  # noqa: DTZ011
    since = (today - dt.timedelta(days=1)).isoformat()
    async with httpx.AsyncClient(timeout=30) as client:
        report = {
            "channel": "police",
            "report_kind": "complaint",
            "case_kind": "conjugal_violence",
            "departement": DEP,
            "minor_victim": False,
            "children_present": 1,
            "victim": {"last_name": "Bernard", "first_name": "Inès"},
            "narrative": "Mise à l'abri demandée avec son fils.",
        }
        case = await _created(
            client, f"{stack.intake}/v1/reports", report, role="police", org="pn-93"
        )
        operator = {"role": "shelter_operator", "org": OPERATOR_ORG}
        site = await _created(
            client,
            f"{stack.shelter}/v1/sites",
            {
                "departement": DEP,
                "name": "Les Tilleuls",
                "address": "3 rue des Lilas",
                "accepts_children": True,
            },
            **operator,
        )
        capacity = {
            "first_night": since,
            "last_night": (today + dt.timedelta(days=30)).isoformat(),
            "places": 4,  # 3 for adults, 1 suiting a child
            "child_places": 1,
        }
        await _created(
            client, f"{stack.shelter}/v1/sites/{site['site_id']}/capacity", capacity, **operator
        )
        envelope = await _created(
            client,
            f"{stack.shelter}/v1/envelopes",
            {
                "departement": DEP,
                "period_start": since,
                "period_end": (today + dt.timedelta(days=60)).isoformat(),
                "nights": ENVELOPE_NIGHTS,
                "amount_cents": ENVELOPE_NIGHTS * 3_500,
            },
            role="admin",
            org="prefecture-93",
        )
        await _known_to_shelter(client, stack, case["case_id"], site["site_id"], today)
    return Premises(case["case_id"], site["site_id"], envelope["envelope_id"], today)


async def _known_to_shelter(
    client: httpx.AsyncClient, stack: Stack, case_id: str, site_id: str, night: dt.date
) -> None:
    """Until the shelter worker has learnt the case from intake's topic, an allocation for it is
    409 CaseNotKnown with Retry-After. Ask as the operator will, without consent: once the case
    is known the answer is ConsentRequired, which writes nothing (no place taken). Bounded: a
    worker that never learns it fails the fixture, naming the last answer."""
    probe = {
        "case_id": case_id,
        "site_id": site_id,
        "first_night": night.isoformat(),
        "nights": 1,
        "adults": ["personne-sonde"],
        "consent_given": False,
    }
    headers = _headers("shelter_operator", OPERATOR_ORG)
    for _ in range(KNOWN_ATTEMPTS):
        answer = await client.post(f"{stack.shelter}/v1/allocations", json=probe, headers=headers)
        if answer.status_code != 409 or answer.json().get("rule") != "CaseNotKnown":
            break
        await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
    assert answer.json().get("rule") == "ConsentRequired", (answer.status_code, answer.text)


async def _operator(browser: Browser, stack: Stack, org: str, dep: str) -> Person:
    who = await person(browser, stack.console)
    await who.login("shelter_operator", org, dep, sub=f"{org}-gestionnaire")
    return who


async def _chart(who: Person) -> tuple[str, str, str | None]:
    """What the envelope page draws: nights used, nights remaining, the used bar's width."""
    page = who.page
    used = (await page.locator(".nights-used").inner_text()).strip()
    remaining = (await page.locator(".nights-remaining").inner_text()).strip()
    return used, remaining, await page.locator("svg rect.used").get_attribute("width")


def _day(today: dt.date, after: int) -> str:
    return (today + dt.timedelta(days=after)).isoformat()


async def _envelope_tab(who: Person) -> Person:
    """The claim page's link to the envelope, opened in another tab of the same session (the
    claim page answered a POST: going back to it would post again)."""
    link = who.page.get_by_role("link", name="Voir la consommation de l'enveloppe")
    href = await link.get_attribute("href")
    assert href is not None
    tab = Person(await who.page.context.new_page(), who.base, who.console_errors)
    await tab.visit(href)
    return tab


async def _claim(who: Person, night: dt.date) -> str:
    await who.page.fill("#f-night", night.isoformat())
    await who.submit("Déclarer la nuitée")
    outcome = who.page.locator(".claim-outcome")
    await expect(outcome).to_be_visible()
    return await outcome.get_attribute("data-outcome") or ""


async def test_a_shelter_operator_allocates_a_place_and_sees_the_envelope_chart_move(
    browser: Browser, stack: Stack, premises: Premises
) -> None:
    operator = await _operator(browser, stack, OPERATOR_ORG, DEP)
    page = operator.page
    await operator.visit("/hebergement", shot="hebergement")
    tonight = page.locator(
        f"table[data-site='{premises.site_id}'] tr[data-night='{_day(premises.today, 0)}']"
    )
    await expect(tonight.locator(".adult-free")).to_have_text("3")  # their site's week
    await expect(tonight.locator(".child-free")).to_have_text("1")
    await expect(page.locator("#f-departement")).to_have_value(DEP)  # their own, to start with
    await page.fill("#f-departement", "999")  # no such département: said next to it
    await page.fill("#f-nuit", premises.today.isoformat())
    await operator.submit("Voir les places")
    await expect(page.locator("#f-departement-err1")).to_contain_text("Code de département")
    await expect(page.locator("#f-departement")).to_have_value("999")
    await expect(page.locator("#f-nuit")).to_have_value(_day(premises.today, 0))
    await page.fill("#f-id", "enveloppe 2026")  # a space: no envelope can have this id
    await operator.submit("Voir la consommation")
    await expect(page.locator("#f-id-err1")).to_contain_text("Identifiant non valide")
    await expect(page.locator("#f-id")).to_have_value("enveloppe 2026")
    await operator.check("hebergement-saisies-refusees")

    await page.fill("#f-departement", DEP)
    await operator.submit("Voir les places")
    await expect(page.locator(".adult-places")).to_have_text("3")
    await expect(page.locator(".child-places")).to_have_text("1")
    await operator.check("hebergement-places-libres")

    await page.fill("#f-id", premises.envelope_id)
    await operator.submit("Voir la consommation")
    assert await _chart(operator) == ("0", str(ENVELOPE_NIGHTS), "0")
    await operator.check("enveloppe-avant")

    await operator.visit("/hebergement")
    await page.fill("#f-case_id", premises.case_id)
    await page.select_option("#f-site_id", premises.site_id)  # one of their own sites
    await page.fill("#f-nights", "3")
    await page.fill("#f-adults", "personne-adulte-1")
    await page.fill("#f-children", "personne-enfant-1")
    await operator.submit("Attribuer")  # consent not ticked: refused, next to the box
    await expect(page.locator("#f-consent_given-err1")).to_contain_text("consentement")
    await expect(page.locator("#f-consent_given")).to_have_attribute("aria-invalid", "true")
    for name, typed in (
        ("case_id", premises.case_id),
        ("site_id", premises.site_id),
        ("nights", "3"),
        ("adults", "personne-adulte-1"),
        ("children", "personne-enfant-1"),
    ):
        await expect(page.locator(f"#f-{name}")).to_have_value(typed)  # nothing lost
    await operator.check("attribution-refusee")

    await page.fill("#f-case_id", "case-inconnu-1")  # a case intake never reported
    await page.check("#f-consent_given")
    await operator.submit("Attribuer")
    await expect(page.locator("#f-case_id-err1")).to_contain_text("ne connaît pas encore")
    await expect(page.locator("#f-case_id")).to_have_value("case-inconnu-1")
    await expect(page.locator("#f-consent_given")).to_be_checked()
    await operator.check("attribution-dossier-inconnu")

    await page.fill("#f-case_id", premises.case_id)
    await operator.submit("Attribuer")
    await expect(page.locator("h1")).to_have_text("Places attribuées")
    await expect(page.locator(".notice")).to_contain_text("3 nuit(s)")
    premises.notes["allocation"] = (await page.locator(".allocation-id").inner_text()).strip()
    await operator.check("attribution")

    await page.fill("#f-envelope_id", premises.envelope_id)
    assert await _claim(operator, premises.today) == "accepted"
    await operator.check("nuitee-acceptee")
    # The form is there again for the next night, the envelope kept.
    await expect(page.locator("#f-envelope_id")).to_have_value(premises.envelope_id)
    await expect(page.locator("#f-night")).to_have_value(_day(premises.today, 1))
    # One adult and one child: two nuitées of five, 2/5 of the bar.
    chart = await _envelope_tab(operator)
    assert await _chart(chart) == ("2", "3", str(WIDTH * 2 // ENVELOPE_NIGHTS))
    await chart.check("enveloppe-apres-une-nuit")
    await chart.page.close()

    # Found again from the shelter page, as on the days after the nights were provided.
    await operator.visit("/hebergement")
    await page.fill("#f-allocation_id", premises.notes["allocation"])
    await operator.submit("Ouvrir l'attribution")
    await expect(page.locator(".allocation-id")).to_have_text(premises.notes["allocation"])
    await expect(page.locator(".notice .case-id")).to_have_text(premises.case_id)
    await operator.check("attribution-retrouvee")
    await page.fill("#f-envelope_id", premises.envelope_id)
    assert await _claim(operator, premises.today) == "rejected"  # the same night again
    await expect(page.locator(".claim-outcome")).to_contain_text("déjà déclarée")
    await expect(page.locator("#f-night")).to_have_value(_day(premises.today, 0))  # as typed
    await operator.check("nuitee-refusee")
    assert await _claim(operator, premises.today + dt.timedelta(days=1)) == "accepted"
    assert await _claim(operator, premises.today + dt.timedelta(days=2)) == "rejected"
    await expect(page.locator(".claim-outcome")).to_contain_text("épuisée")

    await page.get_by_role("link", name="Voir la consommation de l'enveloppe").click()
    assert await _chart(operator) == ("4", "1", str(WIDTH * 4 // ENVELOPE_NIGHTS))
    await expect(page.locator("figcaption")).to_contain_text("enveloppe épuisée")
    await expect(page.locator("svg title")).to_have_text("4 nuitées utilisées sur 5, 1 restante")
    await expect(page.locator("main")).to_contain_text("140,00 € consommés sur 175,00 €")
    await operator.check("enveloppe-epuisee")

    await operator.visit(f"/hebergement?departement={DEP}&nuit={premises.today.isoformat()}")
    await expect(page.locator(".adult-places")).to_have_text("2")
    await expect(page.locator(".child-places")).to_have_text("0")
    for after, adults, children in ((0, "2", "0"), (2, "2", "0"), (3, "3", "1")):  # 3 nights
        night = page.locator(
            f"table[data-site='{premises.site_id}'] tr[data-night='{_day(premises.today, after)}']"
        )
        await expect(night.locator(".adult-free")).to_have_text(adults)
        await expect(night.locator(".child-free")).to_have_text(children)
    await operator.check("hebergement-apres-attribution")


async def test_an_operator_elsewhere_sees_a_refusal_and_no_data(
    browser: Browser, stack: Stack, premises: Premises
) -> None:
    night = premises.today.isoformat()
    outsider = await _operator(browser, stack, "chrs-75-paris", "75")
    page = outsider.page
    body = page.locator("main")
    answer = await outsider.visit(f"/hebergement/enveloppes/{premises.envelope_id}")
    assert answer.status == 404
    await expect(body).to_contain_text("Introuvable, ou hors de votre compétence")
    assert await page.locator("figure.chart, .nights-used").count() == 0
    assert "nuitées" not in await body.inner_text()
    await outsider.check("refus-enveloppe")

    answer = await outsider.visit(f"/hebergement?departement={DEP}&nuit={night}")
    assert answer.status == 403
    await expect(body).to_contain_text("département pour lequel vous n'agissez pas")
    assert await page.locator(".free-places").count() == 0
    await outsider.check("refus-places-libres")

    answer = await outsider.visit(f"/hebergement/attributions/{premises.notes['allocation']}")
    assert answer.status == 404
    await expect(body).to_contain_text("Introuvable, ou hors de votre compétence")
    assert premises.case_id not in await page.content()
    await outsider.check("refus-attribution")

    await outsider.visit("/hebergement")
    assert await page.locator("table.site-nights").count() == 0  # not their site
    await _fill_allocation(outsider, premises)
    await outsider.submit("Attribuer")
    await expect(page.locator("#f-site_id-err1")).to_contain_text("Aucun site")
    await expect(page.locator("#f-case_id")).to_have_value(premises.case_id)
    await outsider.check("attribution-hors-departement")

    # Same département, another organisation: the site's places are not theirs to give.
    neighbour = await _operator(browser, stack, "chrs-93-voisin", DEP)
    await neighbour.visit("/hebergement")
    assert await neighbour.page.locator("table.site-nights").count() == 0
    await expect(neighbour.page.locator("main")).to_contain_text("Aucun site de votre organisation")
    await _fill_allocation(neighbour, premises)
    await neighbour.submit("Attribuer")
    await expect(neighbour.page.locator("#f-site_id-err1")).to_contain_text(
        "Seule l'organisation gestionnaire du site"
    )
    await neighbour.check("attribution-autre-organisation")
    await neighbour.visit(f"/hebergement?departement={DEP}&nuit={night}")
    await expect(neighbour.page.locator(".adult-places")).to_have_text("2")  # nothing taken


async def _fill_allocation(who: Person, premises: Premises) -> None:
    await who.page.fill("#f-case_id", premises.case_id)
    await who.page.fill("#f-site_id", premises.site_id)
    await who.page.fill("#f-adults", "personne-adulte-9")
    await who.page.check("#f-consent_given")
