"""Who may do what: one mixin per role, used by every class-based view.

Role checks answer 403 (the person is signed in but it is not their job);
object checks go through scoped querysets (`audits_visible_to(user)` and
friends) so that an object outside the user's scope is simply not found (404).
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied

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
