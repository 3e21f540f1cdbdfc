"""Imports challenges and company profiles from CSV, XLSX or JSON, all or nothing.

Every row is validated before anything is written; the first invalid file stops the import
with every problem found, each named by file, row and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, TypeVar

import pandas as pd
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from klimatmatch.catalogue.import_files import (  # noqa: F401 - SUFFIXES, read_table: used from here
    SUFFIXES,
    ImportFailed,
    Problem,
    read_table,
)
from klimatmatch.catalogue.schemas import ChallengeRecord, CompanyRecord
from klimatmatch.ocds import releases
from matcher.text import guess_language
from models import Challenge, CompanyProfile, OrganisationKind, crud

Kind = Literal["challenges", "companies"]
RECORDS: dict[str, type[BaseModel]] = {"challenges": ChallengeRecord, "companies": CompanyRecord}


@dataclass
class ImportReport:
    kind: Kind
    created: int = 0
    updated: int = 0
    ids: list[int] = field(default_factory=list)


def import_file(
    *, session: Session, path: Path, kind: Kind | None = None, name: str | None = None
) -> ImportReport:
    """Validate the whole file, then write every row in the caller's transaction. `name` is the
    file's name in messages, when the path is a stored copy's (default: the path's)."""
    name = name or path.name
    frame, first_row = read_table(path, name)
    kind = kind or infer_kind(Path(name), frame)
    records = validate(frame, RECORDS[kind], file=name, first_row=first_row)
    writer = _write_challenge if kind == "challenges" else _write_company
    report = ImportReport(kind)
    for record in records:
        row, created = writer(session, record)
        report.ids.append(row.id)
        report.created += created
        report.updated += not created
    return report


def infer_kind(path: Path, frame: pd.DataFrame) -> Kind:
    columns = set(frame.columns)
    if "city" in columns or "challenge" in path.stem.lower():
        return "challenges"
    if "name" in columns or "compan" in path.stem.lower():
        return "companies"
    raise ImportFailed(
        [Problem(path.name, None, None, "cannot tell challenges from companies: give --kind")]
    )


def validate(
    frame: pd.DataFrame, record: type[BaseModel], *, file: str, first_row: int
) -> list[BaseModel]:
    known = set(record.model_fields)
    problems = [
        Problem(file, None, str(column), f"unknown column; expected some of {sorted(known)}")
        for column in frame.columns
        if column not in known
    ]
    required = {n for n, f in record.model_fields.items() if f.is_required()}
    problems += [
        Problem(file, None, column, "required column is missing")
        for column in sorted(required - set(frame.columns))
    ]
    if problems:
        raise ImportFailed(problems)
    if frame.empty:
        raise ImportFailed([Problem(file, None, None, "the file has no rows")])
    records: list[BaseModel] = []
    seen: dict[str, int] = {}
    seen_names: dict[tuple[str, str], tuple[int, str | None]] = {}
    for offset, raw in enumerate(frame.to_dict("records")):
        row = first_row + offset
        try:
            parsed = record.model_validate({k: v for k, v in raw.items() if v is not None})
        except ValidationError as error:
            problems += _problems(error.errors(), file, row)
            continue
        name = getattr(parsed, "name", None)
        if name is not None:
            key = (" ".join(name.lower().split()), parsed.country)
            earlier = seen_names.get(key)
            if earlier is not None and (earlier[1] is None or earlier[1] != parsed.external_id):
                problems.append(
                    Problem(
                        file,
                        row,
                        "name",
                        f"duplicate company: same name and country as row {seen_names[key][0]}",
                    )
                )
            seen_names.setdefault(key, (row, parsed.external_id))
        external_id = getattr(parsed, "external_id", None)
        if external_id is not None and external_id in seen:
            problems.append(
                Problem(
                    file,
                    row,
                    "external_id",
                    f"duplicate of row {seen[external_id]}: {external_id!r}",
                )
            )
        elif external_id is not None:
            seen[external_id] = row
        records.append(parsed)
    if problems:
        raise ImportFailed(problems)
    return records


def _problems(errors: Iterable[dict], file: str, row: int) -> list[Problem]:
    return [
        Problem(
            file,
            row,
            ".".join(str(part) for part in error["loc"][:1]) or None,
            error["msg"].removeprefix("Value error, "),
        )
        for error in errors
    ]


def _write_challenge(session: Session, record: ChallengeRecord) -> tuple[Challenge, bool]:
    city = crud.get_or_create_organisation(
        session=session, name=record.city, kind=OrganisationKind.CITY, country=record.country or ""
    )
    existing = (
        crud.challenge_by_external_id(session=session, external_id=record.external_id)
        if record.external_id
        else None
    )
    values = record.model_dump(exclude={"city", "country"})
    row = _write_row(
        session, existing or Challenge(organisation_id=city.id), record, values, city.id
    )
    releases.challenge_written(session=session, challenge=row)
    return row, existing is None


def _write_company(session: Session, record: CompanyRecord) -> tuple[CompanyProfile, bool]:
    organisation = crud.get_or_create_organisation(
        session=session, name=record.name, kind=OrganisationKind.COMPANY, country=record.country
    )
    existing = (
        crud.company_by_external_id(session=session, external_id=record.external_id)
        if record.external_id
        else None
    )
    row = existing or CompanyProfile(organisation_id=organisation.id)
    return _write_row(session, row, record, record.model_dump(), organisation.id), existing is None


_Row = TypeVar("_Row", Challenge, CompanyProfile)


def _write_row(
    session: Session,
    row: _Row,
    record: ChallengeRecord | CompanyRecord,
    values: dict[str, object],
    organisation_id: int,
) -> _Row:
    """The record's values onto a new or existing row of its organisation, language guessed
    from the description where the file gave none; flushed, so the row has its id."""
    values["language"] = record.language or guess_language(record.description) or ""
    for name, value in values.items():
        setattr(row, name, value)
    row.organisation_id = organisation_id
    session.add(row)
    session.flush()
    return row
