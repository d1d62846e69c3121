"""Which pages each role works in: the landing page after login and the navigation links.

Only navigation: what a person may see is decided by the services on every call (their
policies and the jurisdiction check), so a link shown here can still lead to a refusal page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from relais_console.entrypoints.session import User


@dataclass(frozen=True)
class Link:
    href: str
    text: str


_HOME: Final = {
    "committee_member": "/comite",
    "justice_clerk": "/greffe",
    "prosecutor": "/greffe",
    "police": "/signalements/nouveau",
    "hotline": "/signalements/nouveau",
    "association": "/signalements/nouveau",
    "reporting_point": "/signalements/nouveau",
    "shelter_operator": "/hebergement",
}


def home_of(role: str) -> str:
    return _HOME.get(role, "/")


def navigation(user: User | None) -> list[Link]:
    if user is None:
        return []
    links = [Link("/", "Accueil")]
    if user.has("committee_member"):
        links.append(Link("/comite", "Comité local"))
    if user.has("justice_clerk", "prosecutor"):
        links.append(Link("/greffe", "Échéances des ordonnances"))
    if user.reporter or user.has("justice_clerk", "prosecutor"):
        links.append(Link("/signalements/nouveau", "Nouveau signalement"))
    if user.has("shelter_operator"):
        links.append(Link("/hebergement", "Hébergement"))
    if user.has("association", "shelter_operator", "hotline", "police"):
        links.append(Link("/orientations/recues", "Orientations reçues"))
        links.append(Link("/orientations/envoyees", "Orientations envoyées"))
    return links
