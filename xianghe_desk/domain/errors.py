"""Errors the user can act on, with messages in plain Chinese."""

from __future__ import annotations


class ValidationError(ValueError):
    """Input that cannot be accepted. ``message`` is Chinese and says how to fix it.

    ``field`` names the field concerned (for dialogs to place the message next to it);
    ``problems`` holds several (field, message) pairs when a whole form was checked.
    """

    def __init__(
        self,
        message: str,
        field: str | None = None,
        problems: list[tuple[str | None, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.problems = problems or [(field, message)]

    @classmethod
    def from_problems(cls, problems: list[tuple[str | None, str]]) -> ValidationError:
        text = "；".join(message for _field, message in problems)
        return cls(text, field=problems[0][0], problems=problems)


class TransitionError(ValidationError):
    """A lifecycle action that the request's current state does not allow."""


class NotFoundError(ValidationError):
    """A named thing (village, request, member …) does not exist."""


class ConflictError(ValidationError):
    """The data changed under us or a unique value is already taken."""
