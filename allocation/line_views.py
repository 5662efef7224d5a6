"""What the pages that edit a draft's lines share: the month's proposal (allocation/views.py) and a programme's
sample (allocation/cohort_views.py) add, change and remove lines the same way, through their own services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms import Form
from django.http import Http404
from django.shortcuts import redirect
from django.views import View
from django.views.generic import TemplateView

from allocation.forms import add_service_error, error_summary
from allocation.services import AllocationError


def messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


def line_added(request, form: Form, add: Callable[..., Any], **draft) -> bool:
    """Add the line a valid `form` asks for through the service `add` (given `draft`, the plan or programme) and
    say so; False, with the refusal on the form, when it was not added."""
    if not form.is_valid():
        return False
    try:
        line = add(**draft, auditor=form.cleaned_data["auditor"], child=form.cleaned_data["child"], by=request.user)
    except AllocationError as error:
        add_service_error(form, error)
        return False
    messages.success(request, f"Added {line.child.case_ref} for {line.auditor}.")
    return True


def _require_hooks(cls: type, names: tuple[str, ...]) -> None:
    """Refuse, when the class is made, a page that leaves out one of the hooks its base calls."""
    missing = [name for name in names if not hasattr(cls, name)]
    if missing:
        raise TypeError(f"{cls.__name__} must give {', '.join(missing)}.")


class LineEditView(TemplateView):
    """One line of a draft: give its child to another person (op=reassign), or its person another child (op=swap).

    A subclass gives `line`, `form_classes` (and `form_kwargs()`), the services `reassign` and `swap_child` (as
    staticmethods), `is_draft()`, `return_url()`, what to say (`changed_message`, `confirmed_message()`) and where
    to go once the draft is confirmed (`confirmed_url()`).
    """

    form_classes: dict[str, type[Form]]
    reassign: Callable[..., Any]
    swap_child: Callable[..., Any]
    changed_message: str
    # The status of the page shown again with a refused change.
    invalid_status = 200

    line: Any
    is_draft: Callable[[], bool]
    confirmed_message: Callable[[], str]
    confirmed_url: Callable[[], str]
    return_url: Callable[[], str]
    HOOKS = (
        "line",
        "form_classes",
        "reassign",
        "swap_child",
        "changed_message",
        "is_draft",
        "confirmed_message",
        "confirmed_url",
        "return_url",
    )

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        _require_hooks(cls, cls.HOOKS)

    def form_kwargs(self, op: str) -> dict:
        return {}

    def forms(self, data=None, op: str | None = None) -> dict[str, Form]:
        """Both forms; only the one of the posted change is bound."""
        return {
            name: form_class(data if op == name else None, prefix=name, **self.form_kwargs(name))
            for name, form_class in self.form_classes.items()
        }

    def get(self, request, *args, **kwargs):
        if not self.is_draft():
            messages.info(request, self.confirmed_message())
            return redirect(self.confirmed_url())
        return super().get(request, *args, **kwargs)

    def get_context_data(self, *, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        forms = forms or self.forms()
        context.update(
            line=self.line,
            reassign_form=forms["reassign"],
            swap_form=forms["swap"],
            errors=error_summary(*forms.values()),
        )
        return context

    def post(self, request, *args, **kwargs):
        op = request.POST.get("op")
        if op not in self.form_classes:
            raise Http404("Unknown change.")
        forms = self.forms(request.POST, op)
        form = forms[op]
        if form.is_valid():
            try:
                if op == "reassign":
                    self.reassign(line=self.line, auditor=form.cleaned_data["auditor"], by=request.user)
                else:
                    self.swap_child(line=self.line, child=form.cleaned_data["child"], by=request.user)
            except AllocationError as error:
                add_service_error(form, error)
            else:
                messages.success(request, self.changed_message)
                return redirect(self.return_url())
        return self.render_to_response(self.get_context_data(forms=forms), status=self.invalid_status)


class LineRemoveView(View):
    """Take a line out of a draft through the service `remove` (a staticmethod); a subclass gives `line`,
    `removed_message()` and `return_url()`."""

    remove: Callable[..., Any]
    line: Any
    removed_message: Callable[[Any], str]
    return_url: Callable[[], str]
    HOOKS = ("line", "remove", "removed_message", "return_url")

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        _require_hooks(cls, cls.HOOKS)

    def post(self, request, *args, **kwargs):
        line = self.line
        try:
            self.remove(line=line, by=request.user)
        except AllocationError as error:
            messages.error(request, messages_of(error))
        else:
            messages.success(request, self.removed_message(line))
        return redirect(self.return_url())
