"""The eForms fields a challenge keeps for the procurement notice that may follow it, and the
checks of the two procurement identifiers it keeps (a NUTS region, a later tender's ocid).

Codes are those of the EU's eForms code lists (Publications Office, "environmental-impact" for
BT-774 and "green-public-procurement-criteria" for BT-805), so a later notice can copy them."""

from __future__ import annotations

import re
from typing import Literal, get_args

GreenProcurement = Literal[
    "biodiv-eco", "circ-econ", "clim-adapt", "clim-mitig", "other", "pollu-prev", "water-mar"
]
"""BT-774 Green Procurement: the environmental impact the procurement is to lessen."""

GreenCriteria = Literal["eu", "national", "other", "none"]
"""BT-805 Green Procurement Criteria: whose green public procurement criteria are used."""

GREEN_PROCUREMENT: tuple[str, ...] = get_args(GreenProcurement)
GREEN_CRITERIA: tuple[str, ...] = get_args(GreenCriteria)

EXTENSION_KEYS = {
    "innovative_procurement": "innovativeProcurement",
    "green_procurement": "greenProcurement",
    "green_criteria": "greenProcurementCriteria",
    "clean_vehicles": "cleanVehiclesDirective",
}
"""A challenge's eForms field -> its key in a release's `tender.eForms` object (BT-776,
BT-774, BT-805, BT-717 in that order)."""

NUTS = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
OCID = re.compile(r"^ocds-[a-z0-9]{6,}-\S{1,80}$")


def clean_nuts(value: str | None) -> str | None:
    """A NUTS code in capitals (SE224), or empty; a schema validator."""
    if value is None:
        return None
    code = value.strip().upper()
    if code and not NUTS.match(code):
        raise ValueError(f"{value!r} is not a NUTS code (two letters and up to three more: SE224)")
    return code


def clean_ocid(value: str | None) -> str | None:
    """An OCDS ocid (a registered prefix, then the process's id), or empty."""
    if value is None:
        return None
    if value and not OCID.match(value):
        raise ValueError(f"{value[:100]!r} is not an OCDS ocid (ocds-<prefix>-<process id>)")
    return value
