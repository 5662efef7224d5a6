"""Every page names its icon, served by the app (no /favicon.ico 404 in every log line, no icon from a CDN)."""

import pytest
from django.contrib.staticfiles import finders


@pytest.mark.django_db
def test_pages_link_the_apps_own_icon(client):
    page = client.get("/accounts/login/").content.decode()

    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert finders.find("favicon.svg")
