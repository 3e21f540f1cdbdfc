"""The official OCDS 1.1.5 schemas (data/standards), as jsonschema Draft 4 validators.

The package schemas name the release schema by its URL on standard.open-contracting.org; a
local registry answers that URL with the copy on disk, so nothing is fetched."""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft4Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from klimatmatch.ocds.packages import SCHEMA_FOLDER

RELEASE_URL = "https://standard.open-contracting.org/schema/1__1__5/release-schema.json"


FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value: object) -> bool:
    """RFC 3339 with a zone: jsonschema checks it only with an extra package installed."""
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        return parsed.tzinfo is not None and "T" in value
    return True


@FORMATS.checks("uri")
def _uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


def _load(name: str) -> dict[str, Any]:
    return json.loads((SCHEMA_FOLDER / name).read_text(encoding="utf-8"))


@cache
def validator(name: str) -> Draft4Validator:
    release = _load("release-schema.json")
    registry = Registry().with_resource(RELEASE_URL, Resource(release, specification=DRAFT4))
    return Draft4Validator(_load(name), registry=registry, format_checker=FORMATS)


def problems(document: dict[str, Any], schema: str) -> list[str]:
    """'path: message' for each way the document breaks the schema; empty when valid."""
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator(schema).iter_errors(document)
    ]


def assert_release_package(package: dict[str, Any]) -> None:
    assert problems(package, "release-package-schema.json") == []
    for release in package["releases"]:
        assert problems(release, "release-schema.json") == []
        assert "tender" not in release["tag"]


def assert_record_package(package: dict[str, Any]) -> None:
    assert problems(package, "record-package-schema.json") == []
    for record in package["records"]:
        assert problems(record["compiledRelease"], "release-schema.json") == []
