from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy.orm import Session

from klimatmatch.catalogue.import_files import MAX_JSON_DEPTH
from klimatmatch.catalogue.importing import ImportFailed, import_file, read_table
from models import crud
from tests.conftest import SAMPLE

GOOD_CHALLENGE = {
    "external_id": "T-1",
    "city": "Lund",
    "country": "SE",
    "title": "Solceller på skolor",
    "description": "Vi söker solceller och batterier för kommunens skolor.",
    "theme": "solar",
    "language": "",
    "status": "published",
    "cpv_codes": "09331200-5; 31440000",
}


def write_csv(path: Path, rows: list[dict]) -> Path:
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_sample_files_import_and_reimport_updates_instead_of_duplicating(session: Session) -> None:
    first = import_file(session=session, path=SAMPLE / "challenges.csv")
    companies = import_file(session=session, path=SAMPLE / "companies.csv")
    assert (first.kind, first.created, companies.created) == ("challenges", 45, 155)
    again = import_file(session=session, path=SAMPLE / "challenges.csv")
    assert (again.created, again.updated) == (0, 45)
    assert crud.counts(session=session) == {"challenges": 45, "companies": 155}


def test_csv_values_are_cleaned_and_language_guessed(session: Session, tmp_path: Path) -> None:
    report = import_file(session=session, path=write_csv(tmp_path / "c.csv", [GOOD_CHALLENGE]))
    challenge = crud.get_challenge(session=session, challenge_id=report.ids[0])
    assert challenge is not None
    assert challenge.cpv_codes == ["09331200", "31440000"]
    assert challenge.language == "sv" and challenge.organisation.country == "SE"


def test_xlsx_and_json_are_read_too(session: Session, tmp_path: Path) -> None:
    xlsx = tmp_path / "challenges.xlsx"
    pd.DataFrame([GOOD_CHALLENGE]).to_excel(xlsx, index=False)
    assert import_file(session=session, path=xlsx).created == 1
    company = {
        "external_id": "F-1",
        "name": "Solar Oy",
        "country": "fi",
        "employees": 12,
        "description": "Solar panels for schools and offices.",
        "cpv_codes": ["09331200"],
    }
    path = tmp_path / "firms.json"
    path.write_text(json.dumps([company]), encoding="utf-8")
    report = import_file(session=session, path=path)
    stored = crud.get_company(session=session, company_id=report.ids[0])
    assert report.kind == "companies" and stored is not None
    assert (stored.country, stored.employees, stored.language) == ("FI", 12, "en")


@pytest.mark.parametrize(
    ("change", "row", "column", "message"),
    [
        ({"cpv_codes": "4500"}, 3, "cpv_codes", "'4500' is not a CPV code"),
        ({"title": "   "}, 3, "title", "at least 3 characters"),
        ({"status": "open"}, 3, "status", "'draft', 'published' or 'archived'"),
        ({"language": "swedish"}, 3, "language", "not a two-letter language code"),
        ({"external_id": "T-1"}, 3, "external_id", "duplicate of row 2"),
    ],
)
def test_a_bad_row_names_row_and_column_and_imports_nothing(
    session: Session, tmp_path: Path, change: dict, row: int, column: str, message: str
) -> None:
    rows = [GOOD_CHALLENGE, {**GOOD_CHALLENGE, "external_id": "T-2", **change}]
    with pytest.raises(ImportFailed) as caught:
        import_file(session=session, path=write_csv(tmp_path / "challenges.csv", rows))
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("challenges.csv", row, column)
    assert message in problem.message
    assert crud.counts(session=session)["challenges"] == 0


def test_unknown_and_missing_columns_are_reported(session: Session, tmp_path: Path) -> None:
    row = {k: v for k, v in GOOD_CHALLENGE.items() if k != "description"} | {"descripton": "typo"}
    with pytest.raises(ImportFailed) as caught:
        import_file(session=session, path=write_csv(tmp_path / "challenges.csv", [row]))
    text = str(caught.value)
    assert "column 'descripton': unknown column" in text
    assert "column 'description': required column is missing" in text


def test_wrong_encoding_and_broken_json_are_clear(session: Session, tmp_path: Path) -> None:
    latin = tmp_path / "challenges.csv"
    latin.write_bytes("city,title\nMalmö,Test\n".encode("latin-1"))
    with pytest.raises(ImportFailed, match="not UTF-8: byte 0xf6 at line 2"):
        import_file(session=session, path=latin)
    broken = tmp_path / "companies.json"
    broken.write_text('[{"name": "x",}]', encoding="utf-8")
    with pytest.raises(ImportFailed, match=r"companies.json, row 1: invalid JSON"):
        import_file(session=session, path=broken)


def test_unsupported_type_and_empty_file(session: Session, tmp_path: Path) -> None:
    with pytest.raises(ImportFailed, match="unsupported type '.txt'"):
        import_file(session=session, path=tmp_path / "x.txt")
    empty = tmp_path / "challenges.csv"
    empty.write_text(",".join(GOOD_CHALLENGE) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="the file has no rows"):
        import_file(session=session, path=empty)


def test_unknown_cpv_code_and_duplicate_companies_are_reported(
    session: Session, tmp_path: Path
) -> None:
    with pytest.raises(ImportFailed, match="'99999999' is not in CPV 2008"):
        import_file(
            session=session,
            path=write_csv(
                tmp_path / "challenges.csv", [{**GOOD_CHALLENGE, "cpv_codes": "99999999"}]
            ),
        )
    firm = {"name": "Solar  Oy", "country": "FI", "description": "Solar panels for schools."}
    twin = {**firm, "name": "solar oy"}
    with pytest.raises(ImportFailed) as caught:
        import_file(session=session, path=write_csv(tmp_path / "companies.csv", [firm, twin]))
    problem = caught.value.problems[0]
    assert (problem.row, problem.column) == (3, "name")
    assert "duplicate company: same name and country as row 2" in problem.message


