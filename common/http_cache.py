"""The one kind of signed-in response a browser may keep: an aggregate picture with no child's details in it.

Every response Django makes is `Cache-Control: no-store` (qa_portal.middleware.PrivateResponseMiddleware), since
pages and downloads carry children's case details. A report chart is different: percentages and counts over a
whole authority, programme or service area, never a child, a case reference or a name. It is the largest part of
the report page, so the browser keeps it: `private` (never a proxy or other shared cache), for `max_age` seconds,
with an ETag of its content so a browser revalidates it cheaply (304) once that time is up. Its address carries
the data version, so a write anywhere gives the page new addresses and a kept chart is never shown stale.
"""

from __future__ import annotations

import hashlib

from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags

# Marks a response the middleware leaves cacheable (private). Only set through `private_cacheable`.
PRIVATE_CACHEABLE = "qa_private_cacheable"
CHART_MAX_AGE = 3600


def content_etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def private_cacheable(
    request: HttpRequest, body: bytes, content_type: str, *, max_age: int = CHART_MAX_AGE
) -> HttpResponse:
    """`body` as a response the signed-in browser may keep for `max_age` seconds, or 304 when it holds it already."""
    etag = content_etag(body)
    if etag in parse_etags(request.headers.get("If-None-Match", "")):
        response: HttpResponse = HttpResponseNotModified()
    else:
        response = HttpResponse(body, content_type=content_type)
    response["ETag"] = etag
    patch_cache_control(response, private=True, max_age=max_age)
    patch_vary_headers(response, ["Cookie"])
    setattr(response, PRIVATE_CACHEABLE, True)
    return response
