"""A published challenge as an OCDS 1.1 planning release, emitted each time it changes.

`challenge_written` is the hook every write of a challenge calls before its commit (the
catalogue's create, edit and import, the engagement's stage moves): the first release of a
published challenge is tagged `planning`, each later one `planningUpdate`; never `tender`,
since a challenge is the dialogue before a procurement, not the procurement. A write that
changes nothing a release carries (the contact person, say) emits nothing. The stored release
lacks its `ocid` and `id`, which `packages` adds with the publisher's prefix when serving."""

from __future__ import annotations

from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from babel import Locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.core.errors import InvalidInput
from klimatmatch.core.settings import PROJECT_DATA
from klimatmatch.ocds.eforms import EXTENSION_KEYS
from matcher.cpv import load_cpv
from models import Challenge, ChallengeStatus
from models.ocds import OcdsRelease
from models.tables import ChallengeOutcome, ChallengeStage, utcnow

PLANNING, PLANNING_UPDATE = "planning", "planningUpdate"
STEPS = ("open", "shortlisting", "workshop")
_MILESTONES = {
    "open": ("engagement", "Open for expressions of interest"),
    "shortlisting": ("assessment", "Shortlisting of companies"),
    "workshop": ("engagement", "Workshop with the shortlisted companies"),
}
_OUTCOME_STATUS = {
    ChallengeOutcome.PILOT: "complete",
    ChallengeOutcome.PROCUREMENT: "complete",
    ChallengeOutcome.NONE: "unsuccessful",
}


def challenge_written(*, session: Session, challenge: Challenge) -> OcdsRelease | None:
    """Add a release when a published challenge (or one published before) has changed."""
    if challenge.status == ChallengeStatus.DRAFT:
        return None
    if challenge.id is None:
        session.flush()
    latest = latest_release(session=session, challenge_id=challenge.id)
    if latest is None and challenge.status != ChallengeStatus.PUBLISHED:
        return None  # archived without ever being published: nothing was ever public
    body = release_body(challenge)
    if latest is not None and _content(latest.release) == body:
        return None
    tag = PLANNING if latest is None else PLANNING_UPDATE
    now = utcnow()
    row = OcdsRelease(
        challenge_id=challenge.id,
        sequence=1 if latest is None else latest.sequence + 1,
        tag=tag,
        date=now,
        release={"date": timestamp(now), "tag": [tag], **body},
    )
    session.add(row)
    return row


def check_tender_link(challenge: Challenge, tender_ocid: str | None) -> None:
    """A tender follows a challenge that closed with a procurement as its outcome, only."""
    if not tender_ocid:
        return
    closed = challenge.stage == ChallengeStage.CLOSED
    if not closed or challenge.outcome != ChallengeOutcome.PROCUREMENT:
        raise InvalidInput(
            "tender_ocid: only a challenge closed with a procurement as its outcome "
            "links the tender that followed"
        )


def latest_release(*, session: Session, challenge_id: int) -> OcdsRelease | None:
    query = select(OcdsRelease).where(OcdsRelease.challenge_id == challenge_id)
    return session.scalar(query.order_by(OcdsRelease.sequence.desc()).limit(1))


def release_body(challenge: Challenge) -> dict[str, Any]:
    """Everything of the release but its ocid, id, date and tag (docs/ocds.md maps each)."""
    buyer = _buyer(challenge)
    body: dict[str, Any] = {
        "initiationType": "tender",
        "parties": [buyer],
        "buyer": {"id": buyer["id"], "name": buyer["name"]},
        "planning": {"documents": _documents(challenge), "milestones": _milestones(challenge)},
        "tender": _tender(challenge),
    }
    if challenge.language:
        body["language"] = challenge.language
    if challenge.tender_ocid:
        body["relatedProcesses"] = [
            {
                "id": "tender",
                "relationship": ["planning"],
                "title": "The tender that followed this planning process",
                "scheme": "ocid",
                "identifier": challenge.tender_ocid,
            }
        ]
    return body


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC; SQLite gives back times without a zone, stored in UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _content(release: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in release.items() if key not in ("date", "tag")}


