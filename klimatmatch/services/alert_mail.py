"""The e-mail that carries a person's alerts: one item or a digest of many, in the person's
language, with an unsubscribe link in the text and in the List-Unsubscribe header (mail
programs show it as a button; RFC 8058 one-click posts to the same address)."""

from __future__ import annotations

from collections.abc import Sequence

from klimatmatch.services import alerts, mail
from klimatmatch.settings import Settings
from models import User
from models.alerts import Notification, NotificationKind


def link(settings: Settings, path: str) -> str:
    return settings.public_url.rstrip("/") + path


def unsubscribe_link(settings: Settings, token: str) -> str:
    return link(settings, f"/ui/unsubscribe/{token}")


def item_text(row: Notification, language: str | None, settings: Settings) -> str:
    """One alert as a few lines; the challenge's title stays in the language it was written."""
    if row.kind is NotificationKind.MATCH:
        return mail.text(
            "alert.match",
            language,
            title=row.title,
            company=row.body,
            rank=row.rank,
            score=f"{row.score or 0:.2f}",
            link=link(settings, "/ui/opportunities"),
        )
    where = link(settings, f"/ui/challenges/{row.challenge_id}")
    if row.kind is NotificationKind.INTEREST:
        return mail.text("alert.interest", language, title=row.title, company=row.body, link=where)
    answer = alerts.answer_of(row)
    key = "alert.answer.declined" if answer == "declined" else "alert.answer.accepted"
    return mail.text(key, language, title=row.title, company=row.body, link=where)


def compose(
    *, user: User, rows: Sequence[Notification], token: str, settings: Settings
) -> mail.Message:
    """One message for every row: the subject names the item when there is one."""
    language = user.language
    if len(rows) == 1:
        subject = mail.text("alert.subject", language, title=rows[0].title[:120])
    else:
        subject = mail.text("alert.digest.subject", language, count=len(rows))
    unsubscribe = unsubscribe_link(settings, token)
    body = mail.text(
        "alert.body",
        language,
        items="\n\n".join(item_text(row, language, settings) for row in rows),
        inbox=link(settings, "/ui/inbox"),
        unsubscribe=unsubscribe,
    )
    headers = (
        ("List-Unsubscribe", f"<{unsubscribe}>"),
        ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"),
    )
    return mail.Message(to=user.email or "", subject=subject, body=body, headers=headers)
