"""The one error type services raise, and the one way views show it.

A service refuses a change by raising `ApplicationError` (HackSoft's Django-Styleguide): a message fit for
the person who tried, and, where the problem belongs to one input, the form field's name. Each app may
subclass it to say which rules refused (`AuditError`, `ModerationError`...); views catch the app's
subclass and hand it to `show_error`, which puts it at the field, on the form, or in the page's messages.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest


class ApplicationError(Exception):
    """A change the rules do not allow: `message` says why; `field` names the input it belongs to, if one."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def show_error(
    request: HttpRequest, error: ApplicationError, *, form: forms.BaseForm | None = None, prefix: str = ""
) -> None:
    """Show a service's refusal: at its field when the form has that field, else at the top of the form;
    with no form (a button that redirects), as an error message on the next page. `prefix` says what the
    message is about where the page lists many things ("CH123: ")."""
    if form is not None:
        form.add_error(error.field if error.field in form.fields else None, f"{prefix}{error.message}")
    else:
        messages.error(request, f"{prefix}{error.message}")
