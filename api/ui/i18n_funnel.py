"""Interface text of the funnel page, in English and Swedish; merged into `i18n.MESSAGES`."""

from __future__ import annotations

FUNNEL_MESSAGES: dict[str, dict[str, str]] = {
    "nav.funnel": {"en": "Funnel", "sv": "Tratt"},
    "funnel.title": {"en": "From match to outcome", "sv": "Från matchning till resultat"},
    "funnel.intro": {
        "en": "Companies per step, counted once per challenge; hours from the opening of a "
        "challenge to its first expression of interest or answered invitation.",
        "sv": "Företag per steg, räknade en gång per utmaning; timmar från att en utmaning "
        "öppnades till det första intresset eller svaret på en inbjudan.",
    },
    "funnel.totals": {"en": "All challenges", "sv": "Alla utmaningar"},
    "funnel.per_challenge": {"en": "Per challenge", "sv": "Per utmaning"},
    "funnel.none": {"en": "No published challenge yet.", "sv": "Ingen publicerad utmaning än."},
    "funnel.download": {"en": "Download", "sv": "Ladda ner"},
    "funnel.challenge": {"en": "Challenge", "sv": "Utmaning"},
    "funnel.stage": {"en": "Stage", "sv": "Skede"},
    "funnel.outcome": {"en": "Outcome", "sv": "Resultat"},
    "funnel.wait": {"en": "Hours to first answer", "sv": "Timmar till första svar"},
    "funnel.median_wait": {
        "en": "Median hours to first answer",
        "sv": "Median, timmar till första svar",
    },
    "funnel.matched": {"en": "Matched", "sv": "Matchade"},
    "funnel.reviewed": {"en": "Reviewed", "sv": "Granskade"},
    "funnel.invited": {"en": "Invited", "sv": "Inbjudna"},
    "funnel.accepted": {"en": "Coming", "sv": "Kommer"},
    "funnel.interested": {"en": "Interested", "sv": "Intresserade"},
    "funnel.teams_formed": {"en": "Teams formed", "sv": "Bildade team"},
}
