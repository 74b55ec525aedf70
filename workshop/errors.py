"""Errors that reach end users.

Every error carries a message *key* from the i18n catalogues (``workshop/i18n``) and the
parameters that fill it, never an English sentence: the UI turns it into the user's language
with ``t(error.key, **error.params)``. ``tests/test_i18n.py`` checks that every key raised
anywhere in the package exists in every catalogue.
"""

from __future__ import annotations

from typing import Any


class WorkshopError(Exception):
    """A rule of the domain was broken; nothing was written."""

    def __init__(self, key: str, /, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r}, {self.params!r})"


class NotFound(WorkshopError):
    """The record does not exist (or is not visible to this user)."""


class NotAllowed(WorkshopError):
    """The user's role, or the current phase or step, does not allow this action."""


class InvalidInput(WorkshopError):
    """The input itself is wrong: empty, too long, out of range, malformed."""


class RateLimited(WorkshopError):
    """Too many attempts in a short time."""


class DatabaseUnavailable(InvalidInput):
    """The database could not be opened at start (a wrong URL, unreachable, not Samskab's, a
    newer schema, no privileges, a failed migration): a fact about the installation, not a
    refusal of what a visitor did."""
