"""Writes for good practice: what the social worker says made the difference on a Good or Outstanding audit.

Seed 000 (section 1.5): where practice was rated Good, the QA team contacts the allocated social worker to
understand what contributed to the good outcomes, and passes the themes on. One record per audit, kept by
the QA team; its history (text and theme tags) is recorded by django-simple-history and shown in the
audit's history.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from audits.models import GOOD_PRACTICE_GRADES, Audit, GoodPractice, Theme
from common.errors import ApplicationError
from common.text_limits import LONG_TEXT_MAX
from people.models import User
from people.permissions import has_role


class GoodPracticeError(ApplicationError):
    """Good practice the rules do not allow to be recorded; the message is shown to the user."""


def good_practice_allowed(audit: Audit) -> bool:
    """Whether the audit's final grade lets the QA team record good practice on it (Good or Outstanding)."""
    return audit.final_grade in GOOD_PRACTICE_GRADES


def good_practice_record(*, audit: Audit, text: str, theme_ids: Iterable[int], by: User) -> GoodPractice:
    """Record (or revise) what the social worker says made the difference on `audit`, tagged with themes.

    Only the QA team records it, and only on an audit graded Good or Outstanding. A theme not already on
    the record must be one still offered (active); a retired one the record carries may stay ticked.
    """
    if not has_role(by, "quality"):
        raise GoodPracticeError("Only the QA team records good practice.")
    text = (text or "").strip()
    if not text:
        raise GoodPracticeError("Write what the social worker says made the difference.", field="text")
    if len(text) > LONG_TEXT_MAX:
        raise GoodPracticeError(f"Keep this to {LONG_TEXT_MAX:,} characters or fewer.", field="text")
    wanted = {int(pk) for pk in theme_ids}
    with transaction.atomic():
        # The grade is read under a row lock: a moderator lowering it meanwhile refuses the record, not races it.
        locked = Audit.objects.select_for_update().only("pk", "final_grade").get(pk=audit.pk)
        if not good_practice_allowed(locked):
            raise GoodPracticeError("Good practice is recorded only on audits graded Good or Outstanding.")
        record = GoodPractice.objects.filter(audit=locked).first()
        reason = "Good practice recorded" if record is None else "Good practice revised"
        kept = set(record.themes.values_list("pk", flat=True)) if record else set()
        new_ids = wanted - kept
        if new_ids and Theme.objects.filter(pk__in=new_ids, is_active=True).count() != len(new_ids):
            raise GoodPracticeError(
                "A theme you ticked has been retired or removed. Reload the page and tick again.", field="themes"
            )
        if record is None:
            record = GoodPractice(audit=locked, text=text, recorded_by=by)
            record._history_user = by
            record._change_reason = reason
            record.save()
        elif record.text != text:
            record.text = text
            record._history_user = by
            record._change_reason = reason
            record.save()
        if wanted != kept:
            # Each add and removal is its own historical record of the row, carrying the tags it left.
            record._history_user = by
            record._change_reason = reason
            record.themes.set(sorted(wanted))
    return record
