"""The one access log: one entry per read, one pseudonym format, signed, about what was shown."""

from __future__ import annotations

from relais_events.catalogue.timeline import AccessLogged, AccessPurpose
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
