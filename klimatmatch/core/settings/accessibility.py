"""The accessibility statement's contact: who publishes the pages and where people report a
problem with their accessibility (DOS-lagen asks for both)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class AccessibilitySettings(BaseModel):
    """Shown on /ui/accessibility; the assessment itself is dated in the code it describes."""

    accessibility_publisher: str = Field(
        default="Klimatmatch",
        min_length=1,
        max_length=200,
        description="The organisation that runs this site and answers for its accessibility",
    )
    accessibility_contact: str = Field(
        default="mailto:accessibility@klimatmatch.local",
        pattern=r"^(mailto:[^\s@]+@[^\s@]+|https?://[^\s/]+(/\S*)?)$",
        max_length=500,
        description="Where people report an accessibility problem or ask for content in "
        "another form: a mailto: address or an http(s) page",
    )
