"""Domain errors, below HTTP: the API maps each to one status code in one place."""

from __future__ import annotations


class KlimatmatchError(Exception):
    """Base of every error a user can cause; `message` is safe to show them."""

    status_code = 400
    title = "Bad request"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(KlimatmatchError):
    status_code = 404
    title = "Not found"


class Forbidden(KlimatmatchError):
    status_code = 403
    title = "Forbidden"


class Conflict(KlimatmatchError):
    status_code = 409
    title = "Conflict"


class InvalidInput(KlimatmatchError):
    status_code = 422
    title = "Invalid input"


class PreconditionFailed(KlimatmatchError):
    """An If-Match version no longer matches: someone else changed the record first."""

    status_code = 412
    title = "Precondition failed"


class Unauthorized(KlimatmatchError):
    status_code = 401
    title = "Unauthorized"
