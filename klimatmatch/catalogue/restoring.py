"""What a restore checks before it writes: the stored text of challenges, company profiles and
the names of organisations and people goes through the same schemas as every other write.

A backup is a file that can be old (made before a rule existed) or edited by hand, so
`models.backup.restore_database` takes this check from the application (models do not import
klimatmatch) and refuses the whole file when a row breaks a rule: a `javascript:` website or a
title with a line break comes back through no path."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from klimatmatch.catalogue.schemas import ChallengeUpdate, CompanyUpdate
from klimatmatch.core.safe_text import Line


class _Named(BaseModel):
    name: Line


SCHEMAS: dict[str, type[BaseModel]] = {
    "challenges": ChallengeUpdate,
    "company_profiles": CompanyUpdate,
    "organisations": _Named,
    "users": _Named,
}
"""Per table, the schema its columns of the same names are validated with."""


def row_problems(table: str, row: dict[str, Any]) -> list[str]:
    """'column: what is wrong' for each column of a stored row that its schema refuses."""
    schema = SCHEMAS.get(table)
    if schema is None:
        return []
    try:
        schema.model_validate({k: v for k, v in row.items() if k in schema.model_fields})
    except ValidationError as error:
        return [
            f"{'.'.join(str(part) for part in item['loc'])}: "
            + str(item["msg"]).removeprefix("Value error, ")
            for item in error.errors()
        ]
    return []
