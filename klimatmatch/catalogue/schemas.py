"""One schema family per entity, shared by the importer and the API: Create / Update / Public."""

from __future__ import annotations

import csv
import re
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from klimatmatch.core.safe_text import Line, Prose, WebUrl
from klimatmatch.core.settings import PROJECT_DATA
from klimatmatch.ocds.eforms import GreenCriteria, GreenProcurement, clean_nuts, clean_ocid
from models import ChallengeStatus

_CPV = re.compile(r"^(\d{8})(?:-\d)?$")
_LANGUAGE_ALIASES = {"nb": "no", "nn": "no", "se": "sv", "dk": "da", "swe": "sv", "eng": "en"}


def _blank_to_none(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _split_codes(value: Any) -> Any:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in re.split(r"[;,|\s]+", value) if part.strip()]
    if isinstance(value, int | float):
        return [str(int(value))]
    return value


@lru_cache(maxsize=1)
def known_cpv_codes() -> frozenset[str]:
    """The 9,454 codes of CPV 2008 shipped in data/taxonomies."""
    path = PROJECT_DATA / "taxonomies" / "cpv2008_en_sv_da_fi.csv"
    with path.open(encoding="utf-8") as handle:
        return frozenset(row["code"] for row in csv.DictReader(handle))


def _clean_cpv(codes: list[str]) -> list[str]:
    cleaned = []
    for code in codes:
        match = _CPV.match(str(code).strip())
        if match is None:
            raise ValueError(
                f"{code!r} is not a CPV code (8 digits, optional check digit: 45000000-7)"
            )
        if match.group(1) not in known_cpv_codes():
            raise ValueError(f"{code!r} is not in CPV 2008 (see data/taxonomies)")
        cleaned.append(match.group(1))
    return list(dict.fromkeys(cleaned))


def _clean_language(value: str | None) -> str | None:
    if value is None:
        return None
    code = _LANGUAGE_ALIASES.get(value.strip().lower(), value.strip().lower())
    if not re.fullmatch(r"[a-z]{2}", code):
        raise ValueError(f"{value!r} is not a two-letter language code (sv, en, da, no, fi, ...)")
    return code


def _clean_country(value: str | None) -> str | None:
    if value is None:
        return None
    code = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{2}", code):
        raise ValueError(f"{value!r} is not a two-letter country code (SE, DK, NO, FI, ...)")
    return code


def _clean_languages(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(code for code in map(_clean_language, codes) if code))


class Reference(BaseModel):
    """An earlier project with a city: what was done, where, when (free text such as 2023)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    what: Line = Field(min_length=3, max_length=300)
    where: Line = Field(default="", max_length=200)
    when: Line = Field(default="", max_length=40)


MAX_ID = 2_147_483_647
"""Ids and counts fit a 32-bit signed integer, the INTEGER of PostgreSQL."""

Optional = Annotated[Line | None, BeforeValidator(_blank_to_none)]
CpvCodes = Annotated[list[str], BeforeValidator(_split_codes)]
Languages = Annotated[list[str], BeforeValidator(_split_codes)]
Deadline = Annotated[date | None, BeforeValidator(_blank_to_none)]
GreenCodes = Annotated[list[GreenProcurement], BeforeValidator(_split_codes)]
CriteriaCodes = Annotated[list[GreenCriteria], BeforeValidator(_split_codes)]
YesNo = Annotated[bool | None, BeforeValidator(_blank_to_none)]
References = Annotated[list[Reference], Field(max_length=50)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ChallengeFields(Strict):
    title: Line = Field(min_length=3, max_length=300)
    description: Prose = Field(min_length=10, max_length=20_000)
    theme: Line = Field(default="", max_length=100)
    language: Optional = Field(
        default=None, description="ISO 639-1; guessed from the text if empty"
    )
    status: ChallengeStatus = ChallengeStatus.PUBLISHED
    cpv_codes: CpvCodes = Field(default_factory=list)
    criteria: Prose = Field(
        default="", max_length=5_000, description="The city's criteria for success"
    )
    deadline: Deadline = Field(default=None, description="Last day for expressions of interest")
    location: Line = Field(default="", max_length=200)
    contact: Line = Field(default="", max_length=300, description="The city's contact person")
    nuts_code: Line = Field(default="", max_length=5, description="The delivery region (NUTS)")
    innovative_procurement: Prose = Field(
        default="", max_length=5_000, description="eForms BT-776: how the procurement innovates"
    )
    green_procurement: GreenCodes = Field(
        default_factory=list, description="eForms BT-774: environmental-impact codes"
    )
    green_criteria: CriteriaCodes = Field(
        default_factory=list, description="eForms BT-805: green public procurement criteria"
    )
    clean_vehicles: YesNo = Field(
        default=None, description="eForms BT-717: the Clean Vehicles Directive applies"
    )

    _language = field_validator("language")(_clean_language)
    _cpv = field_validator("cpv_codes")(_clean_cpv)
    _nuts = field_validator("nuts_code")(clean_nuts)


class ChallengeRecord(ChallengeFields):
    """One row of a challenges file."""

    external_id: Optional = Field(default=None, max_length=100)
    city: Line = Field(min_length=1, max_length=200)
    country: Optional = None

    _country = field_validator("country")(_clean_country)


class CompanyFields(Strict):
    name: Line = Field(min_length=1, max_length=200)
    description: Prose = Field(min_length=10, max_length=20_000)
    sector: Line = Field(default="", max_length=100)
    country: Line = Field(min_length=2, max_length=2)
    language: Optional = None
    employees: Annotated[int | None, BeforeValidator(_blank_to_none)] = Field(
        default=None, ge=0, le=MAX_ID
    )
    website: WebUrl = Field(default="", max_length=300)
    cpv_codes: CpvCodes = Field(default_factory=list)
    references: References = Field(default_factory=list)
    languages: Languages = Field(default_factory=list, description="Languages it works in")

    _language = field_validator("language")(_clean_language)
    _country = field_validator("country")(_clean_country)
    _cpv = field_validator("cpv_codes")(_clean_cpv)
    _languages = field_validator("languages")(_clean_languages)


class CompanyRecord(CompanyFields):
    """One row of a companies file; the organisation is the company's name."""

    external_id: Optional = Field(default=None, max_length=100)


class ChallengePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    city: str
    title: str
    description: str
    theme: str
    language: str
    status: ChallengeStatus
    cpv_codes: list[str]
    criteria: str
    deadline: date | None
    location: str
    contact: str
    nuts_code: str
    innovative_procurement: str
    green_procurement: list[str]
    green_criteria: list[str]
    clean_vehicles: bool | None
    tender_ocid: str
    version: int
    created_at: datetime
    updated_at: datetime


class CompanyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    external_id: str | None
    name: str
    description: str
    sector: str
    country: str
    language: str
    employees: int | None
    website: str
    cpv_codes: list[str]
    references: list[Reference]
    languages: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class ChallengeCreate(ChallengeFields):
    """A city posts a challenge for itself; the city comes from the account, not the body."""

    external_id: Optional = Field(default=None, max_length=100)


class ChallengeUpdate(Strict):
    """Only the fields given change."""

    title: Line | None = Field(default=None, min_length=3, max_length=300)
    description: Prose | None = Field(default=None, min_length=10, max_length=20_000)
    theme: Line | None = Field(default=None, max_length=100)
    language: Optional = None
    status: ChallengeStatus | None = None
    cpv_codes: CpvCodes | None = None
    criteria: Prose | None = Field(default=None, max_length=5_000)
    deadline: Deadline = None
    location: Line | None = Field(default=None, max_length=200)
    contact: Line | None = Field(default=None, max_length=300)
    nuts_code: Line | None = Field(default=None, max_length=5)
    innovative_procurement: Prose | None = Field(default=None, max_length=5_000)
    green_procurement: GreenCodes | None = None
    green_criteria: CriteriaCodes | None = None
    clean_vehicles: YesNo = None
    tender_ocid: Line | None = Field(
        default=None,
        max_length=100,
        description="The ocid of the tender that followed; only once closed with a procurement",
    )

    _language = field_validator("language")(_clean_language)
    _cpv = field_validator("cpv_codes")(lambda v: None if v is None else _clean_cpv(v))
    _nuts = field_validator("nuts_code")(clean_nuts)
    _ocid = field_validator("tender_ocid")(clean_ocid)


class CompanyCreate(CompanyFields):
    external_id: Optional = Field(default=None, max_length=100)


class CompanyUpdate(Strict):
    name: Line | None = Field(default=None, min_length=1, max_length=200)
    description: Prose | None = Field(default=None, min_length=10, max_length=20_000)
    sector: Line | None = Field(default=None, max_length=100)
    country: Line | None = Field(default=None, min_length=2, max_length=2)
    language: Optional = None
    employees: int | None = Field(default=None, ge=0, le=MAX_ID)
    website: WebUrl | None = Field(default=None, max_length=300)
    cpv_codes: CpvCodes | None = None
    references: References | None = None
    languages: Languages | None = None

    _language = field_validator("language")(_clean_language)
    _country = field_validator("country")(_clean_country)
    _cpv = field_validator("cpv_codes")(lambda v: None if v is None else _clean_cpv(v))
    _languages = field_validator("languages")(lambda v: None if v is None else _clean_languages(v))


class ChallengesPublic(BaseModel):
    data: list[ChallengePublic]
    count: int


class CompaniesPublic(BaseModel):
    data: list[CompanyPublic]
    count: int


class UserPublic(BaseModel):
    id: int
    name: str
    role: str
    organisation: str | None
