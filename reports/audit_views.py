"""The single-audit PDF download, for anyone who may read the audit (the audit page's own scope)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import slugify
from django.views import View

from audits.exports import audit_export_record
from audits.selectors import audits_visible_to
from people.permissions import RoleRequiredMixin


class AuditPdfView(RoleRequiredMixin, View):
    """Downloads the audit as a PDF and records the download in the audit's history.

    The audit is found through `audits_visible_to`, so an audit outside the user's scope is a 404 however its
    id was obtained. Only a returned audit is a record worth attaching; a draft sends the reader back.
    """

    def get(self, request, pk: int):
        audit = get_object_or_404(
            audits_visible_to(request.user).select_related(
                "child", "team", "service_area", "social_worker", "auditor", "template", "reaudit_of"
            ),
            pk=pk,
        )
        if not audit.is_returned:
            messages.info(request, "Only a returned audit can be downloaded for the child's record.")
            return redirect("audits:audit_detail", pk=audit.pk)
        # Imported here: WeasyPrint takes over a second to load, and every process loads the URLs at start.
        from reports.audit_pdf import audit_pdf

        pdf = audit_pdf(audit=audit)
        audit_export_record(audit=audit, by=request.user)
        filename = f"audit-{slugify(audit.child.case_ref) or audit.pk}-{audit.month:%Y-%m}.pdf"
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
