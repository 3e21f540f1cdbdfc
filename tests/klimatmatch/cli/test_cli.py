from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from klimatmatch.accounts.passwords import verify_password
from klimatmatch.accounts.service import authenticate
from klimatmatch.cli import app
from klimatmatch.core.settings import get_settings
from matcher.snapshot import available
from models import User, create_db_engine, session_factory
from tests.conftest import SAMPLE

runner = CliRunner()


@pytest.fixture(autouse=True)
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Each CLI test gets its own SQLite file and the model-free backend."""
    database = tmp_path / "cli.db"
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", f"sqlite:///{database}")
    monkeypatch.setenv("KLIMATMATCH_EMBEDDER", "tfidf")
    monkeypatch.setenv("KLIMATMATCH_DEMO_ACCOUNTS", str(tmp_path / "demo-accounts.json"))
    get_settings.cache_clear()
    yield database
    get_settings.cache_clear()


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def test_init_sample_then_match_prints_a_ranked_table(cli_env: Path) -> None:
    output = invoke("init", "--sample")
    assert "sample/companies.csv: 155 created" in output
    assert "indexed 44 challenges and 155 companies" in output
    assert cli_env.exists()
    demo = json.loads((cli_env.parent / "demo-accounts.json").read_text())
    assert [(d["role"], d["organisation"]) for d in demo] == [
        ("coordinator", "Nordic Solutions for C40"),
        ("city", "Stockholm"),
        ("company", "Voltgräv AB"),
    ]
    assert all(set(d) == {"role", "organisation", "email", "password", "api_key"} for d in demo)
    assert all(d["email"] in output and d["password"] in output for d in demo)
    again = invoke("init", "--sample")
    assert all(d["password"] in again for d in demo)
    assert json.loads((cli_env.parent / "demo-accounts.json").read_text()) == demo  # kept
    with session_factory(create_db_engine(get_settings().database_url))() as session:
        users = {u.name: u.role.value for u in session.scalars(select(User))}
        assert users == {
            "Demo coordinator": "coordinator",
            "Demo city: Stockholm": "city",
            "Demo company: Voltgräv AB": "company",
        }
        for entry in demo:
            user = authenticate(session=session, token=entry["api_key"])
            assert user is not None and user.email == entry["email"]
            assert verify_password(user, entry["password"])
            assert not verify_password(user, entry["password"] + "x")
    table = invoke("match", "1", "--k", "3")
    assert "Fossilfria byggarbetsplatser" in table
    assert "run 1" in table and "Voltgräv AB" in table


def test_demo_loads_the_sample_when_empty_and_shows_several_languages() -> None:
    output = invoke("demo", "--challenges", "3", "--k", "2")
    assert "(Stockholm, sv)" in output and "(Malmö, en)" in output
    assert output.count("strength") == 3  # one table a challenge, strength as the pages write it


def test_import_bad_file_exits_2_and_names_the_row(tmp_path: Path) -> None:
    bad = tmp_path / "companies.csv"
    frame = pd.read_csv(SAMPLE / "companies.csv", dtype=str).head(3)
    frame.loc[1, "country"] = "Sweden"
    frame.to_csv(bad, index=False)
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 2
    assert "companies.csv, row 3, column 'country'" in result.output
    assert "nothing imported" in result.output
    assert "0 companies" not in invoke("import", str(SAMPLE / "companies.csv"))


def test_match_unknown_challenge_is_an_error_not_a_traceback() -> None:
    invoke("init")
    result = runner.invoke(app, ["match", "42"])
    assert result.exit_code == 2 and "challenge 42 does not exist" in result.output


def test_users_create_with_an_email_makes_an_account_that_can_reset_its_password() -> None:
    output = invoke(
        "users", "create", "--role", "admin", "--name", "Root", "--email", "Root@Example.org"
    )
    token = output.strip().splitlines()[-1]
    with session_factory(create_db_engine(get_settings().database_url))() as session:
        user = authenticate(session=session, token=token)
        assert user is not None and user.email == "root@example.org" and user.password_hash is None
    again = runner.invoke(
        app, ["users", "create", "--role", "admin", "--email", "ROOT@example.org"]
    )
    assert again.exit_code == 2 and "exists already" in again.output


def test_reindex_rebuilds_the_in_process_index_from_the_rows() -> None:
    invoke("init", "--sample")
    assert "indexed 44 challenges and 155 companies" in invoke("reindex")


def test_snapshot_command_writes_one_and_the_next_starts_from_it(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = cli_env.parent / "snapshots"
    monkeypatch.setenv("KLIMATMATCH_SNAPSHOT_DIR", str(folder))
    get_settings.cache_clear()
    invoke("init", "--sample")
    assert cli_env.exists()  # the test's own database, never the checkout's var/
    output = invoke("snapshot")
    assert "44 challenges, 155 companies" in output
    [first] = available(folder)
    assert first.folder.name in output
    invoke("snapshot")
    assert len(available(folder)) == 2  # both young: pruning spares them for other readers
    assert {s.meta["data_version"] for s in available(folder)} == {first.meta["data_version"]}
