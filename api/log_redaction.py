"""Keeps secrets out of the logs: the single-use token in a link's path (a token read from an
access log would reset a password) and e-mail addresses (a log is read by more people than a
mailbox is).

`SECRET_PATHS` is the one declaration of the routes whose last path segment is a secret; a
test checks it against every route of the app with a `{token}` parameter, so a new link
route cannot be forgotten here. The filter runs on the log handler and on the loggers in
`LOG_CONFIG` (api/observability.py), so it sees every line `klimatmatch serve` writes, the
access log's included."""

from __future__ import annotations

import logging
import re

SECRET_PATHS = ("/ui/reset/", "/ui/invitations/", "/ui/register/", "/ui/unsubscribe/")
"""Each prefix is followed by a single-use token (`/ui/reset/{token}`)."""
SECRET_QUERY = ("token",)
"""Query parameters that carry a secret (`?token=...`), should a link ever use one."""
REDACTED = "[redacted]"
EMAIL_REDACTED = "[e-mail]"

_SLASH = r"(?:/|%2F)"  # also inside an encoded URL, e.g. a `next=` parameter
_PATH = re.compile(
    "(?P<keep>"
    + "|".join(re.escape(p).replace("/", _SLASH) for p in SECRET_PATHS)
    + r")(?P<secret>[^/?#&\s\"'%]+)",
    re.IGNORECASE,
)
_QUERY = re.compile(
    r"(?P<keep>[?&](?:" + "|".join(map(re.escape, SECRET_QUERY)) + r")=)(?P<secret>[^&#\s\"']+)"
)
_EMAIL = re.compile(
    r"[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", re.IGNORECASE
)


def redact(text: str) -> str:
    """`text` with link tokens replaced by "[redacted]" and e-mail addresses by "[e-mail]"."""
    text = _PATH.sub(lambda m: m["keep"] + REDACTED, text)
    text = _QUERY.sub(lambda m: m["keep"] + REDACTED, text)
    return _EMAIL.sub(EMAIL_REDACTED, text)


def _clean(value: object) -> object:
    """A string redacted; anything else as it is, unless its text holds a secret (an error
    that quotes a URL), then that text redacted."""
    if isinstance(value, str):
        return redact(value)
    if value is None or isinstance(value, int | float):
        return value
    text = str(value)
    clean = redact(text)
    return value if clean == text else clean


class RedactSecrets(logging.Filter):
    """Redacts a record's message, its arguments one by one (uvicorn's access formatter reads
    them by position) and its traceback text; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _clean(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_clean(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _clean(value) for key, value in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
