"""Moderation pages. Thin: parse a form, call one service, render or redirect.

Scope: every object is looked up through `moderations_visible_to(user)` narrowed to the
page's purpose, so a guessed id outside the user's scope is a 404; the role mixins
answer 403 to people whose job the page is not (managers, auditors on moderator pages).
"""

from __future__ import annotations

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.views import View
from django.views.generic import ListView, TemplateView

from audits.completion_selectors import audit_readonly_context
from audits.models import AreaGrade, Grade, Policy
from common.errors import show_error
from common.periods import add_months, month_end
from common.versioned_cache import cached
from moderation import selectors
from moderation.filters import FeedbackSort, PanelFilter, QueueSort, ReviewSort, SampleFilter
from moderation.forms import (
    AddToSampleForm,
    FinaliseForm,
    ModerationForm,
    MonthForm,
    NewActionForm,
    ReassignForm,
    RemoveForm,
    ReviewForm,
    error_links,
    moderation_form_data_with_version,
    new_action_formset,
)
from moderation.models import Moderation
from moderation.services import (
    ModerationConflict,
    ModerationError,
    moderation_add_manual,
    moderation_finalise,
    moderation_reassign,
    moderation_record,
    moderation_remove,
    moderation_review,
)
from people.permissions import AuditorRequiredMixin, ModeratorRequiredMixin, QualityRequiredMixin


def _with_audit(queryset: QuerySet[Moderation]) -> QuerySet[Moderation]:
    """Everything the pages need about the moderation and its audit, in a fixed number of queries.

    The read-only audit itself (`audits/_audit_readonly.html`) takes its area grades and
    actions from `audit_readonly_context`; the prefetched area grades serve the forms.
    """
    return queryset.select_related(
        "audit__child",
        "audit__team",
        "audit__service_area",
        "audit__auditor",
        "audit__social_worker",
        "audit__template",
        "audit__programme",
        "moderator",
        "reviewed_by",
    ).prefetch_related(
        Prefetch("audit__area_grades", queryset=AreaGrade.objects.select_related("area")),
        "area_grades__area",
    )


# The moderator.


class QueueView(ModeratorRequiredMixin, TemplateView):
    template_name = "moderation/moderation_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        queue = QueueSort(self.request.GET, queryset=selectors.moderation_queue(self.request.user))
        context["filter"] = queue
        # list() runs each query here, so the template does not query per row.
        context["queue"] = list(queue.qs)
        context["recent"] = list(selectors.moderations_recently_completed_by(self.request.user))
        context["today"] = timezone.localdate()
        return context


class ModerateView(ModeratorRequiredMixin, View):
    """The audit read-only beside the moderator's form; after recording, the result read-only."""

    template_name = "moderation/moderation_moderate.html"

    def get_object(self) -> Moderation:
        queryset = selectors.moderations_visible_to(self.request.user).filter(moderator=self.request.user)
        return get_object_or_404(_with_audit(queryset.exclude(status=Moderation.Status.REMOVED)), pk=self.kwargs["pk"])

    def render_page(self, moderation, form, status=200, conflict=False):
        context = {
            "moderation": moderation,
            "audit": moderation.audit,
            "form": form,
            "conflict": conflict,
            "errors": error_links(form),
        }
        context.update(audit_readonly_context(audit=moderation.audit))
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        moderation = self.get_object()
        form = None
        if moderation.status == Moderation.Status.ASSIGNED:
            form = ModerationForm(audit=moderation.audit, initial={"version": moderation.version})
        return self.render_page(moderation, form)

    def post(self, request, pk):
        try:
            moderation = self.get_object()
        except Http404:
            return self.no_longer_yours(pk)
        form = ModerationForm(request.POST, audit=moderation.audit)
        if not form.is_valid():
            return self.render_page(moderation, form, status=400)
        try:
            moderation_record(
                moderation=moderation,
                moderator=request.user,
                grade=form.cleaned_data["grade"],
                rationale=form.cleaned_data["rationale"],
                feedback=form.cleaned_data["feedback"],
                area_grades=form.area_grades(),
                themes=form.themes(),
                expected_version=form.cleaned_data["version"],
            )
        except ModerationConflict as error:
            # Show the form again with everything they typed; if the audit is still theirs
            # (e.g. reassigned away and back), the fresh version lets them send it again.
            # Re-read within this moderator's scope: if it was reassigned away meanwhile, they see only
            # their own text (no_longer_yours), never the audit.
            try:
                current = self.get_object()
            except Http404:
                return self.no_longer_yours(pk)
            form = ModerationForm(moderation_form_data_with_version(request.POST, current), audit=current.audit)
            form.is_valid()
            form.add_error(None, f"{error.message} What you typed is kept below so you can copy it.")
            return self.render_page(current, form, status=409, conflict=True)
        except ModerationError as error:
            show_error(request, error, form=form)
            return self.render_page(moderation, form, status=400)
        messages.success(request, f"Moderation of {moderation.audit.child.case_ref} recorded; the auditor is told.")
        return redirect("moderation:queue")

    def no_longer_yours(self, pk):
        """The audit was reassigned or removed while this moderator had it open: say so, keep their text.

        Only someone who was once its moderator gets this page, and it shows only what they
        typed, not the audit; anyone else gets the usual 404.
        """
        if not Moderation.history.filter(id=pk, moderator=self.request.user).exists():
            raise Http404
        typed = {name: self.request.POST.get(name, "") for name in ("grade", "rationale", "feedback")}
        grade_label = dict(Grade.choices).get(typed["grade"], "")
        context = {"typed": typed, "grade_label": grade_label}
        return render(self.request, "moderation/moderation_not_saved.html", context, status=409)


