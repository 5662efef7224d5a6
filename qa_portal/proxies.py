"""The address of the person at the keyboard, when the app runs behind trusted proxies.

Behind the TLS-terminating proxy the README describes, every request reaches gunicorn from the
proxy's address, so a lock-out by address (django-axes) would lock every user out together.
Each trusted proxy appends the address it received the request from to `X-Forwarded-For`;
with `TRUSTED_PROXY_COUNT` proxies in front, the client is the entry that many places from the
right. Entries further left were written by the client itself and prove nothing, so they are
never used: otherwise anyone could escape a lock-out by sending a made-up header.
"""

from django.conf import settings
from django.http import HttpRequest


def client_ip_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR with no trusted proxy, else from the trusted end of X-Forwarded-For."""
    remote_addr = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted:
        # The request did not come through every proxy (for example straight to gunicorn's port):
        # the connection's own address is all that can be trusted.
        return remote_addr
    return forwarded[-trusted]
