"""Headers every response of the app carries: a strict Content-Security-Policy, a Permissions-Policy,
and `Cache-Control: no-store` on everything Django makes (children's data must not stay in a shared
browser's cache), while static files stay cacheable."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from actions.tests.factories import ActionFactory
from people.tests.factories import QualityFactory
from reports.models import ReportDocument
from reports.tests.factories import ReportDocumentFactory

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def _assert_private(response) -> None:
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-store", "private"} <= cache_control, response["Cache-Control"]
    assert "public" not in cache_control


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory())
    return client


def test_pages_carry_a_content_security_policy_without_inline_script(quality_client):
    response = quality_client.get(reverse("home"))
    directives = _directives(response)
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    # Inline style only (pygal's <style> in the report's SVG charts; progress-bar widths).
    assert directives["style-src"] == ["'self'", "'unsafe-inline'"]


def test_pages_switch_off_browser_features_the_portal_does_not_use(quality_client):
    policy = quality_client.get(reverse("home"))["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert f"{feature}=()" in policy


def test_signed_in_pages_and_every_download_are_never_stored_by_the_browser(quality_client):
    ActionFactory()
    document = ReportDocumentFactory(status=ReportDocument.Status.READY, progress=100)
    document.file.save("report.pdf", ContentFile(b"%PDF-1.7 test"))
    responses = {
        "page": quality_client.get(reverse("actions:list")),
        "csv": quality_client.get(reverse("actions:export")),
        "json": quality_client.get(reverse("reports:json", kwargs={"year": 2026, "month": 10})),
        "pdf": quality_client.get(reverse("reports:document_download", kwargs={"pk": document.pk})),
        "htmx fragment": quality_client.get(
            reverse("reports:document_status", kwargs={"pk": document.pk}), HTTP_HX_REQUEST="true"
        ),
        "not found": quality_client.get("/audits/999999/"),
    }
    for kind, response in responses.items():
        assert response.status_code == (404 if kind == "not found" else 200), kind
        _assert_private(response)
    assert responses["csv"]["Content-Type"].startswith("text/csv")
    assert responses["pdf"]["Content-Type"] == "application/pdf"


def test_the_sign_in_page_is_not_stored_either(client):
    _assert_private(client.get(reverse("login")))


def test_static_files_stay_cacheable(client):
    response = client.get(settings.STATIC_URL + "css/qa_portal.css")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
    response = client.get(settings.STATIC_URL + "js/qa_portal.js")
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER_ATTRIBUTE = re.compile(r"""\s(on[a-z]+|hx-on[:\w-]*)\s*=\s*["']""", re.IGNORECASE)


def test_no_template_has_inline_script_or_event_handler_attributes():
    """The policy blocks them, so they would silently not run: script belongs in static/js/qa_portal.js."""
    problems = []
    for template in sorted(Path(settings.BASE_DIR, "templates").rglob("*.html")):
        text = template.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER_ATTRIBUTE):
            problems += [f"{template.name}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    assert not problems, problems
