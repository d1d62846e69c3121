"""Committee meetings on MongoDB 7 / FerretDB 1.x: written once, by insert (store rule 1)."""

from __future__ import annotations

from typing import Any, Final

from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from relais_timeline.application.ports import MeetingAlreadyHeld
from relais_timeline.domain.committee import CommitteeMeeting

Document = dict[str, Any]
MEETINGS: Final = "committee_meetings"


class MongoMeetingStore:
    def __init__(self, database: AsyncDatabase[Document]) -> None:
        self._meetings = database[MEETINGS]

    async def add(self, meeting: CommitteeMeeting) -> None:
        document = {"_id": meeting.meeting_id, **meeting.model_dump(mode="json")}
        try:
            await self._meetings.insert_one(document)
        except DuplicateKeyError as error:
            raise MeetingAlreadyHeld(meeting.meeting_id) from error

    async def get(self, meeting_id: str) -> CommitteeMeeting | None:
        document = await self._meetings.find_one({"_id": meeting_id})
        if document is None:
            return None
        document.pop("_id")
        return CommitteeMeeting.model_validate(document)
