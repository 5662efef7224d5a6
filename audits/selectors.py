"""Queries over audits. Every page that lists or opens audits starts from `audits_visible_to`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from audits.models import MONTHLY_SLUG, Audit, Programme
from people.models import ServiceArea, User


def audit_scope_q(user: User, prefix: str = "") -> Q:
    """The audits a user may read, as a Q over Audit (or over a relation via `prefix`, e.g. "audit__").

    QA team: all. Auditor: their own. Manager: audits of teams they manage or
    head. Moderator: audits currently assigned to them for moderation, or that they moderated (not
    those removed from the sample or reassigned to someone else). Several roles add up.
    """
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser or user.is_quality:
        # Not an empty Q(): `Q() | Q(x)` is just `Q(x)`, so "everything" must be a real condition
        # that stays "everything" when a caller ORs it with another scope.
        return Q(**{f"{prefix}pk__isnull": False})
    q = Q(**{f"{prefix}auditor": user})
    if user.is_manager:
        q |= Q(**{f"{prefix}team__manager": user}) | Q(**{f"{prefix}team__head_of_service": user})
    if user.is_moderator:
        # The current assignment only: once the QA team takes the audit out of the sample, its
        # moderator no longer reads it. "removed" is moderation.models.Moderation.Status.REMOVED,
        # spelt out because audits sits below moderation and does not import it
        # (moderation/tests/test_scope_follows_assignment.py fails if the two drift apart).
        q |= Q(**{f"{prefix}moderation__moderator": user}) & ~Q(**{f"{prefix}moderation__status": "removed"})
    return q


def audits_visible_to(user: User) -> QuerySet[Audit]:
    # Every join in the scope is to-one (team, moderation), so no row repeats and no DISTINCT is needed.
    return Audit.objects.filter(audit_scope_q(user))


@dataclass(frozen=True)
class ReportScope:
    """Which audits a report covers: one programme or all (`programme` None), and one service area or all.

    contracts.md section 2: every figure of a report, returns and actions included, is computed within
    its scope. `q(prefix)` is the scope as a filter over Audit, or over a relation to it ("audit__").
    """

    programme: Programme | None = None
    service_area: ServiceArea | None = None
    # The monthly audit, named by its kind so the report needs no query to find its row.
    is_monthly: bool = False

    @classmethod
    def monthly(cls, service_area: ServiceArea | None = None) -> ReportScope:
        return cls(service_area=service_area, is_monthly=True)

    @property
    def programme_key(self) -> str:
        """The JSON's `programme`: `monthly`, a programme's slug, or `all`."""
        if self.is_monthly:
            return MONTHLY_SLUG
        return "all" if self.programme is None else self.programme.slug

    @property
    def service_area_name(self) -> str | None:
        return None if self.service_area is None else self.service_area.name

    def q(self, prefix: str = "") -> Q:
        condition = Q()
        if self.is_monthly:
            condition &= Q(**{f"{prefix}programme__kind": Programme.Kind.MONTHLY})
        elif self.programme is not None:
            condition &= Q(**{f"{prefix}programme_id": self.programme.pk})
        if self.service_area is not None:
            condition &= Q(**{f"{prefix}service_area_id": self.service_area.pk})
        return condition


def scope_q(scope: ReportScope | None, prefix: str = "") -> Q:
    """The scope's filter; no scope means every audit (the pages that count across programmes)."""
    return Q() if scope is None else scope.q(prefix)


def report_scope_from(*, programme: str | None, service_area: str | None, default: str) -> ReportScope:
    """The scope named by a programme slug (or `all`) and a service area's name, as the command and URLs give them.

    Raises ValueError with a message for a name that matches nothing.
    """
    key = programme or default
    chosen = None
    if key not in ("all", MONTHLY_SLUG):
        chosen = Programme.objects.filter(slug=key).first()
        if chosen is not None and chosen.is_monthly:
            chosen = None
            key = MONTHLY_SLUG
        if chosen is None and key != MONTHLY_SLUG:
            known = ", ".join(Programme.objects.order_by("slug").values_list("slug", flat=True))
            raise ValueError(f"There is no programme {key!r}: use all or one of {known}.")
    area = None
    if service_area:
        area = ServiceArea.objects.filter(name__iexact=service_area.strip()).first()
        if area is None:
            raise ValueError(f"There is no service area called {service_area!r}.")
    return ReportScope(programme=chosen, service_area=area, is_monthly=key == MONTHLY_SLUG)
