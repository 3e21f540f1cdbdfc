"""`klimatmatch`: set up, import, index, match and serve from the command line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.orm import Session

from klimatmatch.accounts import service as accounts
from klimatmatch.catalogue import restoring
from klimatmatch.catalogue.importing import import_file
from klimatmatch.cli.common import console, fail, print_shortlist, sessions
from klimatmatch.cli.eval import eval_
from klimatmatch.cli.jobs import jobs_app, worker
from klimatmatch.cli.users import users
from klimatmatch.cli.vectors import vectors_app
from klimatmatch.core.errors import KlimatmatchError
from klimatmatch.core.settings import Settings, get_settings
from klimatmatch.index import indexing
from klimatmatch.index.embedding import build_engine
from klimatmatch.index.registry import backend_for, migrate
from klimatmatch.learning import service as learning
from klimatmatch.learning import strength as learned_strength
from klimatmatch.matching import service as matching
from matcher import MatchEngine
from models import RunReason, create_db_engine, crud
from models.backup import RestoreError, export_database, restore_database

app = typer.Typer(
    help="Klimatmatch: cities' climate challenges meet the companies that solve them.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(users, name="users")
app.command("eval")(eval_)
app.add_typer(jobs_app, name="jobs")
app.add_typer(vectors_app, name="vectors")
app.command()(worker)
SAMPLE_FILES = ("sample/challenges.csv", "sample/companies.csv")


def _engine(settings: Settings, session: Session) -> MatchEngine:
    engine = build_engine(settings)
    report = indexing.rebuild(session=session, engine=engine, show_progress=True)
    session.commit()
    console.print(str(report))
    return engine


@app.command()
def init(sample: Annotated[bool, typer.Option(help="Also load the sample data")] = False) -> None:
    """Create or migrate the database; with --sample, load and embed the sample set."""
    settings = get_settings()
    with sessions(settings) as session:
        if sample:
            _load_sample(session, settings)
            _engine(settings, session)
            _demo_accounts(session, settings)
    console.print(f"database ready: {settings.database_url}")


def _demo_accounts(session: Session, settings: Settings) -> None:
    """Sign-ins for trying the pages on the sample data, kept in a private file."""
    path = settings.demo_accounts
    known = json.loads(path.read_text()) if path.exists() else []
    entries = accounts.demo_accounts(
        session=session, known=known if isinstance(known, list) else []
    )
    session.commit()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text(json.dumps(entries, indent=2, ensure_ascii=False))
    console.print(f"demo accounts (kept in {path}):", highlight=False)
    for entry in entries:
        who = f"{entry['role']}, {entry['organisation']}"
        print(f"  {who:<36} {entry['email']:<34} password: {entry['password']}")
    console.print(
        f"open http://{settings.host}:{settings.port}/ and sign in with one of these; "
        "programs use the api_key in the file",
        highlight=False,
    )


def _load_sample(session: Session, settings: Settings) -> None:
    for name in SAMPLE_FILES:
        report = import_file(session=session, path=settings.data_dir / name)
        console.print(f"{name}: {report.created} created, {report.updated} updated")
    session.commit()


@app.command("export")
def export(file: Annotated[Path, typer.Argument(help="Backup file to write (.json.gz)")]) -> None:
    """Back up the whole database (every table) to one gzipped JSON file."""
    settings = get_settings()
    db = create_db_engine(settings.database_url)
    migrate(db, settings)
    counts = export_database(db, file)
    console.print(f"{file}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help="CSV, XLSX or JSON file, or a .json.gz backup")],
    kind: Annotated[
        str | None, typer.Option(help="challenges or companies (default: guessed)")
    ] = None,
) -> None:
    """Import challenges or company profiles (nothing is written if any row is invalid), or
    restore a backup made by `klimatmatch export` into an empty database."""
    if file.name.endswith(".json.gz"):
        settings = get_settings()
        db = create_db_engine(settings.database_url)
        migrate(db, settings)
        try:
            counts = restore_database(db, file, check=restoring.row_problems)
        except RestoreError as error:
            console.print(f"[red]error:[/red] {error}", highlight=False)
            raise typer.Exit(code=2) from error
        console.print(f"restored {file}: " + ", ".join(f"{n} {t}" for t, n in counts.items()))
        return
    if kind not in (None, "challenges", "companies"):
        raise typer.BadParameter("--kind must be challenges or companies")
    with sessions(get_settings()) as session:
        try:
            report = import_file(session=session, path=file, kind=kind)  # type: ignore[arg-type]
        except KlimatmatchError as error:
            session.rollback()
            raise fail(error) from error
        session.commit()
    console.print(f"{file.name}: {report.created} {report.kind} created, {report.updated} updated")


@app.command()
def reindex(
    graphs_only: Annotated[
        bool,
        typer.Option(
            "--graphs-only",
            help="pgvector: only rebuild HNSW graphs built with other parameters than the "
            "settings' (concurrently: the service goes on serving)",
        ),
    ] = False,
) -> None:
    """Embed what is not in the cache yet and rebuild the index (pgvector: rewrite its tables,
    then rebuild any HNSW graph built with other parameters than the settings')."""
    backend_for(get_settings()).reindex(console.print, graphs_only=graphs_only)


@app.command()
def match(
    challenge_id: Annotated[int, typer.Argument(help="Challenge id (see GET /challenges)")],
    k: Annotated[int, typer.Option(min=1, max=200)] = 10,
) -> None:
    """Print the shortlist for one challenge and store it as a match run."""
    settings = get_settings()
    with sessions(settings) as session:
        engine = _engine(settings, session)
        try:
            run = matching.keep(
                session=session,
                run=matching.challenge_shortlist(
                    session=session, engine=engine, challenge_id=challenge_id, k=k
                ),
                reason=RunReason.FROZEN,
            )
        except KlimatmatchError as error:
            raise fail(error) from error
        session.commit()
        challenge = crud.get_challenge(session=session, challenge_id=challenge_id)
        assert challenge is not None
        print_shortlist(challenge.title, engine.shortlist(challenge_id, k), f"run {run.id}")


@app.command()
def demo(
    challenges: Annotated[int, typer.Option(min=1, max=20)] = 4,
    k: Annotated[int, typer.Option(min=1, max=20)] = 5,
) -> None:
    """Load the sample if the database is empty, then show top companies for a few challenges."""
    settings = get_settings()
    with sessions(settings) as session:
        if crud.counts(session=session)["challenges"] == 0:
            _load_sample(session, settings)
        engine = _engine(settings, session)
        picked = _varied(crud.list_challenges(session=session), challenges)
        for challenge in picked:
            print_shortlist(
                f"{challenge.title} ({challenge.organisation.name}, {challenge.language})",
                engine.shortlist(challenge.id, k),
            )


def _varied(challenges: list, count: int) -> list:
    """One challenge per language first, so the demo shows matching across languages."""
    by_language: dict[str, list] = {}
    for challenge in challenges:
        by_language.setdefault(challenge.language, []).append(challenge)
    picked = []
    while len(picked) < min(count, len(challenges)):
        for group in by_language.values():
            if group and len(picked) < count:
                picked.append(group.pop(0))
    return picked


@app.command()
def learn(
    strength: bool = typer.Option(False, help="Refit the match strength instead"),
) -> None:
    """Train a new re-ranker version from coordinators' accept/reject decisions."""
    settings = get_settings()
    with sessions(settings) as session:
        engine = _engine(settings, session)
        try:
            if strength:
                refit = learned_strength.refit(
                    session=session, engine=engine, min_decisions=settings.min_reviews
                )
                console.print(f"strength refitted: {refit}; used from the next start")
                return
            report = learning.train(
                session=session, engine=engine, min_reviews=settings.min_reviews
            )
        except KlimatmatchError as error:
            raise fail(error) from error
    console.print(
        f"re-ranker {report.version}: {report.examples} labels ({report.sources}), "
        f"{report.positives} accepted; used by the service from its next start"
    )


@app.command()
def snapshot() -> None:
    """Write a snapshot of the index (processes start from it in seconds); old ones are pruned."""
    from matcher.snapshot import SnapshotError

    try:
        written = backend_for(get_settings()).snapshot()
    except SnapshotError as error:
        console.print(f"[red]error:[/red] {error}", highlight=False)
        raise typer.Exit(code=2) from error
    console.print(written, highlight=False, soft_wrap=True)


@app.command()
def serve(
    host: Annotated[str | None, typer.Option()] = None,
    port: Annotated[int | None, typer.Option()] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            max=64,
            help="Processes behind one port, each with its own replica of the index "
            "(uvicorn's process manager; restarts a worker that dies)",
        ),
    ] = 1,
) -> None:
    """Serve the API (OpenAPI docs at /docs)."""
    import uvicorn

    from api.app import PROXY_HEADERS
    from api.observability import LOG_CONFIG

    settings = get_settings()
    if workers == 1:
        from api.app import create_app

        uvicorn.run(
            create_app(settings),
            host=host or settings.host,
            port=port or settings.port,
            log_config=LOG_CONFIG,
            proxy_headers=PROXY_HEADERS,
        )
        return
    # each worker builds its app from the same KLIMATMATCH_* environment
    uvicorn.run(
        "api.app:create_app",
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=settings.worker_healthcheck_seconds,
        host=host or settings.host,
        port=port or settings.port,
        log_config=LOG_CONFIG,
        proxy_headers=PROXY_HEADERS,
    )


if __name__ == "__main__":
    app()
