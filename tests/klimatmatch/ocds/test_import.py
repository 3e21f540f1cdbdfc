"""An OCDS planning or tender release from elsewhere becomes a draft challenge; bad input is
refused with the JSON path at fault, and nothing is written."""

from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from klimatmatch.catalogue.ocds_import import import_release
from klimatmatch.core.errors import Conflict, Forbidden, InvalidInput
from klimatmatch.core.settings import Settings
from klimatmatch.ocds import packages
from klimatmatch.ocds.packages import Publisher
from matcher import Embedder, MatchEngine
from models import Challenge, ChallengeStatus
from models.ocds import OcdsRelease
from tests.klimatmatch.engagement_world import challenge, people

TENDER = json.loads((Path(__file__).parent / "tender_release.json").read_text(encoding="utf-8"))


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Challenge)) or 0


def test_a_tender_release_file_becomes_a_draft_of_the_city(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    made = import_release(
        session=session, engine=MatchEngine(tfidf), user=who.malmo, document=TENDER
    )
    assert made.status == ChallengeStatus.DRAFT
    assert made.organisation.name == "Malmö"
    assert made.external_id == TENDER["ocid"]
    assert made.title == TENDER["tender"]["title"]
    assert made.description.startswith("Malmö stad upphandlar")
    assert made.cpv_codes == ["34144900", "31158100"]
    assert made.deadline == date(2027, 3, 15)
    assert made.nuts_code == "SE224"
    assert made.language == "sv"
    assert made.green_procurement == ["clim-mitig"]
    assert made.green_criteria == ["eu"]
    assert made.clean_vehicles is True
    assert (
        session.scalars(select(OcdsRelease).where(OcdsRelease.challenge_id == made.id)).all() == []
    )
    with pytest.raises(Conflict, match=f"challenge {made.id}"):
        import_release(session=session, engine=MatchEngine(tfidf), user=who.malmo, document=TENDER)


def test_our_own_record_package_imports_as_a_copy(session: Session, tfidf: Embedder) -> None:
    """A round trip: what Klimatmatch publishes, another Klimatmatch (or this one) reads."""
    who = people(session)
    source = challenge(session, "STH-01")
    publisher = Publisher.of(Settings(ocds_ocid_prefix="ocds-abcdef"))
    record = packages.record_package(session=session, publisher=publisher, challenge_id=source.id)
    made = import_release(
        session=session, engine=MatchEngine(tfidf), user=who.stockholm, document=record
    )
    assert (made.title, made.cpv_codes) == (source.title, source.cpv_codes)
    assert made.external_id == f"ocds-abcdef-{source.id}"


def _broken(path: list[str | int], value: object) -> dict:
    document = copy.deepcopy(TENDER)
    target = document
    for part in path[:-1]:
        target = target[part]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (["tag"], ["award"], "tag: ['award'] is not a planning or tender release"),
        (["tender", "title"], KeyError, "tender.title: missing"),
        (["tender", "items"], {"id": 1}, "tender.items: expected an array"),
        (
            ["tender", "items", 1, "classification", "id"],
            "3115",
            "tender.items[1].classification.id: not a CPV code",
        ),
        (
            ["tender", "items", 0, "classification", "id"],
            "99999999",
            "tender.items: '99999999' is not in CPV 2008",
        ),
        (
            ["tender", "tenderPeriod", "endDate"],
            "next spring",
            "tender.tenderPeriod.endDate: 'next spring' is not a date-time",
        ),
        (["tender", "eForms", "greenProcurement"], ["greenish"], "tender.eForms.greenProcurement"),
        (["ocid"], KeyError, "ocid: expected a non-empty string"),
    ],
)
def test_bad_input_names_the_json_path_and_writes_nothing(
    session: Session, tfidf: Embedder, path: list, value: object, message: str
) -> None:
    who = people(session)
    before = count(session)
    with pytest.raises(InvalidInput) as refused:
        import_release(
            session=session,
            engine=MatchEngine(tfidf),
            user=who.malmo,
            document=_broken(path, value),
        )
    assert message in str(refused.value)
    assert count(session) == before


def test_a_package_of_two_processes_is_refused(session: Session, tfidf: Embedder) -> None:
    who = people(session)
    other = {**TENDER, "ocid": "ocds-213czf-other"}
    with pytest.raises(InvalidInput, match=r"releases: holds 2 processes"):
        import_release(
            session=session,
            engine=MatchEngine(tfidf),
            user=who.malmo,
            document={"releases": [TENDER, other]},
        )


def test_only_cities_for_themselves_and_coordinators_import(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    engine = MatchEngine(tfidf)
    for user in (who.voltgrav, who.sitecharge):
        with pytest.raises(Forbidden):
            import_release(session=session, engine=engine, user=user, document=TENDER)
    stockholm_id = who.stockholm.organisation_id
    with pytest.raises(Forbidden):
        import_release(
            session=session, engine=engine, user=who.malmo, document=TENDER, city_id=stockholm_id
        )
    with pytest.raises(InvalidInput, match="city_id"):
        import_release(session=session, engine=engine, user=who.coordinator, document=TENDER)
    made = import_release(
        session=session, engine=engine, user=who.coordinator, document=TENDER, city_id=stockholm_id
    )
    assert made.organisation_id == stockholm_id and made.status == ChallengeStatus.DRAFT