def test_oversized_text_mixed_scripts_and_unknown_languages(
    session: Session, tmp_path: Path
) -> None:
    huge = {**GOOD_CHALLENGE, "description": "å" * 5_000_000}
    with pytest.raises(ImportFailed, match="row 2, column 'description': .*at most 20000"):
        import_file(session=session, path=write_csv(tmp_path / "challenges.csv", [huge]))
    mixed = {
        **GOOD_CHALLENGE,
        "external_id": "M-1",
        "language": "de",
        "description": "Ladestationen для грузовиков 和 laddning för lastbilar.",
    }
    report = import_file(session=session, path=write_csv(tmp_path / "challenges.csv", [mixed]))
    stored = crud.get_challenge(session=session, challenge_id=report.ids[0])
    assert stored is not None and stored.language == "de"
    assert "грузовиков" in stored.description


COMPANY = {"name": "Acme AB", "country": "SE", "description": "Electric excavators for sites."}


def not_a_zip(folder: Path) -> Path:
    """A CSV saved under an Excel name."""
    path = folder / "companies.xlsx"
    path.write_text("name,country\nAcme AB,SE\n", encoding="utf-8")
    return path


def with_dtd(folder: Path) -> Path:
    """A real workbook whose sheet declares an entity and uses it in a cell."""
    plain, path = folder / "plain.xlsx", folder / "companies.xlsx"
    pd.DataFrame([COMPANY]).to_excel(plain, index=False)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w") as target:
        for part in source.infolist():
            data = source.read(part)
            if part.filename == "xl/worksheets/sheet1.xml":
                body = data.decode("utf-8").replace("Acme AB", "&name;")
                data = ('<!DOCTYPE worksheet [<!ENTITY name "Acme AB">]>' + body).encode()
            target.writestr(part, data)
    return path


def deep_json(folder: Path) -> Path:
    """Arrays in arrays, far past what any list of records needs."""
    path = folder / "data.json"
    path.write_text('{"companies": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    return path


UNREADABLE = [
    pytest.param(
        not_a_zip, "companies.xlsx: not an Excel workbook (not a zip file)", id="not-a-zip"
    ),
    pytest.param(
        with_dtd,
        "companies.xlsx: contains a DTD (in xl/worksheets/sheet1.xml), which is refused",
        id="dtd",
    ),
    pytest.param(deep_json, f"data.json: nests deeper than {MAX_JSON_DEPTH} levels", id="deep"),
]


@pytest.mark.parametrize(("make", "message"), UNREADABLE)
def test_a_file_that_cannot_be_read_says_so_in_plain_words(
    session: Session, tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    with pytest.raises(ImportFailed) as caught:
        import_file(session=session, path=make(tmp_path), kind="companies")
    assert str(caught.value) == f"nothing imported, 1 problem(s):\n  - {message}"
    assert crud.counts(session=session)["companies"] == 0


def test_damaged_workbooks_and_json_at_the_depth_limit(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    pd.DataFrame([COMPANY]).to_excel(good, index=False)
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:-200])  # the zip's directory is at its end
    with pytest.raises(ImportFailed, match=r"cut.xlsx: not an Excel workbook \(not a zip"):
        read_table(cut)
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(broken, "w") as target:
        for part in source.infolist():
            data = source.read(part)
            target.writestr(part, data[:-20] if part.filename.endswith("sheet1.xml") else data)
    with pytest.raises(ImportFailed, match="damaged: xl/worksheets/sheet1.xml is not well-formed"):
        read_table(broken)
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as target:
        target.writestr("notes.txt", "hello")
    with pytest.raises(ImportFailed, match="not an Excel workbook .a zip file without"):
        read_table(other)
    assert read_table(good)[0].to_dict("records") == [COMPANY]
    edge = tmp_path / "edge.json"
    nested = "[" * (MAX_JSON_DEPTH - 2) + '"x"' + "]" * (MAX_JSON_DEPTH - 2)
    edge.write_text(f'[{{"name": {nested}, "text": "[[[[[[[[[[[[[[[[[[[[[["}}]', encoding="utf-8")
    assert read_table(edge)[0].columns.tolist() == ["name", "text"]  # 16 deep, brackets in text
    edge.write_text(f'[{{"name": [{nested}]}}]', encoding="utf-8")
    with pytest.raises(ImportFailed, match=f"nests deeper than {MAX_JSON_DEPTH}"):
        read_table(edge)


def test_a_zip_bomb_is_refused_before_anything_unpacks_it(tmp_path: Path) -> None:
    good = tmp_path / "good.xlsx"
    pd.DataFrame([COMPANY]).to_excel(good, index=False)
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(good) as source, zipfile.ZipFile(bomb, "w") as target:
        for part in source.infolist():
            target.writestr(part, source.read(part), compress_type=zipfile.ZIP_DEFLATED)
        padding = b"<x/>" + b" " * (64 << 20)  # 64 MiB of blanks pack into ~64 KiB
        target.writestr("xl/padding.xml", padding, compress_type=zipfile.ZIP_DEFLATED)
    assert bomb.stat().st_size < 1 << 20
    with pytest.raises(ImportFailed, match=r"bomb.xlsx: xl/padding.xml unpacks \d+ times"):
        read_table(bomb)
