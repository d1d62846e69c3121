"""Errors of the use cases, mapped to problems at the HTTP edge."""

from __future__ import annotations


class CaseNotVisible(LookupError):  # noqa: N818  (named after what happened)
    """No such case for this caller: absent, or outside what they may see (same answer, so a
    case's existence does not leak across départements)."""


class MeetingNotFound(LookupError):  # noqa: N818
    """No such meeting of this département."""


class EventNotYetApplied(Exception):  # noqa: N818  (named after what happened)
    """``min_event`` was not in the timeline within the wait: retry after ``retry_after_s``."""

    def __init__(self, event_id: str, retry_after_s: int) -> None:
        super().__init__(f"event {event_id} is not applied yet")
        self.event_id = event_id
        self.retry_after_s = retry_after_s


class NotThisCommittee(PermissionError):  # noqa: N818
    """The caller is not a committee member acting for this département."""
