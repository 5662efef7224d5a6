"""Password sign-in, which a council may keep for its break-glass administrator only."""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend


class LocalPasswordBackend(ModelBackend):
    """Django's username-and-password sign-in, for superusers only when `LOCAL_PASSWORDS` is "superusers".

    Everyone else then signs in with the council account (single sign-on). The check sits in
    `user_can_authenticate`, which Django runs after the password check whether the password was right or not,
    so the answer never tells a guesser that a password was right; and which `get_user` runs on every request,
    so a password session started before the switch ends with it.
    """

    def user_can_authenticate(self, user) -> bool:
        if not super().user_can_authenticate(user):
            return False
        return settings.LOCAL_PASSWORDS == "all" or user.is_superuser


def is_not_a_password_attempt(request, credentials: dict | None) -> bool:
    """For django-axes (AXES_WHITELIST_CALLABLE): a sign-in that carries no password is not a password guess.

    Lock-out protects passwords. A single sign-on refusal (someone the staff list does not know) must not lock
    out everyone behind the same office address, and a lock-out earned by guessing passwords must not stop
    colleagues there from signing in with their council accounts, which the council's own service protects.
    """
    return not (credentials or {}).get("password")