# The auditor.


class FeedbackListView(AuditorRequiredMixin, TemplateView):
    template_name = "moderation/feedback_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        feedback = FeedbackSort(self.request.GET, queryset=selectors.feedback_for_auditor(self.request.user))
        context["filter"] = feedback
        context["moderations"] = list(feedback.qs)
        return context


def _new_action_field(error: ModerationError, action_forms: list[NewActionForm]) -> tuple[NewActionForm | None, str]:
    """The new action's form and field a finalisation's refusal belongs to ("actions-1-theme" names the second
    action begun), or (None, "") when it belongs to the finalise form."""
    prefix, _, name = (error.field or "").rpartition("-")
    row = prefix.removeprefix("actions-")
    if prefix.startswith("actions-") and row.isdigit() and int(row) < len(action_forms):
        if name in action_forms[int(row)].fields:
            return action_forms[int(row)], name
    return None, ""


class FinaliseView(AuditorRequiredMixin, View):
    """The auditor reads the feedback, may update evidence and add actions (never the grade) and finalises."""

    template_name = "moderation/moderation_finalise.html"

    def get_object(self) -> Moderation:
        queryset = selectors.moderations_visible_to(self.request.user).filter(
            audit__auditor=self.request.user, status=Moderation.Status.COMPLETED
        )
        return get_object_or_404(_with_audit(queryset), pk=self.kwargs["pk"])

    def render_page(self, moderation, form, actions_formset=None, status=200):
        context = {
            "moderation": moderation,
            "audit": moderation.audit,
            "form": form,
            "actions_formset": actions_formset,
            "errors": error_links(form, actions_formset),
        }
        context.update(audit_readonly_context(audit=moderation.audit))
        return render(self.request, self.template_name, context, status=status)

    def get(self, request, pk):
        moderation = self.get_object()
        if moderation.acknowledged_at:
            return self.render_page(moderation, None)
        return self.render_page(moderation, FinaliseForm(audit=moderation.audit), new_action_formset())

    def post(self, request, pk):
        moderation = self.get_object()
        if moderation.acknowledged_at:
            messages.info(request, "This audit was already finalised.")
            return redirect("moderation:finalise", pk=moderation.pk)
        form = FinaliseForm(request.POST, audit=moderation.audit)
        actions_formset = new_action_formset(request.POST)
        if not (form.is_valid() & actions_formset.is_valid()):
            return self.render_page(moderation, form, actions_formset, status=400)
        # The rows begun, with their forms: the service names a new action's field by its place in this list.
        begun = [(f, a) for f, a in ((f, f.new_action()) for f in actions_formset.forms) if a is not None]
        try:
            moderation_finalise(
                moderation=moderation,
                by=request.user,
                area_texts=form.area_texts(),
                strengths=form.cleaned_data["strengths"],
                improvements=form.cleaned_data["improvements"],
                new_actions=[action for _form, action in begun],
            )
        except ModerationError as error:
            action_form, field = _new_action_field(error, [f for f, _action in begun])
            if action_form is not None:
                action_form.add_error(field, error.message)
            else:
                show_error(request, error, form=form)
            status = 409 if isinstance(error, ModerationConflict) else 400
            return self.render_page(moderation, form, actions_formset, status=status)
        messages.success(request, f"Audit of {moderation.audit.child.case_ref} finalised.")
        return redirect("moderation:feedback")


