"""The e-mail that carries a person's alerts: one item or a digest of many, in the person's
language, with an unsubscribe link in the text and in the List-Unsubscribe header (mail
programs show it as a button; RFC 8058 one-click posts to the same address)."""

from __future__ import annotations

from collections.abc import Sequence
from gettext import NullTranslations

from klimatmatch.alerts import service as alerts
from klimatmatch.core import mail
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import translations
from models import User
from models.alerts import Notification, NotificationKind


def link(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def unsubscribe_link(settings: Settings, token: str) -> str:
    return link(settings, f"/ui/unsubscribe/{token}")


def item_text(row: Notification, tr: NullTranslations, settings: Settings) -> str:
    """One alert as a few lines; the challenge's title stays in the language it was written."""
    if row.kind is NotificationKind.MATCH:
        text = tr.gettext(
            "%(title)s\n  fits %(company)s: rank %(rank)s, score %(score)s\n  %(link)s"
        )
        return text % {
            "title": row.title,
            "company": row.body,
            "rank": row.rank,
            "score": f"{row.score or 0:.2f}",
            "link": link(settings, "/ui/opportunities"),
        }
    if row.kind is NotificationKind.INTEREST:
        text = tr.gettext("%(title)s\n  %(company)s stated interest\n  %(link)s")
    elif alerts.answer_of(row) == "declined":
        text = tr.gettext("%(title)s\n  %(company)s declined the workshop invitation\n  %(link)s")
    else:
        text = tr.gettext("%(title)s\n  %(company)s accepted the workshop invitation\n  %(link)s")
    where = link(settings, f"/ui/challenges/{row.challenge_id}")
    return text % {"title": row.title, "company": row.body, "link": where}


def compose(
    *, user: User, rows: Sequence[Notification], token: str, settings: Settings
) -> mail.Message:
    """One message for every row: the subject names the item when there is one."""
    tr = translations(user.language)
    if len(rows) == 1:
        subject = tr.gettext("Klimatmatch: %(title)s") % {"title": rows[0].title[:120]}
    else:
        subject = tr.ngettext(
            "Klimatmatch: %(count)s new alert", "Klimatmatch: %(count)s new alerts", len(rows)
        ) % {"count": len(rows)}
    unsubscribe = unsubscribe_link(settings, token)
    body = tr.gettext(
        "Hello,\n\n%(items)s\n\nEverything is in your inbox:\n%(inbox)s\n\nChoose how often "
        "we e-mail you there. To get no more of these e-mails:\n%(unsubscribe)s\n"
    ) % {
        "items": "\n\n".join(item_text(row, tr, settings) for row in rows),
        "inbox": link(settings, "/ui/inbox"),
        "unsubscribe": unsubscribe,
    }
    headers = (
        ("List-Unsubscribe", f"<{unsubscribe}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
    return mail.Message(to=user.email or "", subject=subject, body=body, headers=headers)
