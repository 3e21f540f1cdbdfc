"""Release packages, record packages and the feed, served from the stored releases.

Only what was public is served: a challenge with at least one release that is not a draft now
(archived ones stay, as their releases were published). A draft and a missing challenge get
the same answer. Records are compiled from the releases by `ocdsmerge`, the standard's own
merge library, with the merge rules of the OCDS 1.1.5 release schema kept in data/standards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ocdsmerge import Merger
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klimatmatch.core.errors import NotFound
from klimatmatch.core.settings import PROJECT_DATA, Settings
from klimatmatch.ocds.releases import timestamp
from models import Challenge, ChallengeStatus
from models.ocds import OcdsRelease
from models.tables import utcnow

SCHEMA_FOLDER = PROJECT_DATA / "standards" / "ocds-1.1.5"
LOCATION_EXTENSION = (
    "https://raw.githubusercontent.com/open-contracting-extensions/"
    "ocds_location_extension/master/extension.json"
)


@dataclass(frozen=True)
class Publisher:
    """Who publishes, under what terms, and where the packages live (from the settings)."""

    prefix: str
    name: str
    license: str
    policy: str
    base_url: str

    @classmethod
    def of(cls, settings: Settings) -> Publisher:
        base = settings.public_url.rstrip("/")
        return cls(
            prefix=settings.ocds_ocid_prefix,
            name=settings.ocds_publisher,
            license=settings.ocds_license,
            policy=settings.ocds_publication_policy or f"{base}/ocds/policy",
            base_url=base,
        )

    def ocid(self, challenge_id: int) -> str:
        return f"{self.prefix}-{challenge_id}"

    def metadata(self, uri: str) -> dict[str, Any]:
        return {
            "uri": f"{self.base_url}{uri}",
            "version": "1.1",
            "extensions": [LOCATION_EXTENSION],
            "publishedDate": timestamp(utcnow()),
            "publisher": {"name": self.name, "uri": self.base_url},
            "license": self.license,
            "publicationPolicy": self.policy,
        }


def served(row: OcdsRelease, publisher: Publisher) -> dict[str, Any]:
    """The stored release with its ocid and id, and its document links made absolute."""
    ocid = publisher.ocid(row.challenge_id)
    release = {"ocid": ocid, "id": f"{ocid}-{row.sequence}", **row.release}
    planning = release.get("planning", {})
    for document in planning.get("documents", []):
        if str(document.get("url", "")).startswith("/"):
            document["url"] = f"{publisher.base_url}{document['url']}"
    return release


def public_releases(*, session: Session, challenge_id: int) -> list[OcdsRelease]:
    """Every release of a challenge, oldest first; 404 for a draft as for a missing one."""
    challenge = session.get(Challenge, challenge_id)
    query = select(OcdsRelease).where(OcdsRelease.challenge_id == challenge_id)
    rows = list(session.scalars(query.order_by(OcdsRelease.sequence)))
    if challenge is None or challenge.status == ChallengeStatus.DRAFT or not rows:
        raise NotFound(f"challenge {challenge_id} has no published OCDS release")
    return rows


def release_package(*, session: Session, publisher: Publisher, challenge_id: int) -> dict[str, Any]:
    rows = public_releases(session=session, challenge_id=challenge_id)
    uri = f"/ocds/challenges/{challenge_id}/releases"
    return {
        **publisher.metadata(uri),
        "releases": [served(row, publisher) for row in rows],
    }


def record_package(*, session: Session, publisher: Publisher, challenge_id: int) -> dict[str, Any]:
    """The challenge's record: every release and the compiled release merged from them."""
    rows = public_releases(session=session, challenge_id=challenge_id)
    releases = [served(row, publisher) for row in rows]
    record = {
        "ocid": publisher.ocid(challenge_id),
        "releases": releases,
        "compiledRelease": merger().create_compiled_release(releases),
    }
    package = publisher.metadata(f"/ocds/challenges/{challenge_id}/record")
    package["packages"] = [f"{publisher.base_url}/ocds/challenges/{challenge_id}/releases"]
    return {**package, "records": [record]}


def feed(*, session: Session, publisher: Publisher, page: int, size: int) -> dict[str, Any]:
    """The latest release of each public challenge, by challenge id, a page at a time;
    `links.next` names the next page while there is one."""
    latest = (
        select(func.max(OcdsRelease.id))
        .join(Challenge, Challenge.id == OcdsRelease.challenge_id)
        .where(Challenge.status != ChallengeStatus.DRAFT)
        .group_by(OcdsRelease.challenge_id)
    )
    query = select(OcdsRelease).where(OcdsRelease.id.in_(latest))
    rows = list(
        session.scalars(
            query.order_by(OcdsRelease.challenge_id).limit(size + 1).offset((page - 1) * size)
        )
    )
    if not rows:  # a release package holds at least one release (the schema's minItems)
        raise NotFound(f"page {page} of the OCDS feed has no release")
    package = publisher.metadata(f"/ocds/releases?page={page}")
    package["releases"] = [served(row, publisher) for row in rows[:size]]
    if len(rows) > size:
        package["links"] = {"next": f"{publisher.base_url}/ocds/releases?page={page + 1}"}
    if page > 1:
        package.setdefault("links", {})["prev"] = (
            f"{publisher.base_url}/ocds/releases?page={page - 1}"
        )
    return package


@lru_cache(maxsize=1)
def merger() -> Merger:
    """The merge rules come from the schema on disk: ocdsmerge would download it otherwise."""
    with (SCHEMA_FOLDER / "release-schema.json").open(encoding="utf-8") as handle:
        return Merger(schema=json.load(handle))
