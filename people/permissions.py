"""Who may do what: one mixin per role, used by every class-based view.

Role checks answer 403 (the person is signed in but it is not their job);
object checks go through scoped querysets (`audits_visible_to(user)` and
friends) so that an object outside the user's scope is simply not found (404).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q

ROLE_FLAGS = {
    "auditor": "is_auditor",
    "moderator": "is_moderator",
    "quality": "is_quality",
    "manager": "is_manager",
}


def has_role(user, *roles: str) -> bool:
    """True when the signed-in user holds any of `roles` (superusers hold every role)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(getattr(user, ROLE_FLAGS[role]) for role in roles)


class RoleRequiredMixin(LoginRequiredMixin):
    """Allow the view to users holding any of `roles`, e.g. `roles = ("quality",)`."""

    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.roles and not has_role(request.user, *self.roles):
            raise PermissionDenied("Your role does not include this page.")
        return super().dispatch(request, *args, **kwargs)


class QualityRequiredMixin(RoleRequiredMixin):
    roles = ("quality",)


class AuditorRequiredMixin(RoleRequiredMixin):
    roles = ("auditor",)


class ModeratorRequiredMixin(RoleRequiredMixin):
    roles = ("moderator",)


class ManagerRequiredMixin(RoleRequiredMixin):
    roles = ("manager",)


def _granted_permission_ids(user) -> set[int]:
    """The raw permissions a user holds directly or through groups, active or not.

    Read from the tables rather than `get_all_permissions()`, which answers nothing for an
    inactive account: re-activating it would otherwise hand over rights nobody compared.
    """
    return set(Permission.objects.filter(Q(user=user) | Q(group__user=user)).values_list("pk", flat=True))


def may_manage_account(actor, target) -> bool:
    """Whether `actor` may change `target`'s account (details, roles, active flag, password) in the admin.

    Nobody manages an account with more rights than their own: only a superuser changes a
    superuser or a staff administrator (whoever can set their password can sign in as them),
    only the QA team changes a QA team member, and an account holding a raw permission the
    actor lacks is out of reach too. Everyone may manage their own account.
    """
    if not actor.is_authenticated or not actor.is_active:
        return False
    if actor.is_superuser or actor.pk == target.pk:
        return True
    if target.is_superuser or target.is_staff:
        return False
    if target.is_quality and not actor.is_quality:
        return False
    return _granted_permission_ids(target) <= _granted_permission_ids(actor)
