"""E-mails about Children of Concern. Failures raise so the Celery task retries with backoff."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from actions.models import ChildOfConcern


def child_of_concern_notify(*, concern_id: int) -> bool:
    """Send the Child of Concern notification once. Returns False when already sent or nobody to tell."""
    with transaction.atomic():
        concern = (
            ChildOfConcern.objects.select_for_update()
            .select_related("audit__team__manager", "audit__team__head_of_service", "audit__auditor", "child")
            .get(pk=concern_id)
        )
        if concern.notified_at is not None:
            return False
        team = concern.audit.team
        recipients = sorted({u.email for u in (team.manager, team.head_of_service) if u is not None and u.email})
        if not recipients:
            return False
        context = {
            "concern": concern,
            "audit": concern.audit,
            "area_grades": concern.audit.area_grades.select_related("area").exclude(grade="na"),
            "url": settings.SITE_URL.rstrip("/") + reverse("home"),
        }
        send_mail(
            subject=f"Child of Concern: {concern.child.case_ref} ({team.name})",
            message=render_to_string("actions/email/child_of_concern.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=recipients,
        )
        concern.notified_at = timezone.now()
        concern.save(update_fields=["notified_at"])
    return True
