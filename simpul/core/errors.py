"""Errors that services raise and every face (page, API, CLI) turns into a translated message."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _


class AccessDenied(PermissionDenied):
    """The acting person may not do this; the message says what was refused, never why in detail."""

    def __init__(self, message: str | None = None) -> None:
        self.message = str(message or _("You are not allowed to do this."))
        super().__init__(self.message)


class InvalidInput(ValidationError):
    """Input that failed validation; carries field errors as Django's ValidationError does."""
