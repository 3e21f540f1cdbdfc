"""Every release a challenge emits validates against the official OCDS 1.1.5 schemas: the
sample's, and after edits, eForms fields, stage moves and a linked tender."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from klimatmatch.catalogue import service as catalogue
from klimatmatch.catalogue.importing import import_file
from klimatmatch.catalogue.schemas import ChallengeUpdate
from klimatmatch.core.errors import InvalidInput, NotFound
from klimatmatch.core.settings import Settings
from klimatmatch.engagement import stages
from klimatmatch.engagement.schemas import StageMove
from klimatmatch.index import indexing
from klimatmatch.ocds import packages
from klimatmatch.ocds.packages import Publisher
from matcher import Embedder, MatchEngine
from models import Challenge, ChallengeStatus
from models.ocds import OcdsRelease
from models.tables import ChallengeOutcome, ChallengeStage
from tests.klimatmatch.engagement_world import challenge, people
from tests.klimatmatch.ocds.schemas import assert_record_package, assert_release_package

PUBLISHER = Publisher.of(Settings(public_url="https://klimatmatch.example.org"))
HELD = datetime(2026, 3, 1, 9, tzinfo=UTC)


def releases_of(session: Session, challenge_id: int) -> list[OcdsRelease]:
    query = select(OcdsRelease).where(OcdsRelease.challenge_id == challenge_id)
    return list(session.scalars(query.order_by(OcdsRelease.sequence)))


def check(session: Session, challenge_id: int) -> dict:
    """Both packages of the challenge, validated; the record package is returned."""
    assert_release_package(
        packages.release_package(session=session, publisher=PUBLISHER, challenge_id=challenge_id)
    )
    record = packages.record_package(
        session=session, publisher=PUBLISHER, challenge_id=challenge_id
    )
    assert_record_package(record)
    return record


def test_every_sample_challenge_has_one_valid_planning_release(session: Session) -> None:
    people(session)
    challenges = list(session.scalars(select(Challenge)))
    published = [c for c in challenges if c.status == ChallengeStatus.PUBLISHED]
    assert len(published) >= 40
    for row in challenges:
        emitted = releases_of(session, row.id)
        if row.status != ChallengeStatus.PUBLISHED:
            assert emitted == []
            with pytest.raises(NotFound):
                packages.release_package(session=session, publisher=PUBLISHER, challenge_id=row.id)
            continue
        assert [(r.sequence, r.tag) for r in emitted] == [(1, "planning")]
        record = check(session, row.id)
        compiled = record["records"][0]["compiledRelease"]
        assert compiled["ocid"] == f"ocds-klimatmatch-{row.id}"
        assert compiled["buyer"]["name"] == row.organisation.name
        assert compiled["parties"][0]["roles"] == ["buyer"]
        assert compiled["planning"]["documents"][0]["documentType"] == "needsAssessment"
        codes = [item["classification"]["id"] for item in compiled["tender"].get("items", [])]
        assert codes == row.cpv_codes


def test_edits_and_stage_moves_emit_valid_planning_updates(
    session: Session, tfidf: Embedder
) -> None:
    who = people(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    target = challenge(session, "STH-01")

    def edit(**fields: object) -> None:
        catalogue.update_challenge(
            session=session,
            engine=engine,
            user=who.stockholm,
            challenge_id=target.id,
            data=ChallengeUpdate(**fields),
        )

    def move(**fields: object) -> None:
        stages.move_stage(
            session=session,
            engine=engine,
            user=who.stockholm,
            challenge_id=target.id,
            data=StageMove(**fields),
        )

    edit(contact="Anna Svensson")  # not in a release: nothing emitted
    assert len(releases_of(session, target.id)) == 1
    edit(
        nuts_code="se110",
        innovative_procurement="Innovation partnership for electric site machinery.",
        green_procurement=["clim-mitig", "pollu-prev"],
        green_criteria=["national"],
        clean_vehicles=True,
    )
    with pytest.raises(InvalidInput, match="tender_ocid"):
        edit(tender_ocid="ocds-213czf-000-00001")
    move(stage=ChallengeStage.SHORTLISTING)
    move(stage=ChallengeStage.WORKSHOP, workshop_at=HELD, workshop_place="Stadshuset")
    move(
        stage=ChallengeStage.CLOSED,
        outcome=ChallengeOutcome.PROCUREMENT,
        summary="Three suppliers showed site machinery; the city procures in 2027.",
    )
    edit(tender_ocid="ocds-213czf-000-00001")

    emitted = releases_of(session, target.id)
    assert [r.tag for r in emitted] == ["planning"] + ["planningUpdate"] * 5
    compiled = check(session, target.id)["records"][0]["compiledRelease"]
    tender = compiled["tender"]
    assert tender["status"] == "complete"
    assert tender["eForms"] == {
        "innovativeProcurement": "Innovation partnership for electric site machinery.",
        "greenProcurement": ["clim-mitig", "pollu-prev"],
        "greenProcurementCriteria": ["national"],
        "cleanVehiclesDirective": True,
    }
    assert {a["region"] for item in tender["items"] for a in item["deliveryAddresses"]} == {"SE110"}
    assert compiled["relatedProcesses"] == [
        {
            "id": "tender",
            "relationship": ["planning"],
            "title": "The tender that followed this planning process",
            "scheme": "ocid",
            "identifier": "ocds-213czf-000-00001",
        }
    ]
    kinds = {d["documentType"] for d in compiled["planning"]["documents"]}
    assert kinds == {"needsAssessment", "marketStudies"}
    statuses = {m["id"]: m["status"] for m in compiled["planning"]["milestones"]}
    assert statuses == {"open": "met", "shortlisting": "met", "workshop": "met"}


def test_a_draft_is_invisible_until_opened_then_planning(session: Session, tfidf: Embedder) -> None:
    who = people(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    draft = challenge(session, "STH-05")
    assert draft.status == ChallengeStatus.DRAFT
    feed = packages.feed(session=session, publisher=PUBLISHER, page=1, size=1000)
    assert f"ocds-klimatmatch-{draft.id}" not in {r["ocid"] for r in feed["releases"]}
    with pytest.raises(NotFound) as refused:
        packages.record_package(session=session, publisher=PUBLISHER, challenge_id=draft.id)
    with pytest.raises(NotFound) as missing:
        packages.record_package(session=session, publisher=PUBLISHER, challenge_id=999_999)
    assert str(refused.value) == str(missing.value).replace("999999", str(draft.id))
    stages.move_stage(
        session=session,
        engine=engine,
        user=who.stockholm,
        challenge_id=draft.id,
        data=StageMove(stage=ChallengeStage.OPEN),
    )
    assert [r.tag for r in releases_of(session, draft.id)] == ["planning"]
    check(session, draft.id)


def test_the_feed_pages_with_links_and_every_page_validates(session: Session) -> None:
    people(session)
    published = session.scalar(
        select(Challenge.id).where(Challenge.status == ChallengeStatus.PUBLISHED).limit(1)
    )
    assert published is not None
    seen: list[str] = []
    page = 1
    while True:
        package = packages.feed(session=session, publisher=PUBLISHER, page=page, size=10)
        assert_release_package(package)
        seen += [release["ocid"] for release in package["releases"]]
        if "next" not in package.get("links", {}):
            break
        assert package["links"]["next"].endswith(f"/ocds/releases?page={page + 1}")
        page += 1
    assert page > 1 and len(seen) == len(set(seen))
    total = session.scalars(select(OcdsRelease.challenge_id).distinct()).all()
    assert len(seen) == len(total)
    with pytest.raises(NotFound):
        packages.feed(session=session, publisher=PUBLISHER, page=page + 1, size=10)


def test_archiving_withdraws_and_a_file_import_updates(
    session: Session, tfidf: Embedder, tmp_path: Path
) -> None:
    who = people(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    target = challenge(session, "MAL-01")
    again = tmp_path / "challenges.csv"
    again.write_text(
        "external_id,city,country,title,description,nuts_code,green_procurement\n"
        f'MAL-01,Malmö,SE,{target.title},"{target.description}",SE224,clim-adapt;water-mar\n',
        encoding="utf-8",
    )
    import_file(session=session, path=again)
    catalogue.archive_challenge(
        session=session, engine=engine, user=who.malmo, challenge_id=target.id
    )
    emitted = releases_of(session, target.id)
    assert [r.tag for r in emitted] == ["planning", "planningUpdate", "planningUpdate"]
    assert emitted[1].release["tender"]["eForms"]["greenProcurement"] == [
        "clim-adapt",
        "water-mar",
    ]
    assert emitted[2].release["tender"]["status"] == "withdrawn"
    check(session, target.id)
