"""Reading an import file into rows of text. The file comes from anyone allowed to upload, so
one that cannot be read is refused at once, named, with what is wrong in plain words: never a
parser's raw exception, which the job queue would take for a passing fault and retry.

An XLSX workbook is a zip of XML parts: it must open as a zip, and every part must be
well-formed XML without a DTD (where entity expansion and external references live), checked
with defusedxml before openpyxl reads it. JSON nesting is measured before `json.loads`, whose
recursion would otherwise run out of stack.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, XMLParser

from klimatmatch.core.errors import InvalidInput

SUFFIXES = (".csv", ".xlsx", ".json")
MAX_JSON_DEPTH = 16
"""Import files nest three levels (`{"companies": [{"cpv_codes": [...]}]}`); far deeper is not
a list of records but an attack on the parser."""
MAX_UNPACKED_BYTES = 1 << 30
"""A workbook's parts together, as unpacked: 100,000 companies' sheet is ~100 MB."""
MAX_RATIO = 100
"""How much one part may grow when unpacked (XML packs 10-30x); past it, and past
`RATIO_FLOOR`, the file is a zip bomb, not a spreadsheet."""
RATIO_FLOOR = 10 << 20
CHUNK = 1 << 16
_JSON_NOT_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?|[^"\[\]{}]+', re.DOTALL)
"""Strings (an unterminated one to the end, so the scan stays linear) and everything else that
is not a bracket."""


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}"


class ImportFailed(InvalidInput):
    """Nothing was imported; `problems` says what to fix and where. A domain error, so a job
    that raises it fails at once instead of being retried."""

    def __init__(self, problems: list[Problem]) -> None:
        shown = "\n".join(f"  - {problem}" for problem in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"nothing imported, {len(problems)} problem(s):\n{shown}{more}")
        self.problems = problems


def read_table(path: Path, name: str | None = None) -> tuple[pd.DataFrame, int]:
    """Returns the rows as strings and the number that the first data row carries; `name` is
    the file's name as its owner knows it (default: the path's)."""
    name = name or path.name
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise _failed(name, f"unsupported type {suffix!r}; use {SUFFIXES}")
    if not path.is_file():
        raise _failed(name, "no such file")
    what = {".xlsx": "an Excel workbook", ".json": "JSON", ".csv": "CSV"}[suffix]
    with _unreadable(name, what):
        if suffix == ".xlsx":
            _check_workbook(path, name)
            return pd.read_excel(path, dtype=str, keep_default_na=False), 2
        text = _decode(path, name)
        if suffix == ".json":
            return _json_frame(name, text), 1
        return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False), 2


def _failed(name: str, message: str, row: int | None = None) -> ImportFailed:
    return ImportFailed([Problem(name, row, None, message)])


@contextmanager
def _unreadable(name: str, what: str) -> Iterator[None]:
    """Whatever else a parser raises over a file it cannot read is the file's fault: a plain,
    permanent problem, not an exception to retry."""
    try:
        yield
    except ImportFailed:
        raise
    except Exception as error:
        detail = (str(error).strip().splitlines() or [type(error).__name__])[0][:300]
        raise _failed(name, f"cannot be read as {what}: {detail}") from error


def _check_workbook(path: Path, name: str) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as error:
        raise _failed(name, "not an Excel workbook (not a zip file)") from error
    with archive:
        parts = archive.namelist()
        if "[Content_Types].xml" not in parts:
            raise _failed(name, "not an Excel workbook (a zip file without [Content_Types].xml)")
        _check_sizes(archive, name)
        for part in parts:
            if part.lower().endswith((".xml", ".rels")):
                _check_part(archive, part, name)


def _check_sizes(archive: zipfile.ZipFile, name: str) -> None:
    """Refuses a zip bomb by the sizes its directory declares (zipfile reads no further than
    a part's declared size, so they bound the work openpyxl will do)."""
    members = archive.infolist()
    if sum(member.file_size for member in members) > MAX_UNPACKED_BYTES:
        limit = MAX_UNPACKED_BYTES >> 20
        raise _failed(name, f"unpacks to more than {limit} MiB, which is refused")
    for member in members:
        grows = member.file_size > MAX_RATIO * max(member.compress_size, 1)
        if grows and member.file_size > RATIO_FLOOR:
            raise _failed(
                name,
                f"{member.filename} unpacks {member.file_size // max(member.compress_size, 1)}"
                f" times its packed size, which is refused (a zip bomb, not a spreadsheet)",
            )


def _check_part(archive: zipfile.ZipFile, part: str, name: str) -> None:
    """Parses one XML part through, refusing a DTD the moment it starts."""
    parser = XMLParser(target=_Discard(), forbid_dtd=True)
    try:
        with archive.open(part) as member:
            while chunk := member.read(CHUNK):
                parser.feed(chunk)
        parser.close()
    except DefusedXmlException as error:
        raise _failed(name, f"contains a DTD (in {part}), which is refused") from error
    except ParseError as error:
        line, column = error.position
        message = f"damaged: {part} is not well-formed XML (line {line}, column {column})"
        raise _failed(name, message) from error
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as error:
        raise _failed(name, f"damaged: {part} cannot be unpacked ({error})") from error


class _Discard:
    """An XML parser target that keeps nothing: the check only needs the parse to finish."""


def _decode(path: Path, name: str) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        message = (
            f"not UTF-8: byte 0x{data[error.start]:02x} at line {line}; save the file as UTF-8"
        )
        raise _failed(name, message) from error


def _json_frame(name: str, text: str) -> pd.DataFrame:
    if _nests_deeper(text, MAX_JSON_DEPTH):
        raise _failed(name, f"nests deeper than {MAX_JSON_DEPTH} levels")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise _failed(name, f"invalid JSON: {error.msg}", row=error.lineno) from error
    if isinstance(data, dict) and len(data) == 1 and isinstance(next(iter(data.values())), list):
        data = next(iter(data.values()))
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise _failed(name, "expected a JSON array of objects")
    return pd.DataFrame.from_records(data).astype(object).where(lambda f: f.notna(), None)


def _nests_deeper(text: str, limit: int) -> bool:
    """Whether an array or object in the text lies more than `limit` levels deep: one pass of
    a regular expression keeps the brackets outside strings, and the count stops at the first
    level too deep."""
    depth = 0
    for bracket in _JSON_NOT_BRACKETS.sub("", text):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False
