"""The downloads as served: the shortlist and the funnel, in CSV and XLSX, carry hostile
company names, challenge titles and review reasons as inert text (issue 24, #2)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from klimatmatch.matching.export import ExportFormat
from models import Decision, Review, crud
from tests.api.conftest import World
from tests.klimatmatch.matching.test_export_safety import (
    HOSTILE,
    HYPERLINK,
    REASONS,
    TITLE,
    assert_inert,
    csv_cells,
)


@pytest.fixture(scope="module")
def hostile(world: World) -> int:
    """A stored shortlist whose top company, challenge and four reviews are named to attack."""
    challenge_id = world.ids["sth_published"]
    shortlist = world.get(f"/challenges/{challenge_id}/shortlist?k=5", "coordinator")
    ranked = [r["company_id"] for r in shortlist.json()["results"]]
    with world.client.app.state.klimatmatch.sessions() as session:
        crud.get_company(session=session, company_id=ranked[0]).name = HYPERLINK
        crud.get_challenge(session=session, challenge_id=challenge_id).title = TITLE
        for company_id, reason in zip(ranked[1:], REASONS, strict=True):
            session.add(
                Review(
                    challenge_id=challenge_id,
                    company_id=company_id,
                    reviewer="coordinator",
                    decision=Decision.REJECTED,
                    reason=reason,
                )
            )
        session.commit()
    return challenge_id


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_the_shortlist_download_is_inert(world: World, hostile: int, fmt: ExportFormat) -> None:
    response = world.get(
        f"/challenges/{hostile}/shortlist/export", "coordinator", params={"format": fmt.value}
    )
    assert response.status_code == 200, response.text
    lines = [text.replace("\r", "\n") for text in assert_inert(response.content, fmt)]
    assert ["'" + text.replace("\r", "\n") in lines for text in HOSTILE] == [True] * 6
    if fmt is ExportFormat.CSV:
        rows = csv_cells(response.content)
        assert float(rows[1][rows[0].index("score")]) > 0
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        for column, name in ((7, "strength"), (8, "score")):  # numbers, not text
            assert sheet.cell(row=1, column=column).value == name
            assert all(sheet.cell(row=r, column=column).data_type == "n" for r in range(2, 7))


@pytest.mark.parametrize("fmt", list(ExportFormat))
def test_the_funnel_download_is_inert(world: World, hostile: int, fmt: ExportFormat) -> None:
    response = world.get("/funnel/export", "coordinator", params={"format": fmt.value})
    assert response.status_code == 200, response.text
    assert "'" + TITLE in assert_inert(response.content, fmt)
