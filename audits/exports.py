"""Recording that an audit left the product as a document (the single-audit PDF for the child's record).

The PDF itself is made by the reports app (which reads moderation and actions as well); this app only keeps
the record, so the audit's history says who took a copy and when.
"""

from __future__ import annotations

from audits.models import Audit, AuditExport
from people.models import User


def audit_export_record(*, audit: Audit, by: User, format: str = AuditExport.Format.PDF) -> AuditExport:
    return AuditExport.objects.create(audit=audit, by=by, format=format)
