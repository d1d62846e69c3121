"""French words for the closed vocabularies the services answer with (English in code).

A value missing here is shown as it is: the console never hides what a service said.
"""

from __future__ import annotations

from typing import Final

CHANNELS: Final = {
    "police": "Police ou gendarmerie",
    "hotline_3919": "3919 (écoute violences femmes)",
    "sms_114": "114 (SMS d'urgence)",
    "online_platform": "Plateforme de signalement en ligne",
    "pharmacy": "Pharmacie",
    "info_point": "Point d'information éphémère",
    "association": "Association",
    "court": "Tribunal",
    "perpetrator_line": "Ligne « Ne frappez pas »",
}
REPORT_KINDS: Final = {
    "complaint": "Plainte",
    "logbook_entry": "Main courante",
    "alert": "Alerte",
    "call": "Appel",
    "application": "Requête au tribunal",
}
CASE_KINDS: Final = {
    "conjugal_violence": "Violences conjugales",
    "sexual_violence": "Violences sexuelles",
    "trafficking": "Traite des êtres humains",
    "prostitution_exit": "Parcours de sortie de la prostitution",
}
TRAFFICKING_FORMS: Final = {
    "sexual_exploitation": "Exploitation sexuelle",
    "forced_labour": "Travail forcé",
    "forced_begging": "Mendicité forcée",
    "forced_criminality": "Contrainte à commettre des délits",
}
RISK_LEVELS: Final = {
    "standard": "Standard",
    "medium": "Moyen",
    "high": "Élevé",
    "grave_danger": "Grave danger",
}
LOWERING_REASONS: Final = {
    "protection_measure_in_place": "Mesure de protection en place",
    "perpetrator_detained": "Auteur incarcéré",
    "victim_relocated": "Victime mise à l'abri",
    "review_of_assessment": "Réexamen de l'évaluation",
}
ROLES: Final = {
    "police": "Police / gendarmerie",
    "hotline": "Écoutante (3919, 114)",
    "association": "Association",
    "reporting_point": "Point de signalement (pharmacie, point d'information)",
    "prosecutor": "Parquet",
    "justice_clerk": "Greffe",
    "shelter_operator": "Gestionnaire d'hébergement",
    "committee_member": "Membre du comité local (CLAV)",
    "auditor": "Auditeur",
}
STAGES: Final = {
    "requested": "Requête déposée",
    "hearing_scheduled": "Audience fixée",
    "summons_served": "Requête signifiée",
    "issued": "Ordonnance délivrée",
    "rejected": "Requête rejetée",
    "lapsed": "Caduque",
    "revoked": "Levée (mainlevée)",
    "expired": "Expirée",
}
DEADLINES: Final = {
    "service": "Signification (2 jours)",
    "ruling": "Décision (6 jours)",
    "provisional_decision": "Décision OPPI (24 heures)",
    "expiry": "Fin de l'ordonnance",
    "notification": "Notification",
    "registration": "Inscription FPR / FINIADA",
}
FLAGS: Final = {
    "not_notified": "Non notifiée",
    "not_registered": "Non inscrite (FPR / FINIADA)",
}
APPLICANTS: Final = {
    "victim": "La victime",
    "prosecutor_with_agreement": "Le parquet, avec l'accord de la victime",
}
NATIONAL_FILES: Final = {
    "FPR": "Fichier des personnes recherchées (FPR)",
    "FINIADA": "Fichier des interdits d'armes (FINIADA)",
}
MEASURES: Final = {
    "no_contact": "Interdiction d'entrer en contact",
    "no_presence_in_places": "Interdiction de paraître en certains lieux",
    "weapon_ban": "Interdiction de détenir une arme",
    "weapon_surrender": "Remise des armes",
    "family_home_allocation": "Jouissance du logement familial",
    "housing_costs": "Prise en charge des frais du logement",
    "parental_authority": "Exercice de l'autorité parentale",
    "child_residence": "Résidence des enfants",
    "visiting_rights": "Droit de visite et d'hébergement",
    "visiting_rights_suspended": "Suspension du droit de visite",
    "address_concealment": "Dissimulation du domicile",
    "legal_aid": "Aide juridictionnelle provisoire",
    "electoral_list_masking": "Adresse masquée sur les listes électorales",
    "pet_custody": "Garde des animaux de compagnie",
    "anti_approach_bracelet": "Bracelet anti-rapprochement",
    "serious_danger_phone": "Téléphone grave danger",
}
EVENT_TYPES: Final = {
    "case.opened": "Dossier ouvert",
    "case.closed": "Dossier clos",
    "case.erased": "Données personnelles effacées",
    "case.linked": "Dossier lié",
    "report.filed": "Signalement",
    "risk.assessed": "Évaluation du danger",
    "risk.lowered": "Niveau de danger abaissé",
    "protection_order.requested": "Requête en ordonnance de protection",
    "protection_order.hearing_scheduled": "Audience fixée",
    "protection_order.summons_served": "Requête signifiée",
    "protection_order.lapsed": "Requête caduque",
    "protection_order.issued": "Ordonnance de protection délivrée",
    "protection_order.rejected": "Requête rejetée",
    "protection_order.notified": "Ordonnance notifiée",
    "protection_order.registered": "Inscription au fichier national",
    "protection_order.extended": "Ordonnance prolongée",
    "protection_order.modified": "Ordonnance modifiée",
    "protection_order.revoked": "Ordonnance levée",
    "protection_order.expired": "Ordonnance expirée",
    "protection_order.ruling_overdue": "Décision en retard",
    "protection_order.flagged": "Ordonnance signalée au greffe",
    "provisional_order.requested": "OPPI demandée",
    "provisional_order.issued": "OPPI délivrée",
    "provisional_order.rejected": "OPPI rejetée",
    "provisional_order.overdue": "Décision OPPI en retard",
    "provisional_order.ended": "Fin de l'OPPI",
    "protective_device.assigned": "Dispositif de protection attribué",
    "protective_device.renewed": "Dispositif renouvelé",
    "protective_device.withdrawn": "Dispositif retiré",
    "order_breach.reported": "Violation de l'ordonnance signalée",
    "shelter.allocated": "Hébergement attribué",
    "shelter.allocation_released": "Hébergement libéré",
    "shelter.night_claimed": "Nuitées déclarées",
    "shelter.night_claim_rejected": "Nuitées refusées",
    "referral.sent": "Orientation envoyée",
    "referral.accepted": "Orientation acceptée",
    "referral.declined": "Orientation refusée",
    "referral.completed": "Orientation terminée",
    "referral.withdrawn": "Orientation retirée",
    "referral.escalated": "Orientation sans réponse (relance)",
    "consent.given": "Consentement recueilli",
    "consent.withdrawn": "Consentement retiré",
    "consent.overridden": "Dérogation au consentement",
}
DECLINE_REASONS: Final = {
    "no_capacity": "Plus de place",
    "not_eligible": "Hors critères",
    "person_declined": "La personne a refusé",
    "unreachable": "Personne injoignable",
    "other": "Autre (préciser)",
}
# Why a night claim was refused (the funder sees these too: relais_events.catalogue.shelter).
CLAIM_REJECTIONS: Final = {
    "envelope_exhausted": "l'enveloppe est épuisée",
    "no_allocation": "cette nuit ne fait pas partie de l'attribution",
    "person_already_counted": "cette nuit est déjà déclarée pour ces personnes",
    "over_declared_capacity": "au-delà des places déclarées par le site",
    "outside_envelope_period": "la nuit est hors de la période de l'enveloppe",
    "outside_envelope_territory": "le site est hors du territoire de l'enveloppe",
}
VOCABULARIES: Final = {
    "channel": CHANNELS,
    "kind": CASE_KINDS,
    "case_kind": CASE_KINDS,
    "report_kind": REPORT_KINDS,
    "level": RISK_LEVELS,
    "risk_level": RISK_LEVELS,
    "from_level": RISK_LEVELS,
    "to_level": RISK_LEVELS,
    "applicant": APPLICANTS,
    "file": NATIONAL_FILES,
    "reason": LOWERING_REASONS,
}


def label(vocabulary: dict[str, str], value: object) -> str:
    text = str(value) if value is not None else ""
    return vocabulary.get(text, text)
