"""Open Contracting data: who publishes the challenges' OCDS releases, and under what terms."""

from __future__ import annotations

from pydantic import BaseModel, Field


class OcdsSettings(BaseModel):
    """The package metadata of `/ocds/...` (see docs/ocds.md)."""

    ocds_ocid_prefix: str = Field(
        default="ocds-klimatmatch",
        pattern=r"^ocds-[a-z0-9]{1,40}$",
        description="The ocid prefix; a real publisher registers one with the Open Contracting "
        "Partnership (ocds- and six characters) and sets it here before publishing",
    )
    ocds_publisher: str = Field(
        default="Klimatmatch",
        min_length=1,
        max_length=200,
        description="The publisher's name in every package",
    )
    ocds_license: str = Field(
        default="https://creativecommons.org/licenses/by/4.0/",
        pattern=r"^https?://\S+$",
        description="The licence the data is published under (a URL)",
    )
    ocds_publication_policy: str = Field(
        default="",
        pattern=r"^(https?://\S+)?$",
        description="The publication policy's URL; empty: the public_url's /ocds/policy",
    )
    ocds_page_size: int = Field(
        default=100, ge=1, le=1000, description="Releases a page of the /ocds/releases feed"
    )
