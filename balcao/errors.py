"""The refusals every part of Balcão raises. Pure: no Django import.

``str(exc)`` is a message a person understands (already translated by whoever raised
it); views turn it into a form error or a flash message, the API into a 403/422 body.
"""

from __future__ import annotations


class Refused(Exception):
    """An action refused by a rule; the message says why, for a person."""


class PermissionDenied(Refused):
    """The actor's role does not allow the action."""
