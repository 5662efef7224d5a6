"""One audit as a PDF, to attach to the child's electronic record (seed 004: "the Quality Assurance Service will
attach the PLR to the child's electronic record").

It holds the whole audit (context, every practice area's grade, evidence and impact, participation, feedback,
the moderation's outcome and rationale, the actions) under the council's protective marking, and no child's
name (the product keeps none: a child is known by its case reference). It lives in reports, above audits,
moderation and actions, because it reads all three; the audit's history records each download through
`audits.exports.audit_export_record`.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from actions.models import Action
from audits.models import AreaGrade, Audit
from audits.reaudits import reaudit_comparison
from moderation.models import ModeratedAreaGrade, Moderation
from reports.pdf import BASE_URL, HTML, PDF_VARIANT, StaticFilesOnlyFetcher


def audit_pdf_context(*, audit: Audit) -> dict[str, Any]:
    """What the single-audit PDF shows, in a fixed number of queries (not one per area or action)."""
    today = timezone.localdate()
    moderation = (
        Moderation.objects.filter(audit=audit, status=Moderation.Status.COMPLETED).select_related("moderator").first()
    )
    moderated = {}
    if moderation is not None:
        moderated = dict(ModeratedAreaGrade.objects.filter(moderation=moderation).values_list("area_id", "grade"))
    area_grades = list(
        AreaGrade.objects.filter(audit=audit, area__template_id=audit.template_id).select_related("area")
    )
    for area_grade in area_grades:
        # The moderator's grade of the same area, as a label, or "" when the area was not re-graded.
        grade = moderated.get(area_grade.area_id, "")
        area_grade.moderated_grade = dict(AreaGrade._meta.get_field("grade").flatchoices).get(grade, "")
    actions = list(Action.objects.filter(audit=audit).select_related("owner").order_by("due_on", "pk"))
    for action in actions:
        action.status_today = Action.Status(action.status_on(today)).label
    return {
        "audit": audit,
        "area_grades": area_grades,
        "moderation": moderation,
        "actions": actions,
        "reaudit": reaudit_comparison(audit=audit, today=today),
        "council_name": settings.COUNCIL_NAME,
        "protective_marking": settings.PROTECTIVE_MARKING,
        "generated_at": timezone.localtime(),
        "today": today,
    }


def audit_pdf(*, audit: Audit) -> bytes:
    """The audit as a tagged PDF (PDF/UA-1) that fetches nothing but the app's own stylesheet."""
    html = render_to_string("reports/audit_pdf.html", audit_pdf_context(audit=audit))
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnlyFetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True)
