"""Errors of the timeline domain (no framework import: the API maps them to problems)."""


class TimelineError(Exception):
    """Base of the timeline's domain errors."""


class CaseNotInMeeting(TimelineError):  # noqa: N818  (named after what happened)
    """The case was not among the cases the committee had before it at that meeting."""


class OutsideDepartement(TimelineError):  # noqa: N818
    """The case does not belong to the committee's département."""
