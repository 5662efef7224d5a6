"""The one error type and the one way a view shows it."""

from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.test import RequestFactory

from common.errors import ApplicationError, show_error


class NoteForm(forms.Form):
    note = forms.CharField(required=False)


def _request():
    request = RequestFactory().post("/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_an_error_for_a_field_of_the_form_is_shown_at_that_field():
    form = NoteForm({"note": "x"})
    form.is_valid()
    show_error(_request(), ApplicationError("Say why.", "note"), form=form)
    assert form.errors == {"note": ["Say why."]}


def test_an_error_for_no_field_or_a_field_the_form_lacks_is_shown_at_the_top_of_the_form():
    form = NoteForm({"note": "x"})
    form.is_valid()
    show_error(_request(), ApplicationError("Already done.", "on"), form=form)
    assert form.non_field_errors() == ["Already done."]


def test_without_a_form_the_error_is_a_message_on_the_next_page():
    request = _request()
    show_error(request, ApplicationError("Nothing to resolve."), prefix="CH1: ")
    assert [str(message) for message in get_messages(request)] == ["CH1: Nothing to resolve."]


def test_each_apps_refusals_are_application_errors():
    from actions.services import ActionError, ConcernError
    from audits.completion import AuditConflict, AuditError
    from audits.templates_services import TemplateError
    from imports.services import ImportRunError
    from moderation.services import ModerationConflict, ModerationError
    from reports.services import ReportError

    for error in (
        ActionError,
        ConcernError,
        AuditError,
        AuditConflict,
        TemplateError,
        ImportRunError,
        ModerationError,
        ModerationConflict,
        ReportError,
    ):
        assert issubclass(error, ApplicationError), error
    assert ModerationError("Choose the overall grade.", field="grade").field == "grade"
