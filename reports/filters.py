"""The audit drill-down behind the report's numbers (django-filter).

Each filter mirrors one definition of contracts.md so that the list behind a
figure holds exactly the audits the figure counts: returned = submitted and
not sent back, final grade from `Audit.final_grade`, moderated = a completed
moderation, upgraded / downgraded from `moderation.selectors.AUDIT_RANKS`, as the figures count them.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet

from audits.models import OVERALL_GRADE_CHOICES, AreaGrade, Audit, AuditTheme, Feedback, Grade, IroViews, ThemeKind
from caseload.models import LegalStatus
from common.listing import ListFilterSet, SortFilter
from moderation.models import Moderation
from moderation.selectors import AUDIT_RANKS
from reports.reaudits import REAUDIT_CHOICES, reaudit_q
from reports.selectors import RETURNED

MONTH_INPUT = {"input_formats": ["%Y-%m"], "widget": forms.TextInput(attrs={"placeholder": "YYYY-MM"})}
YES = forms.Select(choices=[("", "Either"), ("1", "Yes")])

OUTCOMES = [
    ("returned", "Returned"),
    ("scheduled", "Scheduled (not exempted)"),
    ("exempted", "Exempted"),
    ("nil_return", "Nil return"),
    ("not_ready", "Sent back: not ready"),
]
OUTCOME_Q = {
    "returned": RETURNED,
    "scheduled": ~Q(status=Audit.Status.EXEMPTED),
    "exempted": Q(status=Audit.Status.EXEMPTED),
    "nil_return": Q(status=Audit.Status.NIL_RETURN),
    "not_ready": Q(status=Audit.Status.SENT_BACK),
}
TOOK_PART = [
    ("social_worker", "Social worker took part"),
    ("manager", "Manager took part"),
    ("iro", "IRO or CP chair's views obtained"),
    ("child", "Child spoken to"),
    ("parent", "Parent or carer spoken to"),
]
TOOK_PART_Q = {
    "social_worker": Q(sw_participated=True),
    "manager": Q(manager_participated=True),
    "iro": Q(iro_views=IroViews.YES),
    "child": Q(child_spoken_to=True),
    "parent": Q(parent_spoken_to=True),
}
FEEDBACK_CHOICES = [("any", "Any response"), *Feedback.choices]


# Upgraded / downgraded / agreed as moderation.selectors counts them for the report (one definition).
_COMPLETED = Q(moderation__status=Moderation.Status.COMPLETED)
MODERATION_Q = {
    "agreed": _COMPLETED & AUDIT_RANKS.agreed,
    "upgraded": _COMPLETED & AUDIT_RANKS.upgraded,
    "downgraded": _COMPLETED & AUDIT_RANKS.downgraded,
}


class AuditDrilldownFilter(ListFilterSet):
    month = django_filters.DateFilter(label="Month", field_name="month", help_text="YYYY-MM", **MONTH_INPUT)
    month_from = django_filters.DateFilter(
        label="From month", field_name="month", lookup_expr="gte", help_text="YYYY-MM", **MONTH_INPUT
    )
    month_to = django_filters.DateFilter(
        label="To month", field_name="month", lookup_expr="lte", help_text="YYYY-MM", **MONTH_INPUT
    )
    outcome = django_filters.ChoiceFilter(label="Outcome", choices=OUTCOMES, empty_label="Any", method="filter_outcome")
    late = django_filters.BooleanFilter(label="Returned late", method="filter_late", widget=YES)
    grade = django_filters.MultipleChoiceFilter(
        label="Final grade",
        field_name="final_grade",
        choices=OVERALL_GRADE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
    )
    auditor_grade = django_filters.MultipleChoiceFilter(
        label="Auditor's grade", choices=Grade.choices, widget=forms.CheckboxSelectMultiple
    )
    at_risk = django_filters.BooleanFilter(label="At risk of becoming Inadequate", method="filter_flag", widget=YES)
    legal_status = django_filters.ChoiceFilter(label="Legal status", choices=LegalStatus.choices, empty_label="Any")
    team = django_filters.CharFilter(label="Team", field_name="team__name")
    service_area = django_filters.CharFilter(label="Service area", field_name="service_area__name")
    programme = django_filters.CharFilter(label="Programme (its slug)", field_name="programme__slug")
    moderated = django_filters.BooleanFilter(label="Moderated", method="filter_moderated", widget=YES)
    moderation = django_filters.ChoiceFilter(
        label="Moderation outcome",
        choices=[("agreed", "Agreed"), ("upgraded", "Upgraded"), ("downgraded", "Downgraded")],
        empty_label="Any",
        method="filter_moderation",
    )
    took_part = django_filters.ChoiceFilter(
        label="Participation", choices=TOOK_PART, empty_label="Any", method="filter_took_part"
    )
    child_feedback = django_filters.ChoiceFilter(
        label="Child's feedback", choices=FEEDBACK_CHOICES, empty_label="Any", method="filter_feedback"
    )
    parent_feedback = django_filters.ChoiceFilter(
        label="Parent's feedback", choices=FEEDBACK_CHOICES, empty_label="Any", method="filter_feedback"
    )
    inadequate_or_at_risk = django_filters.BooleanFilter(
        label="Inadequate, or at risk of becoming Inadequate", method="filter_inadequate_or_at_risk", widget=YES
    )
    practice_area = django_filters.CharFilter(label="Practice area", method="filter_practice_area")
    area_grade = django_filters.ChoiceFilter(
        label="Practice area's grade", choices=Grade.choices, empty_label="Any", method="filter_practice_area"
    )
    reaudit = django_filters.ChoiceFilter(
        label="Re-audits", choices=REAUDIT_CHOICES, empty_label="Any", method="filter_reaudit"
    )
    theme = django_filters.CharFilter(label="Learning theme", method="filter_theme")
    strand = django_filters.CharFilter(label="Improvement-plan strand", method="filter_theme")
    theme_kind = django_filters.ChoiceFilter(
        label="Tagged as", choices=ThemeKind.choices, empty_label="Either", method="filter_theme"
    )
    awaiting_finalisation = django_filters.DateFilter(
        label="Awaiting finalisation on",
        method="filter_awaiting",
        help_text="YYYY-MM-DD",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    # The column headers (common.listing); by default newest month first, as the view orders it.
    sort = SortFilter(
        fields=(
            ("month", "month"),
            ("child__case_ref", "child"),
            ("team__name", "team"),
            ("auditor__last_name", "auditor"),
            ("legal_status", "legal_status"),
            ("due_on", "due"),
            ("submitted_on", "submitted"),
        ),
        default="-month",
        tiebreak=("team__name", "auditor__last_name", "id"),
    )

    class Meta:
        model = Audit
        fields: list[str] = []

    def filter_outcome(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        return queryset.filter(OUTCOME_Q[value])

    def filter_late(self, queryset: QuerySet[Audit], name: str, value: bool) -> QuerySet[Audit]:
        late = RETURNED & Q(submitted_on__gt=F("due_on"))
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_flag(self, queryset: QuerySet[Audit], name: str, value: bool) -> QuerySet[Audit]:
        return queryset.filter(**{name: value})

    def filter_moderated(self, queryset: QuerySet[Audit], name: str, value: bool) -> QuerySet[Audit]:
        completed = Q(moderation__status=Moderation.Status.COMPLETED)
        return queryset.filter(completed) if value else queryset.exclude(completed)

    def filter_moderation(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        return queryset.filter(MODERATION_Q[value])

    def filter_took_part(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        queryset = queryset.filter(TOOK_PART_Q[value])
        return queryset

    def filter_feedback(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        if value == "any":
            return queryset.exclude(**{name: ""})
        return queryset.filter(**{name: value})

    def filter_inadequate_or_at_risk(self, queryset: QuerySet[Audit], name: str, value: bool) -> QuerySet[Audit]:
        either = Q(final_grade=Grade.INADEQUATE) | Q(final_grade=Grade.REQUIRES_IMPROVEMENT, at_risk=True)
        return queryset.filter(either) if value else queryset.exclude(either)

    def filter_practice_area(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        # Area and grade must hold for the same AreaGrade row, so both are applied together, once,
        # through a subquery (an audit with several areas graded alike must not be listed twice).
        data = self.form.cleaned_data
        if name == "area_grade" and data.get("practice_area"):
            return queryset
        grades = AreaGrade.objects.all()
        if data.get("practice_area"):
            grades = grades.filter(area__name=data["practice_area"])
        if data.get("area_grade"):
            grades = grades.filter(grade=data["area_grade"])
        return queryset.filter(pk__in=grades.values("audit_id"))

    def filter_reaudit(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        return queryset.filter(reaudit_q(value))

    def filter_theme(self, queryset: QuerySet[Audit], name: str, value: str) -> QuerySet[Audit]:
        # Theme and kind must hold for the same tag, so both are applied together, once, through a subquery
        # (as for practice areas); the theme's name is matched whatever its case, as the importer matches it.
        data = self.form.cleaned_data
        # The first of the three present applies them all; the others leave the queryset as it is.
        present = [key for key in ("theme", "strand", "theme_kind") if data.get(key)]
        if present and name != present[0]:
            return queryset
        tags = AuditTheme.objects.all()
        if data.get("theme"):
            tags = tags.filter(theme__name__iexact=data["theme"])
        if data.get("strand"):
            tags = tags.filter(theme__strand__iexact=data["strand"])
        if data.get("theme_kind"):
            tags = tags.filter(kind=data["theme_kind"])
        return queryset.filter(pk__in=tags.values("audit_id"))

    def filter_awaiting(self, queryset: QuerySet[Audit], name: str, value) -> QuerySet[Audit]:
        moderated_by_then = Q(moderation__status=Moderation.Status.COMPLETED) & (
            Q(moderation__moderated_on__isnull=True) | Q(moderation__moderated_on__lte=value)
        )
        return queryset.filter(
            RETURNED & moderated_by_then & (Q(finalised_on__isnull=True) | Q(finalised_on__gt=value))
        )
