"""The e-mail that carries a person's alerts: one item or a digest of many, in the person's
language, with an unsubscribe link in the text and in the List-Unsubscribe header (mail
programs show it as a button; RFC 8058 one-click posts to the same address)."""

from __future__ import annotations

from collections.abc import Sequence
from gettext import NullTranslations

from klimatmatch.alerts import service as alerts
from klimatmatch.core import mail, strength
from klimatmatch.core.settings import Settings
from klimatmatch.core.translations import translations
from models import User
from models.alerts import Notification, NotificationKind


def link(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def unsubscribe_link(settings: Settings, token: str) -> str:
    return link(settings, f"/ui/unsubscribe/{token}")


def item_path(row: Notification) -> str:
    """Where an item leads: the challenge it is about, or the company's list of challenges."""
    if row.challenge_id is None:
        return "/ui/opportunities"
    return f"/ui/challenges/{row.challenge_id}"


def item_text(row: Notification, tr: NullTranslations, settings: Settings) -> str:
    """One alert as a few lines; the challenge's title stays in the language it was written."""
    if row.kind is NotificationKind.MATCH:
        return tr.gettext("%(title)s\n  fits %(company)s: %(strength)s%(rank)s\n  %(link)s") % {
            "title": row.title,
            "company": row.body,
            "strength": strength.phrase(tr, row.strength),
            "rank": own_rank(tr, row.rank),
            "link": link(settings, item_path(row)),
        }
    where = link(settings, item_path(row))
    return tr.gettext("%(title)s\n  %(news)s\n  %(link)s") % {
        "title": row.title,
        "news": news(tr, row),
        "link": where,
    }


def news(tr: NullTranslations, row: Notification) -> str:
    """What happened, in one line: the inbox page shows the same line as the e-mail."""
    company = {"company": row.body}
    if row.kind is NotificationKind.INTEREST:
        return tr.gettext("%(company)s stated interest") % company
    if row.kind is NotificationKind.ANSWER:
        if alerts.answer_of(row) == "declined":
            return tr.gettext("%(company)s declined the workshop invitation") % company
        return tr.gettext("%(company)s accepted the workshop invitation") % company
    if row.kind is NotificationKind.APPROVAL:
        return tr.gettext("Approved: your profiles are matched with cities' challenges from now on")
    if row.kind is NotificationKind.INVITATION:
        return tr.gettext("%(company)s is invited to the workshop: please answer") % company
    if row.kind is NotificationKind.TEAM:
        if not row.body:
            return tr.gettext("You are proposed for a team: please confirm or decline")
        return tr.gettext(
            "You are proposed for a team with %(members)s: please confirm or decline"
        ) % {"members": row.body}
    return stage_news(tr, row.body)


def stage_news(tr: NullTranslations, stage: str) -> str:
    said = {
        "open": tr.gettext("The challenge is open for interest again"),
        "shortlisting": tr.gettext(
            "Shortlisting has started: interest can no longer be stated or changed"
        ),
        "workshop": tr.gettext("The workshop is set: see the date and place"),
        "closed": tr.gettext("The challenge is closed: see its outcome"),
    }
    return said.get(stage, stage)


def own_rank(tr: NullTranslations, rank: int | None) -> str:
    """ ", number 3 on your list" (the company's list of challenges that fit it), or nothing."""
    if rank is None:
        return ""
    return tr.gettext(", number %(rank)s on your list") % {"rank": rank}


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
