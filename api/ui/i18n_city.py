"""Interface text for a city's challenge form and a company's profile form, in English and
Swedish; merged into `i18n.MESSAGES` (checked complete by tests/api/ui/test_i18n.py)."""

from __future__ import annotations

CITY_MESSAGES: dict[str, dict[str, str]] = {
    "form.invalid": {
        "en": "Some fields need a change before this can be saved:",
        "sv": "Några fält behöver ändras innan det går att spara:",
    },
    "cform.new": {"en": "New challenge", "sv": "Ny utmaning"},
    "cform.new_title": {"en": "New challenge", "sv": "Ny utmaning"},
    "cform.edit_title": {"en": "Edit: {title}", "sv": "Redigera: {title}"},
    "cform.back": {"en": "Back", "sv": "Tillbaka"},
    "cform.title": {"en": "Title", "sv": "Rubrik"},
    "cform.description": {"en": "Description", "sv": "Beskrivning"},
    "cform.description_help": {
        "en": "What the city needs; say what you seek (\u201cwe seek\u2026\u201d, "
        "\u201cmust\u2026\u201d): those sentences become the requirements companies are "
        "matched on.",
        "sv": "Vad staden behöver; skriv vad ni söker (\u201cvi söker\u2026\u201d, "
        "\u201cska\u2026\u201d): de meningarna blir kraven som företagen matchas mot.",
    },
    "cform.theme": {"en": "Theme", "sv": "Tema"},
    "cform.theme_help": {
        "en": "For example mobility, energy, construction.",
        "sv": "Till exempel mobilitet, energi, bygg.",
    },
    "cform.language": {"en": "Language of the text", "sv": "Textens språk"},
    "cform.language_guess": {"en": "Guess from the text", "sv": "Gissa från texten"},
    "cform.language_help": {
        "en": "Guessed from the text when you preview; change it if the guess is wrong.",
        "sv": "Gissas från texten när du förhandsgranskar; ändra om gissningen är fel.",
    },
    "cform.cpv_codes": {"en": "CPV codes", "sv": "CPV-koder"},
    "cform.cpv_help": {
        "en": "Eight digits, separated by commas; suggested from the text when you preview.",
        "sv": "Åtta siffror, åtskilda med komma; föreslås från texten när du förhandsgranskar.",
    },
    "cform.suggested": {"en": "Suggested from the text", "sv": "Föreslagna utifrån texten"},
    "cform.criteria": {"en": "Criteria for success", "sv": "Kriterier för framgång"},
    "cform.criteria_help": {
        "en": "How the city will know the solution works (shown to companies, not matched on).",
        "sv": "Hur staden vet att lösningen fungerar (visas för företagen, matchas inte).",
    },
    "cform.deadline": {
        "en": "Deadline for expressions of interest",
        "sv": "Sista dag för intresseanmälan",
    },
    "cform.location": {"en": "Location", "sv": "Plats"},
    "cform.contact": {"en": "Contact person", "sv": "Kontaktperson"},
    "cform.contact_help": {
        "en": "Name and e-mail or telephone.",
        "sv": "Namn och e-post eller telefon.",
    },
    "cform.preview": {"en": "Preview", "sv": "Förhandsgranska"},
    "cform.save_draft": {"en": "Save as draft", "sv": "Spara som utkast"},
    "cform.publish": {"en": "Publish", "sv": "Publicera"},
    "cform.preview_title": {"en": "Preview", "sv": "Förhandsgranskning"},
    "cform.preview_help": {
        "en": "Nothing is saved yet: this is how the engine reads the text now.",
        "sv": "Inget är sparat än: så här läser motorn texten just nu.",
    },
    "cform.requirements": {
        "en": "Requirements the engine will match on",
        "sv": "Krav som motorn matchar mot",
    },
    "cform.no_requirements": {
        "en": "No requirement found: say what the city seeks or needs.",
        "sv": "Inga krav hittades: skriv vad staden söker eller behöver.",
    },
    "cform.who": {"en": "Who could answer this?", "sv": "Vem skulle kunna svara på detta?"},
    "cform.no_companies": {"en": "No company fits yet.", "sv": "Inget företag passar ännu."},
    "cform.conflict": {
        "en": "Someone else saved this challenge while you were editing it (it is now at "
        "version {version}). Your text is kept below: compare it with theirs, then save again "
        "to replace theirs with yours.",
        "sv": "Någon annan sparade utmaningen medan du redigerade den (den är nu version "
        "{version}). Din text finns kvar nedan: jämför med deras och spara igen för att "
        "ersätta deras med din.",
    },
    "cform.conflict_saved": {"en": "What they saved", "sv": "Det de sparade"},
    "cform.saved": {"en": "Saved.", "sv": "Sparat."},
    "cform.archived": {"en": "The challenge is archived.", "sv": "Utmaningen är arkiverad."},
    "challenge.edit": {"en": "Edit", "sv": "Redigera"},
    "challenge.archive": {"en": "Archive", "sv": "Arkivera"},
    "challenge.criteria": {"en": "Criteria for success", "sv": "Kriterier för framgång"},
    "challenge.deadline": {"en": "Deadline", "sv": "Sista dag"},
    "challenge.location": {"en": "Location", "sv": "Plats"},
    "challenge.contact": {"en": "Contact", "sv": "Kontakt"},
    "cform.cpv_help_profile": {
        "en": "Eight digits, separated by commas; press \u201cSuggest codes\u201d for the "
        "tagger's suggestions from the description.",
        "sv": "Åtta siffror, åtskilda med komma; tryck på \u201cFöreslå koder\u201d för "
        "förslag utifrån beskrivningen.",
    },
    "pform.edit": {"en": "Edit profile", "sv": "Redigera profilen"},
    "pform.title": {"en": "Profile: {name}", "sv": "Profil: {name}"},
    "pform.description": {"en": "Description", "sv": "Beskrivning"},
    "pform.description_help": {
        "en": "What the company does and has done; this is the text challenges are matched to.",
        "sv": "Vad företaget gör och har gjort; det är texten som utmaningarna matchas mot.",
    },
    "pform.sector": {"en": "Sector", "sv": "Bransch"},
    "pform.country": {"en": "Country", "sv": "Land"},
    "pform.country_help": {
        "en": "Two letters, such as SE.",
        "sv": "Två bokstäver, till exempel SE.",
    },
    "pform.employees": {"en": "Staff (people)", "sv": "Anställda (personer)"},
    "pform.website": {"en": "Website", "sv": "Webbplats"},
    "pform.languages": {"en": "Languages it works in", "sv": "Språk som företaget arbetar på"},
    "pform.languages_help": {
        "en": "Two-letter codes separated by commas, such as sv, en.",
        "sv": "Tvåbokstavskoder åtskilda med komma, till exempel sv, en.",
    },
    "pform.references": {
        "en": "References: earlier projects with cities",
        "sv": "Referenser: tidigare projekt med städer",
    },
    "pform.references_help": {
        "en": "What was done, where and when; leave a row empty to remove it.",
        "sv": "Vad som gjordes, var och när; lämna en rad tom för att ta bort den.",
    },
    "pform.ref_what": {"en": "Project {n}: what", "sv": "Projekt {n}: vad"},
    "pform.ref_where": {"en": "Project {n}: where", "sv": "Projekt {n}: var"},
    "pform.ref_when": {"en": "Project {n}: when", "sv": "Projekt {n}: när"},
    "pform.suggest": {"en": "Suggest codes", "sv": "Föreslå koder"},
    "pform.no_suggestions": {"en": "none found", "sv": "inga hittades"},
    "pform.save": {"en": "Save the profile", "sv": "Spara profilen"},
    "pform.saved": {
        "en": "The profile is saved; these are the challenges it fits now.",
        "sv": "Profilen är sparad; det här är utmaningarna den passar nu.",
    },
    "pform.conflict": {
        "en": "Someone else saved this profile while you were editing it (it is now at "
        "version {version}). Your text is kept below: save again to replace theirs with yours.",
        "sv": "Någon annan sparade profilen medan du redigerade den (den är nu version "
        "{version}). Din text finns kvar nedan: spara igen för att ersätta deras med din.",
    },
}
