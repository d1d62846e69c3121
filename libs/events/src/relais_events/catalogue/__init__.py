"""Catalogue v1: every event type of Relais, one frozen model each, in one registry.

Importing this package registers every model (one module per owning context).
"""

from relais_events.catalogue import (  # noqa: F401  (imported to register their models)
    intake,
    protection_orders,
    referrals,
    shelter,
    timeline,
)
from relais_events.catalogue.base import Event, Registry, UnknownEventType, catalogue, register

__all__ = ["Event", "Registry", "UnknownEventType", "catalogue", "register"]
