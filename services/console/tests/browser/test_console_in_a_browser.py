"""The console in a real headless Chromium against the real services (issue 14, "Done when").

One story, in order: a police officer files a report; a committee member of the same
département sees it, then sees the next report arrive on the open timeline without reloading;
a member of another département gets a refusal page and no data; the timeline as known on a
date, a meeting and the case at that meeting; a clerk records an application and a hearing and
sees the deadlines appear, then the ruling and notification make the order enforceable on the
committee's list; a reporting point sees only an acknowledgement. Every page visited passes
axe-core (no serious or critical violation) and is saved under ``.relais/screenshots/``.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.async_api import Browser, expect

from .conftest import Story
from .people import Person, person
from .stack import Stack

pytestmark = [pytest.mark.servers, pytest.mark.timeout(240)]
PARIS_INPUT = "%Y-%m-%dT%H:%M"


async def _login(browser: Browser, stack: Stack, role: str, org: str, dep: str) -> Person:
    who = await person(browser, stack.console)
    await who.login(role, org, dep, sub=f"{role}-{dep}")
    return who


async def test_a_police_officer_files_a_report(
    browser: Browser, stack: Stack, story: Story
) -> None:
    police = await _login(browser, stack, "police", "pn-93", "93")
    story.first_report_before = dt.datetime.now(dt.UTC).isoformat()
    await police.visit("/", shot="accueil-police")
    await police.visit("/signalements/nouveau", shot="signalement-nouveau")
    page = police.page
    await page.select_option("#f-report_kind", "complaint")
    await page.fill("#f-victim-last_name", "Martin")
    await page.fill("#f-victim-first_name", "Claire")
    await page.fill("#f-narrative", "Coups portés au domicile.")
    await page.check("#f-with_assessment")
    await page.check("input[name='answer.threats_to_kill'][value='yes']")
    await page.check("input[name='answer.weapon_access'][value='no']")
    await page.select_option("#f-level", "high")
    await police.submit("Enregistrer le signalement")
    assert re.search(r"/signalements/enregistre/", page.url), page.url
    story.case_id = (await page.locator(".case-id").inner_text()).strip()
    await police.check("signalement-enregistre")
    story.notes["police"] = "ok"


async def test_a_member_of_the_same_departement_sees_it_live(
    browser: Browser, stack: Stack, story: Story
) -> None:
    member = await _login(browser, stack, "committee_member", "clav-93", "93")
    await member.visit("/comite/93")
    row = member.page.locator(f"tr[data-case='{story.case_id}']")
    await member.reload_until(row.is_visible)
    await expect(row).to_contain_text("Élevé")
    await member.check("comite-liste")
    await row.get_by_role("link").click()
    entries = member.page.locator("li.entry[data-type='report.filed']")
    await expect(entries).to_have_count(1)
    await member.check("chronologie")
    # Mark this page: a reload would lose the mark.
    await member.page.evaluate("window.relaisMark = 'same page'")

    police = await _login(browser, stack, "police", "pn-93", "93")
    await police.visit(f"/signalements/nouveau?dossier={story.case_id}")
    await police.page.select_option("#f-report_kind", "logbook_entry")
    await police.page.fill("#f-narrative", "Nouvelles menaces par téléphone.")
    await police.submit("Enregistrer le signalement")
    await expect(police.page.locator(".case-id")).to_have_text(story.case_id)

    await expect(entries).to_have_count(2, timeout=30_000)
    assert await member.page.evaluate("window.relaisMark") == "same page"
    await member.check("chronologie-en-direct")


async def test_a_member_of_another_departement_gets_a_refusal_and_no_data(
    browser: Browser, stack: Stack, story: Story
) -> None:
    outsider = await _login(browser, stack, "committee_member", "clav-75", "75")
    answer = await outsider.visit(f"/dossiers/{story.case_id}")
    assert answer.status == 404
    body = outsider.page.locator("main")
    await expect(body).to_contain_text("Aucune donnée du dossier n'a été affichée")
    assert await outsider.page.locator("li.entry").count() == 0
    assert "Signalement" not in await body.inner_text()
    await outsider.check("refus-dossier")
    answer = await outsider.visit("/comite/93")
    assert answer.status == 403
    await expect(body).to_contain_text("département pour lequel vous n'agissez pas")
    assert story.case_id not in await outsider.page.content()
    await outsider.check("refus-comite")


async def test_the_timeline_as_known_on_a_date_and_at_a_meeting(
    browser: Browser, stack: Stack, story: Story
) -> None:
    member = await _login(browser, stack, "committee_member", "clav-93", "93")
    await member.visit(f"/dossiers/{story.case_id}")
    before = dt.datetime.fromisoformat(story.first_report_before) - dt.timedelta(minutes=1)
    # A minute before the first report was filed, the log held nothing of this case.
    await member.page.fill("#f-as_of", before.astimezone(_paris()).strftime(PARIS_INPUT))
    await member.submit("Afficher")
    assert "as_of=" in member.page.url
    await expect(member.page.locator(".lead")).to_contain_text("Tel que connu le")
    await expect(member.page.locator("li.entry")).to_have_count(0)
    await expect(member.page.locator("#entries")).not_to_have_attribute(
        "data-live-src", re.compile(".*")
    )
    await member.check("chronologie-tel-que-connu")

    await member.visit("/comite/93")
    await member.submit("Enregistrer une réunion (instantané des dossiers)")
    meeting_id = (await member.page.locator(".meeting-id").inner_text()).strip()
    await member.check("reunion")
    await member.page.get_by_role("link", name=story.case_id).click()
    await expect(member.page.locator(".lead")).to_contain_text(meeting_id)
    await expect(member.page.locator("li.entry[data-type='report.filed']")).to_have_count(2)
    await member.check("reunion-dossier")
    await member.visit(f"/comite/93/reunions?dossier={story.case_id}", shot="reunion-ouvrir")


async def test_a_clerk_records_a_hearing_and_sees_the_deadlines(
    browser: Browser, stack: Stack, story: Story
) -> None:
    clerk = await _login(browser, stack, "justice_clerk", "tj-93", "93")
    page = clerk.page
    await clerk.visit("/greffe", shot="greffe-echeances-vide")
    await clerk.visit("/greffe/requete")
    await page.fill("#f-case_id", "dossier 12")  # a space: intake's alphabet refuses it
    await page.check("input[name='applicant'][value='victim']")
    await clerk.submit("Enregistrer la requête")
    error = page.locator("#f-case_id-err1")
    await expect(error).to_contain_text("Identifiant non valide")
    await expect(page.locator("#f-case_id")).to_have_value("dossier 12")  # nothing lost
    await expect(page.locator("#f-departement")).to_have_value("93")
    await clerk.check("requete-refusee")

    await page.fill("#f-case_id", story.case_id)
    await clerk.submit("Enregistrer la requête")
    assert "/greffe/ordonnances/" in page.url
    story.order_id = page.url.rsplit("/", 1)[-1]
    await clerk.check("ordonnance-requete")

    hearing = dt.datetime.now(_paris()) + dt.timedelta(days=3)
    await page.fill("#f-hearing_at", hearing.strftime(PARIS_INPUT))
    await clerk.submit("Enregistrer la date d'audience")
    deadlines = page.locator("ul.deadlines li")
    await expect(page.locator("li[data-deadline='service']")).to_contain_text("avant le")
    await expect(page.locator("li[data-deadline='ruling']")).to_contain_text("avant le")
    assert await deadlines.count() == 2
    await clerk.check("ordonnance-echeances")
    await clerk.visit("/greffe")
    row = page.locator(f"tr[data-order='{story.order_id}'] .next-deadline")
    await expect(row).to_contain_text("Signification")
    await clerk.check("greffe-echeances")


async def test_the_ruled_and_notified_order_is_enforceable_on_the_committee_list(
    browser: Browser, stack: Stack, story: Story
) -> None:
    clerk = await _login(browser, stack, "justice_clerk", "tj-93", "93")
    page = clerk.page
    await clerk.visit(f"/greffe/ordonnances/{story.order_id}")
    await clerk.submit("Enregistrer la signification")
    await page.check("input[name='decision'][value='issued']")
    await page.check("input[name='measures'][value='no_contact']")
    await page.fill("#f-duration_months", "13")  # over the maximum: refused, nothing lost
    await clerk.submit("Enregistrer la décision")
    await expect(page.locator("#refus")).to_contain_text("12 mois au plus")
    await expect(page.locator("input[name='measures'][value='no_contact']")).to_be_checked()
    await clerk.check("decision-refusee")
    await page.fill("#f-duration_months", "12")
    await clerk.submit("Enregistrer la décision")
    await clerk.submit("Enregistrer la notification")
    await expect(page.locator(".stage")).to_have_text("Ordonnance délivrée")
    await clerk.check("ordonnance-delivree")

    member = await _login(browser, stack, "committee_member", "clav-93", "93")
    await member.visit("/comite/93")
    cell = member.page.locator(f"tr[data-case='{story.case_id}'] .enforceable")
    await member.reload_until(lambda: _says_yes(cell))
    await member.check("comite-ordonnance-executoire")


async def test_a_reporting_point_sees_only_the_acknowledgement(
    browser: Browser, stack: Stack, story: Story
) -> None:
    pharmacy = await _login(browser, stack, "reporting_point", "pharmacie-93-1", "93")
    await pharmacy.visit("/signalements/nouveau", shot="signalement-point-de-signalement")
    await pharmacy.page.select_option("#f-channel", "pharmacy")
    await pharmacy.page.select_option("#f-report_kind", "alert")
    await pharmacy.submit("Enregistrer le signalement")
    assert "/signalements/accuse/" in pharmacy.page.url
    reference = (await pharmacy.page.locator(".reference").inner_text()).strip()
    assert await pharmacy.page.locator("a[href^='/dossiers/']").count() == 0
    await pharmacy.check("accuse-de-reception")
    answer = await pharmacy.visit(f"/dossiers/{reference}")
    assert answer.status == 403  # the timeline refuses the role outright: it reads nothing
    await expect(pharmacy.page.locator("main")).to_contain_text("Aucune donnée du dossier")
    assert await pharmacy.page.locator("li.entry").count() == 0


async def test_a_hotline_listener_assesses_the_danger(
    browser: Browser, stack: Stack, story: Story
) -> None:
    listener = await _login(browser, stack, "hotline", "fnsf-3919", "93")
    await listener.visit(f"/dossiers/{story.case_id}/evaluation", shot="evaluation")
    await listener.page.check("input[name='answer.strangulation'][value='yes']")
    await listener.page.select_option("#f-level", "grave_danger")
    await listener.submit("Enregistrer l'évaluation")
    await expect(listener.page.locator(".case-id")).to_have_text(story.case_id)


def _paris() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Paris")


async def _says_yes(cell: object) -> bool:
    from playwright.async_api import Locator

    assert isinstance(cell, Locator)
    return await cell.count() == 1 and (await cell.inner_text()).strip() == "Oui"


async def test_the_partner_page_shell_is_accessible(
    browser: Browser, stack: Stack, story: Story
) -> None:
    """The referrals service is not in this stack: only the inbox's partner picker, which calls
    nothing, is drawn here. The shelter pages have their own story (test_shelter_in_a_browser)."""
    partner = await _login(browser, stack, "association", "cidff-93", "93")
    await partner.visit("/orientations/recues", shot="orientations-recues")
