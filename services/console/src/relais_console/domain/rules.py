"""The services' business rules, by the name they answer in a problem's ``rule``, in French.

Each sentence says what the rule asks of the person at the form, with the source the service
cites (C. civ., CPC, DOMAIN.md). A rule unknown here falls back to the status's sentence.
"""

from __future__ import annotations

from typing import Final

RULES: Final[dict[str, str]] = {
    # Protection orders (C. civ. art. 515-9 to 515-13-1, CPC art. 1136-3 and following)
    "ActDatedInFuture": "Un acte s'enregistre après avoir eu lieu : sa date ne peut pas être "
    "dans le futur.",
    "RulingBeforeApplication": "La décision ou l'audience ne peut pas précéder la requête "
    "(C. civ. art. 515-10).",
    "ServiceAfterRuling": "La signification intervient avant la décision (CPC art. 1136-3).",
    "ActBeforePreviousStep": "Cette étape ne peut pas être datée avant l'étape qui la précède.",
    "ProsecutorApplicationNeedsAgreement": "Le procureur ne saisit le juge qu'avec l'accord de "
    "la victime (C. civ. art. 515-10).",
    "OnlyProsecutorMayApplyForVictim": "Une requête « avec accord de la victime » est celle du "
    "procureur (C. civ. art. 515-10).",
    "OnlyClerkRecordsJudicialActs": "Le greffe enregistre les actes du juge (audience, "
    "signification, décision, notification).",
    "OnlyProsecutorMayRegister": "L'inscription au FPR ou au FINIADA est faite par le parquet.",
    "ApplicationAlreadyFiled": "Une requête est déjà enregistrée sous ce numéro d'ordonnance.",
    "NoApplication": "Aucune requête n'est enregistrée pour cette ordonnance.",
    "HearingAlreadyScheduled": "La date d'audience est déjà fixée (C. civ. art. 515-10).",
    "NoHearingScheduled": "Fixez d'abord la date d'audience (CPC art. 1136-3).",
    "SummonsAlreadyServed": "La requête a déjà été signifiée (CPC art. 1136-3).",
    "OrderAlreadyRuled": "Une décision est déjà enregistrée pour cette requête.",
    "OrderNotIssued": "Cette étape suppose une ordonnance délivrée (C. civ. art. 515-11).",
    "OrderNotNotified": "L'ordonnance doit d'abord être notifiée (C. civ. art. 515-12).",
    "OrderAlreadyNotified": "L'ordonnance est déjà notifiée (CPC art. 1136-7).",
    "OrderLapsed": "La requête est caduque faute de signification dans le délai (CPC art. 1136-3).",
    "OrderExpired": "L'ordonnance est arrivée à son terme (C. civ. art. 515-12).",
    "OrderRevoked": "L'ordonnance a été levée (C. civ. art. 515-12).",
    "ApplicationRejected": "La requête a été rejetée : seule une nouvelle requête peut suivre.",
    "DurationOverMaximum": "Durée trop longue : 12 mois au plus (C. civ. art. 515-12).",
    "MeasureNotAllowed": "Une mesure choisie n'est pas prévue pour cette ordonnance "
    "(C. civ. art. 515-11).",
    "FiniadaNeedsWeaponBan": "Seule une ordonnance interdisant la détention d'arme s'inscrit "
    "au FINIADA.",
    "AlreadyRegistered": "L'ordonnance est déjà inscrite dans ce fichier.",
    # Intake (DOMAIN.md "Cases", "Risk levels")
    "CaseNotFound": "Aucun dossier ne porte ce numéro dans votre département.",
    "CaseIsClosed": "Ce dossier est clos : un nouveau signalement ouvre un nouveau dossier.",
    "ReportOutsideCaseDepartement": "Un signalement ne complète qu'un dossier de son propre "
    "département.",
    "ChannelNotOpenToRole": "Ce canal n'est pas celui de votre rôle (par exemple : pharmacie et "
    "point d'information pour les points de signalement, 3919 et 114 pour les écoutantes).",
    "TraffickingFormsOnlyForTrafficking": "Les formes d'exploitation ne qualifient que les "
    "dossiers de traite des êtres humains.",
    "LoweringNeedsReviewer": "Baisser le niveau de danger demande un rôle de relecture.",
    "LoweringNeedsWrittenReason": "Baisser le niveau de danger demande un motif et une "
    "justification écrite.",
    "AssessmentAlreadyRecorded": "Cette évaluation est déjà enregistrée.",
    # Shelter (DOMAIN.md "Shelter and nights", "Minors", "Referrals and consent")
    "SiteNotFound": "Aucun site des départements pour lesquels vous agissez ne porte cet "
    "identifiant.",
    "CaseNotKnown": "Le service d'hébergement ne connaît pas encore ce dossier dans vos "
    "départements : un signalement tout juste déposé lui parvient en quelques secondes, "
    "renvoyez le formulaire dans un instant ; sinon vérifiez le numéro.",
    "AllocationNotFound": "Aucune attribution de vos départements ne porte cet identifiant.",
    "EnvelopeNotFound": "Aucune enveloppe de financement que vous puissiez consulter ne porte "
    "cet identifiant.",
    "NotTheSitesOperator": "Seule l'organisation gestionnaire du site attribue ses places et "
    "déclare ses nuitées.",
    "NightFull": "Plus de place libre sur ce site pour l'une des nuits demandées : un site "
    "n'attribue jamais plus de places qu'il n'en a déclaré.",
    "NightNotDeclared": "Le site n'a pas déclaré de places (ou pas de place adaptée aux "
    "enfants) pour l'une des nuits demandées.",
    "PersonAlreadySheltered": "Une des personnes a déjà une place l'une de ces nuits : une "
    "personne compte une fois par nuit, tous sites confondus.",
    "SiteTakesNoChildren": "Ce site n'accueille pas d'enfants.",
    "BadNightRange": "Nombre de nuits non valide : de 1 à la durée de séjour maximale, avec au "
    "moins un adulte.",
    "ConsentRequired": "Une victime majeure est hébergée avec son consentement : recueillez-le "
    "puis cochez la case (une victime mineure n'est jamais refusée faute de consentement).",
    "AlreadyRecorded": "Cet identifiant est déjà enregistré.",
    "CapacityCannotShrink": "Une déclaration peut augmenter les places d'une nuit, jamais les "
    "baisser : libérez d'abord des attributions.",
    "ChildPlacesOverPlaces": "Les places adaptées aux enfants font partie des places du site : "
    "jamais plus qu'elles.",
    "AlreadyReleased": "Cette attribution est déjà libérée.",
    "ReleaseOutsideStay": "La dernière nuit passée doit être une nuit de l'attribution (ou la "
    "veille de la première, si la personne n'est pas venue).",
    "ReleaseOfClaimedNight": "Une nuit déjà déclarée sur une enveloppe a été fournie : elle ne "
    "peut pas être libérée.",
    "BadEnvelopePeriod": "La période de l'enveloppe commence avant sa fin.",
}

# Rules that are about one field of the form: their sentence goes next to it too.
RULE_FIELDS: Final[dict[str, str]] = {
    "ActDatedInFuture": "at",
    "ActBeforePreviousStep": "at",
    "ProsecutorApplicationNeedsAgreement": "victim_agreement",
    "DurationOverMaximum": "duration_months",
    "MeasureNotAllowed": "measures",
    "FiniadaNeedsWeaponBan": "file",
    "AlreadyRegistered": "file",
    "CaseNotFound": "case_id",
    "ReportOutsideCaseDepartement": "departement",
    "ChannelNotOpenToRole": "channel",
    "TraffickingFormsOnlyForTrafficking": "trafficking_forms",
    "LoweringNeedsWrittenReason": "written_reason",
    "SiteNotFound": "site_id",
    "CaseNotKnown": "case_id",
    "NotTheSitesOperator": "site_id",
    "NightFull": "first_night",
    "NightNotDeclared": "first_night",
    "PersonAlreadySheltered": "adults",
    "SiteTakesNoChildren": "children",
    "BadNightRange": "nights",
    "ConsentRequired": "consent_given",
    "EnvelopeNotFound": "envelope_id",
}
