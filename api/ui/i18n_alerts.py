"""Interface text for the inbox and unsubscribing, in English and Swedish; merged into
`i18n.MESSAGES` (one table for the pages, checked complete by tests/api/ui/test_i18n.py)."""

from __future__ import annotations

ALERT_MESSAGES: dict[str, dict[str, str]] = {
    "nav.inbox": {"en": "Inbox", "sv": "Inkorg"},
    "inbox.title": {"en": "Inbox", "sv": "Inkorg"},
    "inbox.unread": {"en": "{count} unread", "sv": "{count} olästa"},
    "inbox.empty": {"en": "Nothing here yet.", "sv": "Inget här ännu."},
    "inbox.read": {"en": "Mark read", "sv": "Markera som läst"},
    "inbox.read_all": {"en": "Mark all read", "sv": "Markera alla som lästa"},
    "inbox.new": {"en": "new", "sv": "ny"},
    "inbox.match": {
        "en": "fits {company}: rank {rank}, score {score}",
        "sv": "passar {company}: plats {rank}, poäng {score}",
    },
    "inbox.interest": {"en": "{company} stated interest", "sv": "{company} har anmält intresse"},
    "inbox.answer.accepted": {
        "en": "{company} accepted the workshop invitation",
        "sv": "{company} tackade ja till workshopinbjudan",
    },
    "inbox.answer.declined": {
        "en": "{company} declined the workshop invitation",
        "sv": "{company} tackade nej till workshopinbjudan",
    },
    "inbox.frequency": {"en": "E-mail me alerts", "sv": "Mejla mig aviseringar"},
    "inbox.frequency.immediate": {"en": "at once", "sv": "direkt"},
    "inbox.frequency.daily": {"en": "as a daily digest", "sv": "som en daglig sammanfattning"},
    "inbox.frequency.weekly": {"en": "as a weekly digest", "sv": "som en veckosammanfattning"},
    "inbox.frequency.never": {"en": "never", "sv": "aldrig"},
    "inbox.save": {"en": "Save", "sv": "Spara"},
    "inbox.saved": {"en": "Saved.", "sv": "Sparat."},
    "unsubscribe.title": {"en": "Stop alert e-mails", "sv": "Sluta mejla aviseringar"},
    "unsubscribe.ask": {
        "en": "Press the button to get no more alert e-mails. Your inbox keeps every alert.",
        "sv": "Tryck på knappen för att inte få fler aviseringar per mejl. Inkorgen har kvar "
        "alla aviseringar.",
    },
    "unsubscribe.submit": {"en": "Stop the e-mails", "sv": "Sluta mejla"},
    "unsubscribe.done": {
        "en": "Done: we send you no more alert e-mails. Choose again in your inbox.",
        "sv": "Klart: vi mejlar dig inga fler aviseringar. Du kan välja igen i inkorgen.",
    },
    "unsubscribe.unknown": {
        "en": "This unsubscribe link is unknown.",
        "sv": "Länken för att avsluta är okänd.",
    },
}