def _buyer(challenge: Challenge) -> dict[str, Any]:
    city = challenge.organisation
    party: dict[str, Any] = {"id": f"org-{city.id}", "name": city.name, "roles": ["buyer"]}
    country = Locale("en").territories.get(city.country.upper()) if city.country else None
    if country:
        party["address"] = {"countryName": country}
    return party


def _documents(challenge: Challenge) -> list[dict[str, Any]]:
    """The challenge text is the needs assessment; a closed one's summary, what the dialogue
    with the market found, is the market study."""
    published = timestamp(challenge.created_at)
    documents = [
        {
            "id": "needs-assessment",
            "documentType": "needsAssessment",
            "title": challenge.title,
            "description": challenge.description,
            "url": f"/ui/challenges/{challenge.id}",
            "format": "text/html",
            "datePublished": published,
            **({"language": challenge.language} if challenge.language else {}),
        }
    ]
    if challenge.stage == ChallengeStage.CLOSED and challenge.summary:
        documents.append(
            {
                "id": "market-study",
                "documentType": "marketStudies",
                "title": "What the dialogue with the market found",
                "description": challenge.summary,
            }
        )
    return documents


def _milestones(challenge: Challenge) -> list[dict[str, Any]]:
    """The process's steps: met once passed, not met when it closed before them."""
    stage = ChallengeStage(challenge.stage)
    closed = stage == ChallengeStage.CLOSED or challenge.status == ChallengeStatus.ARCHIVED
    reached = STEPS.index(stage.value) if stage.value in STEPS else (-1 if closed else 0)
    due = {"open": challenge.deadline, "workshop": challenge.workshop_at}
    milestones = []
    for index, step in enumerate(STEPS):
        kind, title = _MILESTONES[step]
        if closed:
            status = "met" if index <= max(reached, _last_reached(challenge)) else "notMet"
        else:
            status = "met" if index < reached else "scheduled"
        milestone = {"id": step, "title": title, "type": kind, "status": status}
        if due.get(step) is not None:
            milestone["dueDate"] = _due(due[step])
        milestones.append(milestone)
    return milestones


def _last_reached(challenge: Challenge) -> int:
    """How far a closed challenge got: its workshop if it had one, else the open call."""
    return STEPS.index("workshop") if challenge.workshop_at else 0


def _due(when: date | datetime) -> str:
    if isinstance(when, datetime):
        return timestamp(when)
    return f"{when.isoformat()}T23:59:59Z"


def _tender(challenge: Challenge) -> dict[str, Any]:
    tender: dict[str, Any] = {
        "id": f"challenge-{challenge.id}",
        "title": challenge.title,
        "description": challenge.description,
        "status": _status(challenge),
    }
    items = _items(challenge)
    if items:
        tender["items"] = items
    eforms = {
        key: value
        for field, key in EXTENSION_KEYS.items()
        if (value := getattr(challenge, field)) not in (None, "", [])
    }
    if eforms:
        tender["eForms"] = eforms
    return tender


def _status(challenge: Challenge) -> str:
    if challenge.outcome is not None:
        return _OUTCOME_STATUS[ChallengeOutcome(challenge.outcome)]
    if challenge.status == ChallengeStatus.ARCHIVED or challenge.stage == ChallengeStage.CLOSED:
        return "withdrawn"
    return "planning"


def _items(challenge: Challenge) -> list[dict[str, Any]]:
    """One item per CPV code, each delivered in the challenge's NUTS region (the Location
    extension's `deliveryAddresses`); without codes, one item for the region alone."""
    region = [{"region": challenge.nuts_code}] if challenge.nuts_code else None
    names = cpv_names()
    items: list[dict[str, Any]] = [
        {
            "id": str(number),
            "description": names.get(code, code),
            "classification": {"scheme": "CPV", "id": code, "description": names.get(code, "")},
        }
        for number, code in enumerate(challenge.cpv_codes or [], start=1)
    ]
    if not items and region:
        items = [{"id": "1", "description": challenge.title}]
    for item in items:
        if region:
            item["deliveryAddresses"] = region
    return items


@lru_cache(maxsize=1)
def cpv_names() -> dict[str, str]:
    """CPV 2008's English names, as procurement portals show them."""
    path = PROJECT_DATA / "taxonomies" / "cpv2008_en_sv_da_fi.csv"
    return {entry.code: entry.label("en") for entry in load_cpv(path)}
