"""Pages of the auditor's journey: the audit form (with autosave), the read-only audit, its history,
and the QA team's send-back.

Every page finds the audit through `audits_visible_to(user)`, so an audit outside the user's
scope is a 404, however its id was obtained. Only the allocated auditor reaches the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import dateformat, timezone
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import DetailView, FormView

from audits.completion import (
    EDITABLE_STATUSES,
    AuditConflict,
    AuditError,
    AuditIncomplete,
    AuditNotEditable,
    audit_areas_ensure,
    audit_save_draft,
    audit_send_back,
    audit_submit,
)
from audits.completion_forms import AuditCompletionForm, SendBackForm
from audits.completion_selectors import audit_history, audit_readonly_context
from audits.good_practice_selectors import good_practice_of
from audits.good_practice_services import good_practice_allowed
from audits.models import Audit
from audits.reaudits import reaudit_comparison
from audits.selectors import audits_visible_to
from common.errors import show_error
from people.permissions import QualityRequiredMixin, RoleRequiredMixin, has_role

AUDIT_RELATED = ("child", "team", "service_area", "social_worker", "auditor", "template", "programme")


def _own_audits(user) -> QuerySet[Audit]:
    """The audits this user may open in the form: in their scope AND allocated to them."""
    return audits_visible_to(user).filter(auditor=user).select_related(*AUDIT_RELATED)


def _clock(moment) -> str:
    return f"{timezone.localtime(moment):%H:%M}"


class AuditFormMixin:
    def get_audit(self) -> Audit:
        return get_object_or_404(_own_audits(self.request.user), pk=self.kwargs["pk"])

    def build_form(self, audit: Audit, data=None, *, submitting: bool = False) -> AuditCompletionForm:
        return AuditCompletionForm(
            audit=audit,
            area_grades=audit_areas_ensure(audit=audit),
            # Row order is creation order, so rows do not jump about when a due date changes.
            actions=list(audit.actions.order_by("pk")),
            data=data,
            submitting=submitting,
            today=timezone.localdate(),
        )


class AuditEditView(AuditFormMixin, RoleRequiredMixin, View):
    """The audit form. Save draft keeps everything as typed; Submit validates everything at once."""

    template_name = "audits/audit_edit.html"
    submitting = False  # True at audits:audit_submit; the Submit button posts there

    def get(self, request, *args, **kwargs):
        audit = self.get_audit()
        if audit.status not in EDITABLE_STATUSES:
            messages.info(request, f"This audit is {audit.get_status_display().lower()}, so it is read-only.")
            return redirect("audits:audit_detail", pk=audit.pk)
        return self.render_form(audit, self.build_form(audit))

    def post(self, request, *args, **kwargs):
        audit = self.get_audit()
        if audit.status not in EDITABLE_STATUSES:
            return self.not_editable(audit)
        submitting = self.submitting or "submit" in request.POST
        form = self.build_form(audit, request.POST, submitting=submitting)
        if not form.is_valid():
            return self.render_form(audit, form)
        service = audit_submit if submitting else audit_save_draft
        try:
            saved = service(
                audit=audit,
                by=request.user,
                data=form.to_input(),
                expected_version=form.expected_version,
                editor_token=form.editor_token,
            )
        except AuditIncomplete as exc:
            form.add_problems(exc.problems)
            return self.render_form(audit, form)
        except AuditConflict as exc:
            # Re-show exactly what this person typed, now against the newer version, so that
            # saving again is a deliberate choice to keep theirs.
            data = request.POST.copy()
            data["version"] = str(exc.current.version)
            return self.render_form(audit, self.build_form(audit, data), conflict=str(exc))
        except AuditNotEditable as exc:
            return self.not_editable(exc.audit or audit, str(exc))
        if submitting:
            submitted = saved.audit
            note = " It was submitted after its due date, so it counts as late." if submitted.is_late else ""
            messages.success(request, f"Audit submitted on {dateformat.format(submitted.submitted_on, 'j M Y')}.{note}")
            return redirect("audits:audit_detail", pk=audit.pk)
        messages.success(request, f"Draft saved at {_clock(saved.audit.last_saved_at)}.")
        return redirect("audits:audit_edit", pk=audit.pk)

    def not_editable(self, audit: Audit, message: str = ""):
        if audit.status == Audit.Status.SUBMITTED:
            # A second click on Submit, or a second tab: the first submission stands.
            messages.info(self.request, "This audit has been submitted. It is read-only now.")
        else:
            messages.error(self.request, message or "This audit can no longer be changed.")
        return redirect("audits:audit_detail", pk=audit.pk)

    def render_form(self, audit: Audit, form: AuditCompletionForm, *, conflict: str = ""):
        context = {
            "audit": audit,
            "form": form,
            "errors": form.error_summary(),
            "conflict": conflict,
            "send_backs": list(audit.send_backs.select_related("by")),
            "today": timezone.localdate(),
        }
        return render(self.request, self.template_name, context)


class AuditAutosaveView(AuditFormMixin, View):
    """htmx posts the whole form here a few seconds after typing stops; answers a one-line status.

    Sign-in is checked here rather than by the middleware's redirect, so that an expired session
    shows "you have been signed out" in the status line instead of a login page inside it.
    """

    http_method_names = ["post"]
    template_name = "audits/audit_autosave.html"

    def post(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.status("signed_out")
        audit = self.get_audit()
        if audit.status not in EDITABLE_STATUSES:
            return self.status("closed", audit=audit)
        form = self.build_form(audit, request.POST)
        if not form.is_valid():
            return self.status("invalid", problems=len(form.error_summary()))
        try:
            saved = audit_save_draft(
                audit=audit,
                by=request.user,
                data=form.to_input(),
                expected_version=form.expected_version,
                editor_token=form.editor_token,
            )
        except AuditConflict as exc:
            return self.status("conflict", message=str(exc))
        except AuditNotEditable as exc:
            return self.status("closed", audit=exc.audit or audit)
        return self.status(
            "saved",
            saved_at=saved.audit.last_saved_at,
            version=saved.audit.version,
            action_ids=sorted(saved.action_ids.items()),
        )

    def status(self, state: str, **context):
        return render(self.request, self.template_name, {"state": state, **context})


class AuditDetailView(RoleRequiredMixin, DetailView):
    """The audit read-only: printable, with send-backs, lateness and what the viewer may do next."""

    template_name = "audits/audit_detail.html"
    context_object_name = "audit"

    def get_queryset(self):
        return audits_visible_to(self.request.user).select_related(*AUDIT_RELATED, "reaudit_of")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        audit = self.object
        user = self.request.user
        context.update(audit_readonly_context(audit=audit))
        context["reaudit"] = reaudit_comparison(audit=audit)
        # The earlier audit's grades are shown to whoever reads the re-audit; its page is linked only for those
        # whose scope holds it too.
        context["earlier_visible"] = (
            audit.reaudit_of_id is not None and audits_visible_to(user).filter(pk=audit.reaudit_of_id).exists()
        )
        context["can_download"] = audit.is_returned
        context["send_backs"] = list(audit.send_backs.select_related("by"))
        context["can_edit"] = audit.auditor_id == user.pk and audit.status in EDITABLE_STATUSES
        context["can_send_back"] = has_role(user, "quality") and audit.status == Audit.Status.SUBMITTED
        context["good_practice"] = good_practice_of(audit) if good_practice_allowed(audit) else None
        context["can_record_good_practice"] = has_role(user, "quality") and good_practice_allowed(audit)
        return context


class AuditHistoryView(RoleRequiredMixin, DetailView):
    """Who changed what and when: drafts (one entry per editing session), submission, send-backs."""

    template_name = "audits/audit_history.html"
    context_object_name = "audit"

    def get_queryset(self):
        return audits_visible_to(self.request.user).select_related("child", "team")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["entries"] = audit_history(audit=self.object)
        return context


class AuditSendBackView(QualityRequiredMixin, FormView):
    """The QA team returns a submitted audit as not meeting the standard to be submitted."""

    form_class = SendBackForm
    template_name = "audits/audit_send_back.html"

    @cached_property
    def audit(self) -> Audit:
        return get_object_or_404(
            audits_visible_to(self.request.user).select_related(*AUDIT_RELATED), pk=self.kwargs["pk"]
        )

    def get(self, request, *args, **kwargs):
        if self.audit.status != Audit.Status.SUBMITTED:
            messages.info(request, "Only a submitted audit can be sent back.")
            return redirect("audits:audit_detail", pk=self.audit.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["audit"] = self.audit
        context["send_backs"] = list(self.audit.send_backs.select_related("by"))
        return context

    def form_valid(self, form):
        try:
            audit_send_back(audit=self.audit, by=self.request.user, reason=form.cleaned_data["reason"])
        except AuditError as exc:
            show_error(self.request, exc)
            return redirect("audits:audit_detail", pk=self.audit.pk)
        messages.success(self.request, f"Audit sent back to {self.audit.auditor}. They will be e-mailed the reason.")
        return redirect("audits:audit_detail", pk=self.audit.pk)
