"""Text that is safe to store and to draw again: the annotated types every input schema uses.

- `Line`: one line of text (a title, a name, a place). Control characters (Unicode category
  Cc, so CR, LF, NUL, ESC, ...) and line or paragraph separators are refused: such a value
  would break an e-mail header it is put in (a title is an alert's subject) or a CSV row.
- `Prose`: several lines (a description, a note). Line breaks and tabs are kept; NUL and the
  other control characters are refused.
- `WebUrl`: a web address, absolute http:// or https:// with a host, or empty. A `javascript:`,
  `data:` or `vbscript:` link, a scheme-relative `//host` or anything a browser would read as
  one of those once it drops tabs, newlines and leading spaces, is refused.

`safe_url` applies the same rule when drawing a stored address, so rows stored before the rule
(or restored from an old backup) are shown as text, never as a link that runs script; `flatten`
does the same for one-line text (an e-mail subject made from a title).
"""

from __future__ import annotations

import unicodedata
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, BeforeValidator, ValidationInfo

WEB_SCHEMES = frozenset({"http", "https"})
_NOT_IN_URLS = frozenset(' <>"\\^`{|}')
"""Characters a well-formed address never holds unescaped (RFC 3986)."""
_KEPT_IN_PROSE = frozenset("\n\r\t")


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _code(char: str) -> str:
    return f"U+{ord(char):04X}"


def _field(info: ValidationInfo) -> str:
    return info.field_name or "the text"


def is_control(char: str) -> bool:
    """A control character (Unicode category Cc), or a line or paragraph separator."""
    return unicodedata.category(char) in ("Cc", "Zl", "Zp")


def first_control(text: str, *, keep: frozenset[str] = frozenset()) -> str | None:
    """The first control character of `text` not in `keep`, or None."""
    return next((char for char in text if char not in keep and is_control(char)), None)


def flatten(text: str) -> str:
    """`text` as one line: control characters become spaces and runs of spaces one. For text
    stored before the schemas refused such values that goes where one line is needed (an
    e-mail subject): a second line of defence, not the rule."""
    return " ".join("".join(" " if is_control(char) else char for char in text).split())


def is_web_url(value: str) -> bool:
    """True for an absolute http(s) address with a host, as stored (already stripped)."""
    if not value or first_control(value) or any(c in _NOT_IN_URLS or c.isspace() for c in value):
        return False
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:  # a broken IPv6 literal, say
        return False
    return parts.scheme in WEB_SCHEMES and bool(host)


def safe_url(value: object) -> str:
    """The address to put in an `href`, or "" when it is not a web address (draw it as text)."""
    return value if isinstance(value, str) and is_web_url(value) else ""


def _one_line(value: str, info: ValidationInfo) -> str:
    char = first_control(value)
    if char is not None:
        raise ValueError(
            f"{_field(info)} must be one line without control characters (found {_code(char)})"
        )
    return value


def _prose(value: str, info: ValidationInfo) -> str:
    char = first_control(value, keep=_KEPT_IN_PROSE)
    if char is not None:
        raise ValueError(
            f"{_field(info)} must not contain control characters other than line breaks and "
            f"tabs (found {_code(char)})"
        )
    return value


def _web_url(value: str, info: ValidationInfo) -> str:
    if value and not is_web_url(value):
        raise ValueError(
            f"{_field(info)} must be a web address starting with http:// or https:// and "
            "naming a host, such as https://example.se"
        )
    return value


Line = Annotated[str, BeforeValidator(_strip), AfterValidator(_one_line)]
Prose = Annotated[str, BeforeValidator(_strip), AfterValidator(_prose)]
WebUrl = Annotated[str, BeforeValidator(_strip), AfterValidator(_web_url)]
