"""Interface text in English and Swedish; the data itself is shown in the language it was written.

One table, keyed by message id, so a missing translation is a test failure rather than a page
that silently mixes languages (tests/api/ui/test_i18n.py checks both columns are complete)."""

from __future__ import annotations

from collections.abc import Callable

from api.ui.i18n_accounts import ACCOUNT_MESSAGES
from api.ui.i18n_alerts import ALERT_MESSAGES
from api.ui.i18n_city import CITY_MESSAGES
from api.ui.i18n_engagement import ENGAGEMENT_MESSAGES
from api.ui.i18n_funnel import FUNNEL_MESSAGES
from api.ui.i18n_registration import REGISTRATION_MESSAGES

LANGUAGES = ("en", "sv")
LANGUAGE_NAMES = {"en": "English", "sv": "Svenska"}  # each in itself, as a switch shows them
DEFAULT_LANGUAGE = "en"

MESSAGES: dict[str, dict[str, str]] = {
    "app.tagline": {
        "en": "Cities' climate challenges, matched with the companies that can answer them.",
        "sv": "Städernas klimatutmaningar, matchade med företagen som kan möta dem.",
    },
    "nav.skip": {"en": "Skip to content", "sv": "Hoppa till innehållet"},
    "nav.main": {"en": "Main", "sv": "Huvudmeny"},
    "nav.challenges": {"en": "Challenges", "sv": "Utmaningar"},
    "nav.opportunities": {"en": "Challenges for us", "sv": "Utmaningar för oss"},
    "nav.api": {"en": "API docs", "sv": "API-dokumentation"},
    "nav.sign_out": {"en": "Sign out", "sv": "Logga ut"},
    "nav.language": {"en": "Interface language", "sv": "Gränssnittets språk"},
    "nav.signed_in_as": {"en": "Signed in as", "sv": "Inloggad som"},
    "role.coordinator": {"en": "coordinator", "sv": "koordinator"},
    "role.admin": {"en": "administrator", "sv": "administratör"},
    "role.city": {"en": "city", "sv": "stad"},
    "role.company": {"en": "company", "sv": "företag"},
    "sign_in.title": {"en": "Sign in", "sv": "Logga in"},
    "sign_in.submit": {"en": "Sign in", "sv": "Logga in"},
    "sign_in.stale": {
        "en": "This sign-in form has expired or did not come from this site. Sign in again here.",
        "sv": "Inloggningsformuläret har gått ut eller kom inte från den här webbplatsen. "
        "Logga in igen här.",
    },
    "list.title": {"en": "Challenges to review", "sv": "Utmaningar att granska"},
    "list.title_city": {"en": "Our challenges", "sv": "Våra utmaningar"},
    "list.filter": {"en": "Filter", "sv": "Filtrera"},
    "list.city": {"en": "City", "sv": "Stad"},
    "list.theme": {"en": "Theme", "sv": "Tema"},
    "list.language": {"en": "Language", "sv": "Språk"},
    "list.status": {"en": "Status", "sv": "Status"},
    "list.any": {"en": "Any", "sv": "Alla"},
    "list.apply": {"en": "Apply filters", "sv": "Filtrera"},
    "list.clear": {"en": "Clear", "sv": "Rensa"},
    "list.challenge": {"en": "Challenge", "sv": "Utmaning"},
    "list.unreviewed": {"en": "Unreviewed", "sv": "Ej granskade"},
    "list.reviewed": {"en": "Reviewed", "sv": "Granskade"},
    "list.unreviewed_of": {"en": "{n} of {k} unreviewed", "sv": "{n} av {k} ej granskade"},
    "list.none": {
        "en": "No challenges match these filters.",
        "sv": "Inga utmaningar matchar filtren.",
    },
    "list.count": {"en": "{n} challenges", "sv": "{n} utmaningar"},
    "list.previous": {"en": "Previous page", "sv": "Föregående sida"},
    "list.next": {"en": "Next page", "sv": "Nästa sida"},
    "list.not_indexed": {"en": "not indexed", "sv": "ej indexerad"},
    "status.published": {"en": "published", "sv": "publicerad"},
    "status.draft": {"en": "draft", "sv": "utkast"},
    "status.archived": {"en": "archived", "sv": "arkiverad"},
    "challenge.back": {"en": "All challenges", "sv": "Alla utmaningar"},
    "challenge.text": {"en": "The challenge", "sv": "Utmaningen"},
    "challenge.shortlist": {"en": "Shortlist", "sv": "Kortlista"},
    "challenge.run": {
        "en": "Run {run} · model {model} · data version {version}",
        "sv": "Körning {run} · modell {model} · dataversion {version}",
    },
    "challenge.teams": {"en": "Proposed teams", "sv": "Föreslagna konsortier"},
    "challenge.export": {"en": "Export", "sv": "Exportera"},
    "challenge.export_csv": {"en": "Download CSV", "sv": "Ladda ner CSV"},
    "challenge.export_xlsx": {"en": "Download Excel (XLSX)", "sv": "Ladda ner Excel (XLSX)"},
    "challenge.empty": {
        "en": "No company matches with these settings.",
        "sv": "Inget företag matchar med dessa inställningar.",
    },
    "challenge.read_only": {
        "en": "Coordinators review this shortlist; you see their decisions.",
        "sv": "Koordinatorer granskar kortlistan; du ser deras beslut.",
    },
    "challenge.bar_legend": {
        "en": "Bars compare each match with the best on this list.",
        "sv": "Staplarna jämför varje matchning med den bästa på listan.",
    },
    "controls.title": {"en": "Shortlist settings", "sv": "Inställningar för kortlistan"},
    "controls.k": {"en": "Number of companies", "sv": "Antal företag"},
    "controls.diversity": {
        "en": "Diversity (0 = off, 1 = most varied)",
        "sv": "Mångfald (0 = av, 1 = mest varierad)",
    },
    "controls.max_per_country": {"en": "At most per country", "sv": "Högst per land"},
    "controls.max_per_group": {"en": "At most per company group", "sv": "Högst per koncern"},
    "controls.min_small": {
        "en": "Places for small or new companies",
        "sv": "Platser för små eller nya företag",
    },
    "controls.country": {
        "en": "Only these countries (e.g. SE, DK)",
        "sv": "Endast dessa länder (t.ex. SE, DK)",
    },
    "controls.exclude": {
        "en": "Exclude company ids (conflicts of interest)",
        "sv": "Uteslut företags-id (jäv)",
    },
    "controls.apply": {"en": "Update shortlist", "sv": "Uppdatera kortlistan"},
    "controls.reset": {"en": "Reset", "sv": "Återställ"},
    "match.rank": {"en": "Rank", "sv": "Plats"},
    "match.score": {"en": "Score", "sv": "Poäng"},
    "match.components": {"en": "Score components", "sv": "Poängens delar"},
    "match.terms": {"en": "Shared terms", "sv": "Gemensamma ord"},
    "match.codes": {"en": "Shared CPV codes", "sv": "Gemensamma CPV-koder"},
    "match.answers": {
        "en": "Among the best on this list for these requirements",
        "sv": "Bland de bästa på listan för dessa krav",
    },
    "match.answered_by": {"en": "with", "sv": "med"},
    "match.sentences": {"en": "Closest sentences", "sv": "Närmaste meningar"},
    "match.in_challenge": {"en": "In the challenge", "sv": "I utmaningen"},
    "match.in_profile": {"en": "In the profile", "sv": "I profilen"},
    "match.profile": {"en": "Company profile", "sv": "Företagsprofil"},
    "match.show_texts": {
        "en": "Both texts, matches highlighted",
        "sv": "Båda texterna, träffar markerade",
    },
    "match.compare": {"en": "Compare", "sv": "Jämför"},
    "match.compare_selected": {"en": "Compare the two selected", "sv": "Jämför de två valda"},
    "match.compare_hint": {
        "en": "Tick two companies to compare them side by side.",
        "sv": "Kryssa i två företag för att jämföra dem sida vid sida.",
    },
    "match.employees": {"en": "employees", "sv": "anställda"},
    "match.small": {"en": "small or new", "sv": "litet eller nytt"},
    "review.decision": {"en": "Decision", "sv": "Beslut"},
    "review.none": {"en": "Not reviewed", "sv": "Ej granskad"},
    "review.accepted": {"en": "Accepted", "sv": "Accepterad"},
    "review.rejected": {"en": "Rejected", "sv": "Avvisad"},
    "review.maybe": {"en": "Maybe", "sv": "Kanske"},
    "review.accept": {"en": "Accept", "sv": "Acceptera"},
    "review.reject": {"en": "Reject", "sv": "Avvisa"},
    "review.mark_maybe": {"en": "Maybe", "sv": "Kanske"},
    "review.reason": {"en": "Reason", "sv": "Motivering"},
    "review.note": {"en": "Note (coordinators only)", "sv": "Anteckning (bara koordinatorer)"},
    "review.saved": {"en": "Saved: {decision}", "sv": "Sparat: {decision}"},
    "review.failed": {"en": "Not saved: {detail}", "sv": "Inte sparat: {detail}"},
    "review.history": {"en": "Decisions so far", "sv": "Beslut hittills"},
    "review.history_empty": {"en": "No decisions yet.", "sv": "Inga beslut ännu."},
    "review.by": {"en": "by", "sv": "av"},
    "review.when": {"en": "When", "sv": "När"},
    "review.who": {"en": "Who", "sv": "Vem"},
    "review.company": {"en": "Company", "sv": "Företag"},
    "compare.title": {"en": "Side by side", "sv": "Sida vid sida"},
    "compare.back": {"en": "Back to the shortlist", "sv": "Tillbaka till kortlistan"},
    "compare.need_two": {
        "en": "Choose exactly two companies from the shortlist to compare.",
        "sv": "Välj exakt två företag från kortlistan att jämföra.",
    },
    "teams.intro": {
        "en": "Companies that together cover the challenge's requirements: an exact search over "
        "every team of the chosen size among the best-ranked companies. The first member is "
        "the suggested lead partner.",
        "sv": "Företag som tillsammans täcker utmaningens krav: en exakt sökning bland alla "
        "konsortier av vald storlek bland de högst rankade företagen. Den första medlemmen "
        "är föreslagen huvudpartner.",
    },
    "teams.size": {"en": "Companies per team", "sv": "Företag per konsortium"},
    "teams.k": {"en": "How many teams", "sv": "Antal konsortier"},
    "teams.show": {"en": "Propose teams", "sv": "Föreslå konsortier"},
    "teams.team": {"en": "Team {n}", "sv": "Konsortium {n}"},
    "teams.value": {"en": "covers {value} of the requirements", "sv": "täcker {value} av kraven"},
    "teams.lead": {"en": "lead", "sv": "huvudpartner"},
    "teams.requirement": {"en": "Requirement", "sv": "Krav"},
    "teams.coverage": {"en": "Coverage", "sv": "Täckning"},
    "teams.overlap": {"en": "Overlap", "sv": "Överlapp"},
    "teams.covered_by": {"en": "Best covered by", "sv": "Bäst täckt av"},
    "teams.idle": {
        "en": "Best on no requirement (a smaller team covers as much):",
        "sv": "Bäst på inget krav (ett mindre konsortium täcker lika mycket):",
    },
    "teams.overlaps_none": {"en": "no overlap", "sv": "inget överlapp"},
    "teams.none": {
        "en": "No team can be formed with these settings.",
        "sv": "Inget konsortium kan bildas med dessa inställningar.",
    },
    "opportunities.answers": {
        "en": "What your profile answers best",
        "sv": "Det din profil svarar bäst på",
    },
    "opportunities.title": {"en": "Challenges that fit us", "sv": "Utmaningar som passar oss"},
    "opportunities.none_profiles": {
        "en": "Your organisation has no company profile yet; register one through the API.",
        "sv": "Er organisation har ingen företagsprofil ännu; registrera en via API:et.",
    },
    "opportunities.for": {"en": "For {name}", "sv": "För {name}"},
    "opportunities.city": {"en": "City", "sv": "Stad"},
    "opportunities.none": {
        "en": "No published challenge fits this profile yet.",
        "sv": "Ingen publicerad utmaning passar profilen ännu.",
    },
    "error.title": {"en": "Something is not right", "sv": "Något stämmer inte"},
    "error.back": {"en": "Back to the start", "sv": "Tillbaka till början"},
    "error.fields": {"en": "Check these fields", "sv": "Kontrollera dessa fält"},
    "jobs.title": {"en": "Background jobs", "sv": "Bakgrundsjobb"},
    "jobs.queued": {"en": "queued", "sv": "i kö"},
    "jobs.running": {"en": "running", "sv": "pågår"},
    "jobs.texts": {"en": "texts", "sv": "texter"},
    "jobs.rows": {"en": "rows", "sv": "rader"},
    "jobs.steps": {"en": "steps", "sv": "steg"},
    "jobs.items": {"en": "items", "sv": "poster"},
}
MESSAGES |= ACCOUNT_MESSAGES
MESSAGES |= ALERT_MESSAGES
MESSAGES |= CITY_MESSAGES
MESSAGES |= ENGAGEMENT_MESSAGES
MESSAGES |= FUNNEL_MESSAGES
MESSAGES |= REGISTRATION_MESSAGES


def translator(language: str) -> Callable[..., str]:
    """`t("key", n=3)` in the chosen language, English where a key is missing in it."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def t(key: str, **values: object) -> str:
        entry = MESSAGES.get(key)
        if entry is None:
            return key
        text = entry.get(language) or entry[DEFAULT_LANGUAGE]
        return text.format(**values) if values else text

    return t


def format_number(value: int | None, language: str) -> str:
    """4,200 in English, 4 200 in Swedish (a no-break space, as Swedish writes it)."""
    if value is None:
        return "?"
    text = f"{value:,}"
    return text.replace(",", "\u00a0") if language == "sv" else text


def negotiate(cookie: str | None, accept_language: str | None) -> str:
    """The language a visitor chose, else the first of ours their browser prefers."""
    if cookie in LANGUAGES:
        return cookie  # type: ignore[return-value]
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
        if tag in ("nb", "nn", "no", "da"):  # Scandinavian readers get Swedish rather than English
            return "sv"
    return DEFAULT_LANGUAGE
