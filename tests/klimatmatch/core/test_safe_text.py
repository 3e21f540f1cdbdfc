"""The rules of klimatmatch.core.safe_text as every path meets them: the schemas, the importer, a
registration and a restore refuse a website that is not http(s) and a one-line field with a
line break; the pages' helper draws an old stored address as text."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from klimatmatch.accounts.registration import Registration
from klimatmatch.catalogue.importing import ImportFailed, import_file
from klimatmatch.catalogue.schemas import (
    ChallengeCreate,
    CompanyCreate,
    CompanyUpdate,
)
from klimatmatch.cli import app
from klimatmatch.core.safe_text import flatten, safe_url
from klimatmatch.core.settings import get_settings
from klimatmatch.engagement.schemas import InterestCreate, Partner, StageMove
from klimatmatch.matching.schemas import ReviewCreate
from models import (
    Challenge,
    CompanyProfile,
    Organisation,
    OrganisationKind,
    create_db_engine,
    crud,
    session_factory,
)
from models.backup import export_database
from models.migrate import upgrade

NOT_WEB = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "  JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "https:evil.example",
    "https://exa mple.se",
]
NOT_ONE_LINE = [
    "Title\r\nBcc: x@evil.example",
    "Title\nnext",
    "Nul\x00here",
    "Esc\x1b[2J",
    "A\u2028B",
]
DESCRIPTION = "Laddinfrastruktur för tunga fordon och arbetsmaskiner."


def company(**fields: object) -> CompanyCreate:
    given = {"name": "Voltgräv AB", "description": DESCRIPTION, "country": "SE", **fields}
    return CompanyCreate(**given)


@pytest.mark.parametrize("website", NOT_WEB)
def test_only_http_and_https_websites_are_stored(website: str) -> None:
    for make in (company, CompanyUpdate):
        with pytest.raises(ValidationError) as caught:
            make(website=website)
        [error] = caught.value.errors()
        assert error["loc"] == ("website",)
        assert "website must be a web address starting with http:// or https://" in error["msg"]
    assert safe_url(website.strip()) == ""


@pytest.mark.parametrize("website", ["https://example.se", "http://example.se/a?b=c#d", ""])
def test_web_addresses_and_no_address_are_kept(website: str) -> None:
    assert company(website=f" {website} ").website == website
    assert safe_url(website) == website


def test_the_page_helper_draws_only_web_addresses() -> None:
    assert safe_url("HTTPS://Example.se/x") == "HTTPS://Example.se/x"
    for stored in ("javascript:alert(1)", " javascript:alert(1)", "java\nscript:x", None, 12):
        assert safe_url(stored) == ""


@pytest.mark.parametrize("title", NOT_ONE_LINE)
def test_one_line_fields_refuse_line_breaks_and_control_characters(title: str) -> None:
    with pytest.raises(ValidationError) as caught:
        ChallengeCreate(title=title, description=DESCRIPTION)
    [error] = caught.value.errors()
    assert error["loc"] == ("title",)
    assert "title must be one line without control characters" in error["msg"]


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda v: company(name=v), "name"),
        (lambda v: company(sector=v), "sector"),
        (lambda v: company(references=[{"what": v}]), "what"),
        (
            lambda v: ChallengeCreate(title="Solceller", description=DESCRIPTION, location=v),
            "location",
        ),
        (
            lambda v: ChallengeCreate(title="Solceller", description=DESCRIPTION, contact=v),
            "contact",
        ),
        (
            lambda v: ReviewCreate(challenge_id=1, company_id=1, decision="rejected", reason=v),
            "reason",
        ),
        (lambda v: Partner(name=v), "name"),
        (
            lambda v: StageMove(
                stage="workshop", workshop_at="2027-03-01T09:00:00+01:00", workshop_place=v
            ),
            "workshop_place",
        ),
        (lambda v: Registration("Eva" + v, "e@x.se", "pw", "en", company()), "person"),
    ],
)
def test_every_single_line_field_names_itself(make: object, field: str) -> None:
    with pytest.raises(ValidationError, match=f"{field} must be one line without control"):
        make("Rad ett\r\nBcc: x@evil.example")  # type: ignore[operator]


def test_multi_line_text_keeps_line_breaks_and_tabs_but_no_other_control_characters() -> None:
    text = "Första stycket.\r\n\n\tAndra stycket, indraget."
    assert ChallengeCreate(title="Solceller", description=text, criteria=text).criteria == text
    assert InterestCreate(pitch=text).pitch == text
    for bad in ("\x00", "\x1b", "\x0c", "\x85"):
        with pytest.raises(ValidationError) as caught:
            InterestCreate(pitch=f"Vi kan {bad} leverera det här.")
        assert "pitch must not contain control characters other than line breaks" in str(
            caught.value
        )


def test_flatten_makes_one_line_of_old_text_for_a_header() -> None:
    assert flatten("Title\r\nBcc: x@evil.example") == "Title Bcc: x@evil.example"
    assert flatten(" A\u2028B\x00\tC\x85 ") == "A B C"
    assert flatten("Solceller på skolor") == "Solceller på skolor"


def write_csv(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_the_importer_names_row_and_column_of_each_bad_website(
    session: Session, tmp_path: Path
) -> None:
    rows = [
        {"name": f"Firma {n} AB", "country": "SE", "description": DESCRIPTION, "website": w}
        for n, w in enumerate(["https://example.se", *NOT_WEB])
    ]
    with pytest.raises(ImportFailed) as caught:
        import_file(session=session, path=write_csv(tmp_path / "companies.csv", rows))
    problems = caught.value.problems
    assert [(p.row, p.column) for p in problems] == [(n, "website") for n in range(3, 3 + 8)]
    assert "companies.csv, row 3, column 'website': website must be a web address" in str(
        caught.value
    )
    assert crud.counts(session=session)["companies"] == 0


def test_the_importer_names_the_row_of_a_title_with_a_line_break(
    session: Session, tmp_path: Path
) -> None:
    good = {"city": "Lund", "title": "Solceller på skolor", "description": DESCRIPTION}
    bad = {**good, "title": "Solceller\r\nBcc: x@evil.example"}
    for name, write in (
        ("challenges.csv", lambda p: write_csv(p, [good, bad])),
        ("challenges.json", lambda p: p.write_text(json.dumps([good, bad]), encoding="utf-8")),
    ):
        path = tmp_path / name
        write(path)
        with pytest.raises(ImportFailed) as caught:
            import_file(session=session, path=path)
        [problem] = caught.value.problems
        assert (problem.row, problem.column) == ((3 if name.endswith("csv") else 2), "title")
        assert problem.message.startswith("title must be one line without control characters")
    assert crud.counts(session=session)["challenges"] == 0


def test_a_restore_refuses_a_backup_with_rows_no_write_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An old or edited backup: written straight into a database, past every schema."""
    source = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    upgrade(source)
    with session_factory(source)() as session:
        city = Organisation(name="Lund", kind=OrganisationKind.CITY, country="SE")
        firm = Organisation(name="Mallory AB", kind=OrganisationKind.COMPANY, country="SE")
        session.add_all([city, firm])
        session.flush()
        session.add(
            Challenge(organisation_id=city.id, title="A\r\nBcc: x", description=DESCRIPTION)
        )
        session.add(
            CompanyProfile(
                organisation_id=firm.id,
                name="Mallory AB",
                description=DESCRIPTION,
                country="SE",
                website="javascript:alert(1)",
            )
        )
        session.commit()
    export_database(source, tmp_path / "old.json.gz")
    target = tmp_path / "new.db"
    monkeypatch.setenv("KLIMATMATCH_DATABASE_URL", f"sqlite:///{target}")
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["import", str(tmp_path / "old.json.gz")])
    get_settings.cache_clear()
    output = " ".join(result.output.split())
    assert result.exit_code == 2, output
    assert "challenges id 1: title: title must be one line" in output
    assert "company_profiles id 1: website: website must be a web address" in output
    with session_factory(create_db_engine(f"sqlite:///{target}"))() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == 0
