from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm


class SignInForm(AuthenticationForm):
    """The password form. When only superusers may use a password, its error says so to everyone, whether the
    password was right or not, so that neither the message nor its absence tells who is a superuser."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if settings.LOCAL_PASSWORDS == "superusers":
            message = (
                "Only administrators can sign in with a password here. Everyone else signs in with their council "
                "account. Administrators: your username and password did not match."
            )
        else:
            message = "Your username and password did not match. Please try again."
        self.error_messages = {**self.error_messages, "invalid_login": message}
