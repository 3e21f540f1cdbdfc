"""An OCDS release from elsewhere (a national portal's planning or tender notice) read as the
fields of a challenge. Accepts a release, a release package (its releases of one ocid are
compiled with ocdsmerge first) or a record package; every refusal names the JSON path at fault.

What is read: title and description (the tender's, else the needs assessment's), CPV codes
(items' classification and additional classifications), the deadline (the tender period's
end, else the enquiry period's, else our own `open` milestone), the language, a NUTS region of
the items' delivery addresses, and the eForms fields of `tender.eForms` (docs/ocds.md)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from klimatmatch.core.errors import InvalidInput
from klimatmatch.ocds.eforms import EXTENSION_KEYS, NUTS
from klimatmatch.ocds.packages import merger

IMPORTABLE_TAGS = frozenset(
    {"planning", "planningUpdate", "tender", "tenderUpdate", "tenderAmendment", "compiled"}
)
_CPV = re.compile(r"^(\d{8})(?:-\d)?$")


@dataclass
class Read:
    """The challenge's fields found, and for each the path it came from (for messages)."""

    ocid: str
    fields: dict[str, Any] = field(default_factory=dict)
    paths: dict[str, str] = field(default_factory=dict)

    def put(self, name: str, value: Any, path: str) -> None:
        self.fields[name] = value
        self.paths[name] = path


def read_release(document: Any) -> Read:
    release, path = _one_release(document)
    tags = _get(release, path, "tag", list)
    if not tags or not IMPORTABLE_TAGS.intersection(tags):
        raise InvalidInput(f"{path}tag: {tags!r} is not a planning or tender release")
    read = Read(ocid=_text(_get(release, path, "ocid", str), f"{path}ocid"))
    tender = _get(release, path, "tender", dict) or {}
    needs = _needs_assessment(release, path)
    for name in ("title", "description"):
        if tender.get(name):
            read.put(name, _text(tender[name], f"{path}tender.{name}"), f"{path}tender.{name}")
        elif needs[0].get(name):
            read.put(name, _text(needs[0][name], f"{needs[1]}.{name}"), f"{needs[1]}.{name}")
        else:
            raise InvalidInput(f"{path}tender.{name}: missing (a challenge needs a {name})")
    if release.get("language"):
        read.put("language", _text(release["language"], f"{path}language"), f"{path}language")
    _read_items(read, _get(tender, f"{path}tender.", "items", list) or [], f"{path}tender.items")
    _read_deadline(read, release, tender, path)
    _read_eforms(read, _get(tender, f"{path}tender.", "eForms", dict) or {}, path)
    return read


def _one_release(document: Any) -> tuple[dict[str, Any], str]:
    """The release to read and the path prefix of its fields in the uploaded document."""
    if not isinstance(document, dict):
        raise InvalidInput("$: expected a JSON object (an OCDS release or package)")
    if "records" in document:
        records = _get(document, "", "records", list)
        if len(records) != 1 or not isinstance(records[0], dict):
            raise InvalidInput(f"records: holds {len(records)} records; upload one process")
        if isinstance(records[0].get("compiledRelease"), dict):
            return records[0]["compiledRelease"], "records[0].compiledRelease."
        return _compiled(_get(records[0], "records[0].", "releases", list), "records[0].releases")
    if "releases" in document:
        return _compiled(_get(document, "", "releases", list), "releases")
    return document, ""


def _compiled(releases: list[Any], path: str) -> tuple[dict[str, Any], str]:
    if not releases:
        raise InvalidInput(f"{path}: is empty")
    for index, release in enumerate(releases):
        if not isinstance(release, dict) or not isinstance(release.get("ocid"), str):
            raise InvalidInput(f"{path}[{index}]: not a release with an ocid")
    ocids = sorted({release["ocid"] for release in releases})
    if len(ocids) > 1:
        raise InvalidInput(f"{path}: holds {len(ocids)} processes ({', '.join(ocids[:3])}); one")
    if len(releases) == 1:
        return releases[0], f"{path}[0]."
    for index, release in enumerate(releases):
        if not isinstance(release.get("date"), str):
            raise InvalidInput(f"{path}[{index}].date: missing (needed to merge the releases)")
    return merger().create_compiled_release(releases), f"{path}(compiled)."


def _get(parent: dict[str, Any], path: str, name: str, kind: type) -> Any:
    value = parent.get(name)
    if value is not None and not isinstance(value, kind):
        expected = {dict: "an object", list: "an array", str: "a string"}[kind]
        raise InvalidInput(f"{path}{name}: expected {expected}")
    return value


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{path}: expected a non-empty string")
    return value.strip()


def _needs_assessment(release: dict[str, Any], path: str) -> tuple[dict[str, Any], str]:
    planning = _get(release, path, "planning", dict) or {}
    documents = _get(planning, f"{path}planning.", "documents", list) or []
    for index, document in enumerate(documents):
        if isinstance(document, dict) and document.get("documentType") == "needsAssessment":
            return document, f"{path}planning.documents[{index}]"
    return {}, f"{path}planning.documents"


def _read_items(read: Read, items: list[Any], path: str) -> None:
    codes: list[str] = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InvalidInput(f"{path}[{index}]: expected an object")
        found = [("classification", item.get("classification"))] + [
            (f"additionalClassifications[{n}]", c)
            for n, c in enumerate(item.get("additionalClassifications") or [])
        ]
        for where, classification in found:
            if isinstance(classification, dict) and str(classification.get("scheme")).upper() == (
                "CPV"
            ):
                match = _CPV.match(str(classification.get("id", "")).strip())
                if match is None:
                    raise InvalidInput(f"{path}[{index}].{where}.id: not a CPV code")
                codes.append(match.group(1))
        for n, address in enumerate(item.get("deliveryAddresses") or []):
            region = address.get("region") if isinstance(address, dict) else None
            if isinstance(region, str) and NUTS.match(region.strip().upper()):
                read.put(
                    "nuts_code",
                    region.strip().upper(),
                    f"{path}[{index}].deliveryAddresses[{n}].region",
                )
    if codes:
        read.put("cpv_codes", list(dict.fromkeys(codes)), path)


def _read_deadline(read: Read, release: dict[str, Any], tender: dict[str, Any], path: str) -> None:
    for period in ("tenderPeriod", "enquiryPeriod"):
        end = (_get(tender, f"{path}tender.", period, dict) or {}).get("endDate")
        if end:
            where = f"{path}tender.{period}.endDate"
            read.put("deadline", _date(end, where), where)
            return
    milestones = (release.get("planning") or {}).get("milestones") or []
    for index, milestone in enumerate(milestones):
        if (
            isinstance(milestone, dict)
            and milestone.get("id") == "open"
            and milestone.get("dueDate")
        ):
            where = f"{path}planning.milestones[{index}].dueDate"
            read.put("deadline", _date(milestone["dueDate"], where), where)
            return


def _date(value: Any, path: str) -> date:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()
    except ValueError:
        raise InvalidInput(f"{path}: {str(value)[:40]!r} is not a date-time") from None


def _read_eforms(read: Read, eforms: dict[str, Any], path: str) -> None:
    for name, key in EXTENSION_KEYS.items():
        if key in eforms:
            read.put(name, eforms[key], f"{path}tender.eForms.{key}")
