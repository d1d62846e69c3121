"""The one access log: one entry per read, one pseudonym format, signed, about what was shown."""

from __future__ import annotations

import datetime as dt

from relais_events.catalogue.timeline import AccessLogged, AccessLogPurged, AccessPurpose
from relais_events.envelope import Envelope, payload
from relais_events.vocabulary import Role
from relais_kit.application import Acting, pseudonym
from relais_kit.application.access_log import AccessLog, Shown

from .conftest import Kit

READER = Acting("membre.clav@justice.fr", Role.COMMITTEE_MEMBER, "CLAV 93", frozenset({"93"}))


def logged(kit: Kit) -> list[Envelope]:
    return [Envelope.model_validate(e) for c in kit.committed for e in c.events]


async def test_a_read_of_one_case_is_one_entry_about_that_case(kit: Kit) -> None:
    log = AccessLog(kit.write_path())
    entry = await log.record(
        READER, "case", AccessPurpose.COMMITTEE_REVIEW, [Shown("case-1", "93", "evt-9")]
    )
    event = payload(entry)
    assert isinstance(event, AccessLogged)
    assert (entry.subject, entry.jurisdiction, entry.dependson) == ("case-1", "93", ("evt-9",))
    assert (entry.aggregateid, entry.aggregateversion) == (event.access_id, 1)
    assert event.access_id.startswith("access-")
    assert (event.case_ids, event.resource, event.purpose) == (
        ["case-1"],
        "case",
        "committee_review",
    )
    assert entry.sig is not None
    assert entry.actor.role is Role.COMMITTEE_MEMBER
    assert kit.store.reset() == ["append"]  # no read: an entry is a new aggregate


async def test_who_is_named_by_one_pseudonym_format_everywhere(kit: Kit) -> None:
    entry = payload(
        await AccessLog(kit.write_path()).record(
            READER, "timeline", AccessPurpose.COMMITTEE_REVIEW, [Shown("case-1", "93")]
        )
    )
    assert isinstance(entry, AccessLogged)
    assert entry.subject_ref == pseudonym("membre.clav@justice.fr")
    assert entry.subject_ref.startswith("sha256-")
    assert len(entry.subject_ref) == 71
    assert entry.org == pseudonym("CLAV 93") != "CLAV 93"
    assert pseudonym("clav-93-member") == "clav-93-member"  # a safe identifier stays readable


async def test_a_listing_is_one_entry_naming_every_case_of_the_page(kit: Kit) -> None:
    page = [Shown(f"case-{n}", "93", f"evt-{n}") for n in range(40)] + [Shown("case-0", "93")]
    entry = await AccessLog(kit.write_path()).record(
        READER, "case", AccessPurpose.COMMITTEE_REVIEW, page
    )
    event = payload(entry)
    assert isinstance(event, AccessLogged)
    assert event.case_ids == [f"case-{n}" for n in range(40)]  # each case once, in page order
    assert entry.subject == event.access_id  # about the listing itself, not one of its cases
    assert len(kit.committed) == 1
    assert len(logged(kit)) == 1


async def test_entries_past_the_retention_are_purged_and_the_purge_is_recorded(kit: Kit) -> None:
    """CNIL guidance, DOMAIN.md "Data protection": kept 12 months (the setting), then deleted;
    the purge is an ``access_log.purged`` event, with counts and never cases nor readers."""
    log = AccessLog(kit.write_path())
    year = dt.timedelta(days=365)
    shown = [Shown("case-old", "93", "evt-1")]
    old = [await log.record(READER, "case", AccessPurpose.COMMITTEE_REVIEW, shown) for _ in "ab"]
    kit.clock.advance(dt.timedelta(days=200))
    recent = await log.record(READER, "case", AccessPurpose.CASE_FOLLOW_UP, shown)
    unpublished_at = kit.clock.now()
    kit.clock.advance(dt.timedelta(days=1))
    late = await log.record(READER, "case", AccessPurpose.CASE_FOLLOW_UP, shown)
    published = [c.id for c in kit.committed if c.aggregate_id != late.aggregateid]
    await kit.memory.mark_published(published)
    assert await log.purge(year) is None  # nothing is a year old yet
    kit.clock.advance(year - dt.timedelta(days=200))  # the first two are a year and a day old
    purged = await log.purge(year)
    assert purged is not None
    event = payload(purged)
    assert isinstance(event, AccessLogPurged)
    assert (event.entries, event.retention_days) == (2, 365)
    assert event.logged_before == kit.clock.now() - year
    assert purged.subject == event.purge_id
    assert "case-old" not in purged.model_dump_json()
    assert "membre" not in purged.model_dump_json()
    for entry in old:
        assert await kit.memory.load(entry.aggregateid) == []
    assert await kit.memory.load(recent.aggregateid) != []
    # An entry not yet on Kafka is never purged, however old: only its relay may let it go.
    kit.clock.set(unpublished_at + 3 * year)
    again = await log.purge(year)
    assert again is not None
    later = payload(again)
    assert isinstance(later, AccessLogPurged)
    assert later.entries == 1
    assert await kit.memory.load(recent.aggregateid) == []
    assert await kit.memory.load(late.aggregateid) != []
    assert await log.purge(year) is None
