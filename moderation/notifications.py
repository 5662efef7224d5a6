"""E-mails about moderation. Failures raise so the Celery task retries with backoff."""

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from moderation.models import Moderation


def moderation_notify_auditor(*, moderation_id: int) -> bool:
    """Tell the auditor their audit was moderated, once. Returns False when already told or no address."""
    with transaction.atomic():
        moderation = (
            Moderation.objects.select_for_update(of=("self",))
            .select_related("audit__auditor", "audit__child", "audit__team", "moderator")
            .get(pk=moderation_id)
        )
        auditor = moderation.audit.auditor
        if moderation.auditor_notified_at is not None or moderation.status != Moderation.Status.COMPLETED:
            return False
        if not auditor.email or not auditor.is_active:
            return False
        context = {
            "moderation": moderation,
            "audit": moderation.audit,
            "url": settings.SITE_URL.rstrip("/") + reverse("moderation:finalise", args=[moderation.pk]),
        }
        send_mail(
            subject=f"Your audit of {moderation.audit.child.case_ref} has been moderated",
            message=render_to_string("moderation/email/moderated.txt", context),
            from_email=settings.DEFAULT_FROM_EMAIL,
            recipient_list=[auditor.email],
        )
        moderation.auditor_notified_at = timezone.now()
        # update() rather than save(): the e-mail guard is not a change worth a history entry.
        Moderation.objects.filter(pk=moderation.pk).update(auditor_notified_at=moderation.auditor_notified_at)
    return True