# The QA team.


def _moderated_month_from(data) -> tuple[MonthForm, datetime.date, bool]:
    """The month asked for; else the latest month with moderated audits (True), else this month (False)."""
    if data.get("month"):
        month_form, month = MonthForm.month_from(data, default=timezone.localdate().replace(day=1))
        return month_form, month, False
    latest = selectors.latest_moderated_month()
    month_form, month = MonthForm.month_from(data, default=latest or timezone.localdate().replace(day=1))
    return month_form, month, latest is not None


def _month_url(name: str, month: datetime.date, **params) -> str:
    query = {"month": month.strftime("%Y-%m"), **{k: v for k, v in params.items() if v}}
    return f"{reverse(name)}?{urlencode(query)}"


class ReviewView(QualityRequiredMixin, View):
    """The QA team's view of one moderation, and the Head of Quality's third check ("triple lock")."""

    template_name = "moderation/moderation_review.html"

    def get_object(self) -> Moderation:
        return get_object_or_404(_with_audit(selectors.moderations_visible_to(self.request.user)), pk=self.kwargs["pk"])

    def render_page(self, moderation, form, status=200):
        context = {"moderation": moderation, "audit": moderation.audit, "form": form, "errors": error_links(form)}
        context.update(audit_readonly_context(audit=moderation.audit))
        return render(self.request, self.template_name, context, status=status)

    def _can_review(self, moderation) -> bool:
        return moderation.status == Moderation.Status.COMPLETED and moderation.reviewed_at is None

    def get(self, request, pk):
        moderation = self.get_object()
        return self.render_page(moderation, ReviewForm() if self._can_review(moderation) else None)

    def post(self, request, pk):
        moderation = self.get_object()
        form = ReviewForm(request.POST)
        if not form.is_valid():
            return self.render_page(moderation, form, status=400)
        try:
            moderation_review(
                moderation=moderation,
                by=request.user,
                agrees=form.cleaned_data["agrees"],
                note=form.cleaned_data["note"],
            )
        except ModerationError as error:
            show_error(request, error, form=form)
            return self.render_page(moderation, form, status=409 if isinstance(error, ModerationConflict) else 400)
        messages.success(request, f"Third check of {moderation.audit.child.case_ref} recorded.")
        return redirect("moderation:review", pk=moderation.pk)


class ReviewListView(QualityRequiredMixin, ListView):
    """Moderated audits awaiting the Head of Quality's third check, oldest moderation first."""

    template_name = "moderation/review_list.html"
    context_object_name = "moderations"
    paginate_by = 50

    def get_queryset(self):
        self.filterset = ReviewSort(self.request.GET, queryset=selectors.awaiting_review())
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filter"] = self.filterset
        context["month"] = timezone.localdate().replace(day=1)
        return context


class SampleView(QualityRequiredMixin, TemplateView):
    """The month's sample: add, remove, reassign; and each moderator's load against the ratio."""

    template_name = "moderation/sample_manage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month_form, month = MonthForm.month_from(self.request.GET, default=timezone.localdate().replace(day=1))
        sample = SampleFilter(self.request.GET, queryset=selectors.sample_for_month(month))
        # Each moderator's load, kept until the data changes (a moderation or a person saved moves the version on).
        moderators = cached("moderators-by-load", (month,), lambda: list(selectors.moderators_by_load(month)))
        # Each assigned row links to the page again with `reassign=<its id>`; that row alone then shows the select
        # of moderators (no script needed), so the moderators' options are on the page once, not once per row.
        query = self.request.GET.copy()
        reassigning = query.pop("reassign", [""])[-1]
        context.update(
            month=month,
            month_form=month_form,
            filter=sample,
            moderations=list(sample.qs),
            moderators=moderators,
            reassigning=int(reassigning) if reassigning.isdigit() else None,
            reassign_query=query.urlencode(),
            moderator_options=format_html_join("", '<option value="{}">{}</option>', ((m.pk, m) for m in moderators)),
            ratio=Policy.current().auditors_per_moderator,
            add_form=kwargs.get("add_form") or AddToSampleForm(audits=selectors.audits_addable_to_sample(month)),
            today=timezone.localdate(),
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
        )
        return context


