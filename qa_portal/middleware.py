"""Response headers every page gets, and the friendly answer when the database is unreachable."""

import logging
import sys
import time

from django.conf import settings
from django.contrib.sessions.middleware import SessionMiddleware as DjangoSessionMiddleware
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views.defaults import server_error

from common.http_cache import PRIVATE_CACHEABLE

logger = logging.getLogger("qa_portal.database")

# Powerful browser features the portal never uses, switched off so no injected or framed content can ask for them.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)
DATABASE_UNAVAILABLE_ERRORS = (OperationalError, InterfaceError)


class PrivateResponseMiddleware:
    """`Cache-Control: no-store` and the Permissions-Policy on every response Django makes.

    Pages, CSV, PDF and JSON downloads all carry children's case details, which must not be kept
    in a shared computer's browser cache or on a proxy. It sits below WhiteNoise in MIDDLEWARE,
    so static files (which hold no personal data) never reach it and stay cacheable. The one exception is a
    response made by `common.http_cache.private_cacheable` (a report chart: aggregates, no child's details),
    which keeps its own `private, max-age` and ETag.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not getattr(response, PRIVATE_CACHEABLE, False):
            add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response


def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    """503 with the friendly page, built without the database (no user, no session, no context processors)."""
    # The path and the error's class are enough to diagnose; the message and the query string are
    # left out because either could carry a child's details.
    logger.error(
        "Database unavailable (%s.%s) during %s %s",
        type(error).__module__,
        type(error).__name__,
        request.method,
        request.path,
    )
    response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = "30"
    return response


class DatabaseUnavailableMiddleware:
    """A view that finds the database down (restarted, unreachable, locked too long) answers 503, not 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_UNAVAILABLE_ERRORS):
            return database_unavailable(request, exception)
        return None


class DatabaseOutageTracebackFilter(logging.Filter):
    """Drop the traceback Django's request log attaches to a database outage it answered with the 503.

    One short line per failed request (from `database_unavailable`) says what happened; a traceback for
    every request during an outage would bury the log, and adds nothing about a connection refused.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], DATABASE_UNAVAILABLE_ERRORS):
            record.exc_info = None
            record.exc_text = None
        return True


def server_error_or_database_unavailable(request: HttpRequest) -> HttpResponse:
    """handler500: the same 503 when the database failed outside a view (loading the session or the user).

    Django calls it while handling the exception, so `sys.exc_info()` still names the error.
    """
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE_ERRORS):
        return database_unavailable(request, error)
    return server_error(request)


class SessionMiddleware(DjangoSessionMiddleware):
    """Django's, pushing a signed-in session's idle expiry forward on every page, with at most one write a minute.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) made every page an UPDATE and a COMMIT
    of the same row. Instead a page marks the session changed only when its
    last refresh (`REFRESHED_AT`, seconds since the epoch) is SESSION_REFRESH_SECONDS old or more; Django then
    saves it with a new expiry. The idle time-out (SESSION_COOKIE_AGE) thus counts from the last page to within
    a minute. A chart file (`common.http_cache.private_cacheable`) never refreshes it: a report page asks for
    its ten charts at once, right after the page itself refreshed the session.
    """

    REFRESHED_AT = "_idle_refreshed_at"

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        session = getattr(request, "session", None)
        if session is not None and not getattr(response, PRIVATE_CACHEABLE, False):
            self.refresh_idle_expiry(session)
        return super().process_response(request, response)

    @classmethod
    def refresh_idle_expiry(cls, session) -> None:
        if session.is_empty() or not session.accessed:
            return
        now = int(time.time())
        if now - session.get(cls.REFRESHED_AT, 0) >= settings.SESSION_REFRESH_SECONDS:
            session[cls.REFRESHED_AT] = now
