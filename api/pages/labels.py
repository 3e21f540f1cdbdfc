"""What the pages call the values they show of an enum or a fixed list (a challenge's status, a
review's decision, an engagement's stage...): one table per kind, in the language of `tr`.

Templates write `label("stage", e.stage.value)`. The texts are literal gettext calls here so that
`pybabel extract` finds them; a value without a label shows as itself."""

from __future__ import annotations

from collections.abc import Callable
from gettext import NullTranslations

from klimatmatch.core import strength

Table = Callable[[NullTranslations], dict[str, str]]


def _status(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    return {"published": _("published"), "draft": _("draft"), "archived": _("archived")}


def _review(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    accepted = tr.pgettext("review decision", "Accepted")
    return {"accepted": accepted, "rejected": _("Rejected"), "maybe": _("Maybe")}


def _role(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    return {
        "coordinator": _("coordinator"),
        "admin": _("administrator"),
        "city": _("city"),
        "company": _("company"),
    }


def _stage(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    return {
        "draft": _("Draft"),
        "open": tr.pgettext("engagement stage", "Open for interest"),
        "shortlisting": _("Shortlisting"),
        "workshop": _("Workshop"),
        "closed": _("Closed"),
    }


def _move(tr: NullTranslations) -> dict[str, str]:
    """The buttons that move a challenge to a stage (`open_back`: back from shortlisting)."""
    _ = tr.gettext
    return {
        "open": tr.pgettext("button", "Open for interest"),
        "open_back": _("Reopen for interest"),
        "shortlisting": _("Start shortlisting"),
        "workshop": _("Set the workshop"),
        "closed": _("Close the challenge"),
    }


def _answer(tr: NullTranslations) -> dict[str, str]:
    return {
        "pending": tr.gettext("No answer yet"),
        "accepted": tr.pgettext("workshop answer", "Accepted"),
        "declined": tr.pgettext("workshop answer", "Declined"),
    }


def _outcome(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    return {"pilot": _("A pilot"), "procurement": _("A procurement"), "none": _("No further step")}


def _team(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    declined = tr.pgettext("team status", "Declined")
    return {"proposed": _("Proposed"), "formed": _("Formed"), "declined": declined}


def _interest(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    return {"active": _("Interest stated"), "withdrawn": _("Withdrawn")}


def _frequency(tr: NullTranslations) -> dict[str, str]:
    """How often alerts are e-mailed, as the end of "E-mail me alerts ..."."""
    _ = tr.gettext
    return {
        "immediate": _("at once"),
        "daily": _("as a daily digest"),
        "weekly": _("as a weekly digest"),
        "never": _("never"),
    }


def _funnel_step(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    return {
        "matched": _("Matched"),
        "reviewed": _("Reviewed"),
        "invited": _("Invited"),
        "accepted": _("Coming"),
        "interested": _("Interested"),
        "teams_formed": _("Teams formed"),
    }


def _job_unit(tr: NullTranslations) -> dict[str, str]:
    _ = tr.gettext
    return {
        "texts": _("texts"),
        "rows": _("rows"),
        "steps": _("steps"),
        "items": _("items"),
        "e-mails": _("e-mails"),
    }


def _job_state(tr: NullTranslations) -> dict[str, str]:
    return {"queued": tr.gettext("queued"), "running": tr.gettext("running")}


KINDS: dict[str, Table] = {
    "strength": strength.names,
    "status": _status,
    "review": _review,
    "role": _role,
    "stage": _stage,
    "move": _move,
    "answer": _answer,
    "outcome": _outcome,
    "team": _team,
    "interest": _interest,
    "frequency": _frequency,
    "funnel_step": _funnel_step,
    "job_unit": _job_unit,
    "job_state": _job_state,
}


def label(tr: NullTranslations, kind: str, value: str) -> str:
    """`value` of `kind` as the pages call it in `tr`'s language."""
    return KINDS[kind](tr).get(value, value)