class _SampleActionView(QualityRequiredMixin, View):
    """POST-only actions of the sample page; errors come back as a message naming the audit."""

    def month(self) -> datetime.date:
        form, month = MonthForm.month_from(self.request.POST, default=timezone.localdate().replace(day=1))
        return month

    def back(self):
        return redirect(_month_url("moderation:sample", self.month()))

    def get_object(self) -> Moderation:
        return get_object_or_404(
            selectors.moderations_visible_to(self.request.user).select_related("audit__child", "audit__team"),
            pk=self.kwargs["pk"],
        )


class SampleAddView(_SampleActionView):
    def post(self, request):
        month = self.month()
        form = AddToSampleForm(request.POST, audits=selectors.audits_addable_to_sample(month))
        if not form.is_valid():
            for error in form.errors.get("audit", []):
                messages.error(request, error)
            return self.back()
        try:
            moderation = moderation_add_manual(audit=form.cleaned_data["audit"], by=request.user)
        except ModerationError as error:
            show_error(request, error)
            return self.back()
        who = moderation.moderator or "nobody yet (no eligible moderator)"
        messages.success(request, f"{moderation.audit.child.case_ref} added to the sample and assigned to {who}.")
        return self.back()


class SampleRemoveView(_SampleActionView):
    def post(self, request, pk):
        moderation = self.get_object()
        form = RemoveForm(request.POST)
        version = form.cleaned_data["version"] if form.is_valid() else None
        try:
            moderation_remove(moderation=moderation, by=request.user, expected_version=version)
        except ModerationError as error:
            show_error(request, error, prefix=f"{moderation.audit.child.case_ref}: ")
            return self.back()
        messages.success(request, f"{moderation.audit.child.case_ref} removed from the sample.")
        return self.back()


class SampleReassignView(_SampleActionView):
    def post(self, request, pk):
        moderation = self.get_object()
        form = ReassignForm(request.POST)
        if not form.is_valid():
            problems = "; ".join(e for errors in form.errors.values() for e in errors)
            messages.error(request, f"{moderation.audit.child.case_ref}: {problems}")
            return self.back()
        try:
            moderation_reassign(
                moderation=moderation,
                moderator=form.cleaned_data["moderator"],
                by=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ModerationError as error:
            show_error(request, error, prefix=f"{moderation.audit.child.case_ref}: ")
            return self.back()
        messages.success(request, f"{moderation.audit.child.case_ref} reassigned to {form.cleaned_data['moderator']}.")
        return self.back()


class PanelView(QualityRequiredMixin, TemplateView):
    """The monthly moderation panel: the month's disagreements with the moderators' rationale."""

    template_name = "moderation/panel_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month_form, month, defaulted = _moderated_month_from(self.request.GET)
        panel = PanelFilter(self.request.GET, queryset=selectors.disagreements(month))
        context.update(
            month=month,
            month_form=month_form,
            latest_moderated=defaulted,
            filter=panel,
            disagreements=list(panel.qs),
            summary=selectors.moderation_summary(month),
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
        )
        return context


class EffectView(QualityRequiredMixin, TemplateView):
    """Moderator effect for a month: the contract figures, side-by-side grades and per-auditor change rates."""

    template_name = "moderation/effect_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        month_form, month, defaulted = _moderated_month_from(self.request.GET)
        as_of = min(today, month_end(month))
        side_by_side = selectors.primary_vs_moderated(month)
        context.update(
            month=month,
            month_form=month_form,
            latest_moderated=defaulted,
            effect=selectors.moderator_effect(month),
            summary=selectors.moderation_summary(month),
            side_by_side=side_by_side,
            grade_rows=[
                {
                    "key": key,
                    "label": label,
                    "primary": side_by_side["primary"]["counts"][key],
                    "primary_percent": side_by_side["primary"]["percent"][key],
                    "final": side_by_side["final"]["counts"][key],
                    "final_percent": side_by_side["final"]["percent"][key],
                }
                for key, label in Grade.choices
            ],
            auditors=selectors.auditor_change_rates(month),
            awaiting=selectors.awaiting_finalisation(as_of, month),
            as_of=as_of,
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
        )
        return context
