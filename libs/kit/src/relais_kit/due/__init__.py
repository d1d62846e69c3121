"""Due work, fired once: a schedule of entries, their firings, and the manager that fires them
exactly once across replicas and crashes (see ``relais_kit.due.manager``)."""

from relais_kit.due.manager import DueManager, Visit
from relais_kit.due.ports import DueEntry, DueSchedule, DueWork, Firing, Firings

__all__ = ["DueEntry", "DueManager", "DueSchedule", "DueWork", "Firing", "Firings", "Visit"]
