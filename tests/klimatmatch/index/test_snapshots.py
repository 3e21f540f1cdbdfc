"""Start-up from snapshots on a real database: the newest usable one plus the change log, and
every kind of unusable snapshot skipped for the next one or a rebuild."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.orm import Session

from klimatmatch.core.settings import Settings
from klimatmatch.index import snapshots
from klimatmatch.index.embedding import build_engine
from klimatmatch.index.replication import apply_changes, current_version
from matcher import MatchEngine
from models import Change, crud
from tests.klimatmatch.index.test_indexing import load_sample
from tests.matcher.test_engine_channels import MULTILINGUAL, Keywords


def settings_in(folder: Path) -> Settings:
    return Settings(_env_file=None, snapshot_dir=folder)


def engine_for(settings: Settings) -> MatchEngine:
    return build_engine(settings, Keywords(MULTILINGUAL))


def shortlists(engine: MatchEngine) -> dict[int, list[int]]:
    return {
        d.id: [m.document.id for m in engine.shortlist(d.id, 5, explain=False)]
        for d in engine.challenges.documents
    }


def saved(session: Session, settings: Settings) -> tuple[MatchEngine, snapshots.Snapshot]:
    """A process that rebuilt and wrote its snapshot at the current version."""
    engine = engine_for(settings)
    report = snapshots.start(settings=settings, session=session, engine=engine)
    assert report.source == "rebuild"
    identity = snapshots.database_identity(session=session)
    snapshot = snapshots.write(
        settings=settings, engine=engine, version=report.version, database_id=identity
    )
    return engine, snapshot


def edit_first_company(session: Session, text: str) -> int:
    company = crud.list_companies(session=session)[0]
    company.description = text
    session.commit()
    return company.id


def test_a_process_starts_from_the_snapshot_and_replays_what_came_after(
    session: Session, tmp_path: Path
) -> None:
    load_sample(session)
    session.commit()
    settings = settings_in(tmp_path)
    first, snapshot = saved(session, settings)
    edited = edit_first_company(session, "Värmepumpar för fjärrvärme och laddning av bussar.")
    session.delete(crud.list_companies(session=session)[-1])
    session.commit()
    assert current_version(session=session) > snapshot.meta["data_version"]

    second = engine_for(settings)
    report = snapshots.start(settings=settings, session=session, engine=second)
    assert report.source == f"snapshot {snapshot.folder.name}"
    assert report.version == current_version(session=session)
    assert "fjärrvärme" in second.companies.document(edited).text
    # the first process, once its follower applied the same changes, ranks the same
    apply_changes(
        session=session, engine=first, after=snapshot.meta["data_version"], upto=report.version
    )
    assert len(second.companies) == len(first.companies)
    assert shortlists(second) == shortlists(first)


def test_unusable_snapshots_are_skipped_with_the_reason(session: Session, tmp_path: Path) -> None:
    load_sample(session)
    session.commit()
    settings = settings_in(tmp_path)
    _, good = saved(session, settings)
    edit_first_company(session, "Laddning av ellastbilar vid depåer.")

    def variant(name: str, **meta: object) -> None:
        folder = tmp_path / name
        folder.mkdir()
        for file in good.folder.iterdir():
            (folder / file.name).write_bytes(file.read_bytes())
        manifest = json.loads((folder / "manifest.json").read_text())
        manifest["meta"].update(meta)
        (folder / "manifest.json").write_text(json.dumps(manifest))

    version = good.meta["data_version"]
    variant("v1-foreign", database_id="another-database", data_version=version + 1)
    variant("v2-ahead", data_version=version + 1000)
    variant("v3-corrupt", data_version=version + 1)
    (tmp_path / "v3-corrupt" / "company.dense.npy").write_bytes(b"not a matrix")

    engine = engine_for(settings)
    report = snapshots.start(settings=settings, session=session, engine=engine)
    assert report.source == f"snapshot {good.folder.name}"
    reasons = " | ".join(report.skipped)
    assert "v2-ahead: at version" in reasons
    assert "v1-foreign: made for another database" in reasons
    assert "v3-corrupt: " in reasons and "corrupt" in reasons
    assert len(engine.companies) == len(crud.list_companies(session=session))


def test_a_snapshot_the_change_log_no_longer_reaches_is_rebuilt(
    session: Session, tmp_path: Path
) -> None:
    load_sample(session)
    session.commit()
    settings = settings_in(tmp_path)
    _, snapshot = saved(session, settings)
    edit_first_company(session, "Återvunnen plast i skolkök.")
    session.execute(delete(Change))  # pruned by a follower meanwhile
    session.commit()
    engine = engine_for(settings)
    report = snapshots.start(settings=settings, session=session, engine=engine)
    assert report.source == "rebuild"
    assert "no longer reaches back" in report.skipped[0]
    assert any("skolkök" in d.text for d in engine.companies.documents)
    off = snapshots.start(
        settings=settings.model_copy(update={"snapshots": False}),
        session=session,
        engine=engine_for(settings),
    )
    assert off.source == "rebuild" and off.skipped == []
    assert snapshot.folder.exists()
