"""The report's charts as files of their own: the page shows each as an <img> with alt text, the browser may keep
the file (private, an hour, ETag: aggregates, no child's details), and it comes from the report cache."""

import re
from html import unescape
from unittest import mock

import pytest
from django.urls import reverse

from audits.completion import audit_send_back
from audits.models import Audit
from reports import presenters
from reports.tests.factories import QualityFactory
from reports.tests.test_views import DECEMBER, DETAIL, december_history

pytestmark = pytest.mark.django_db

CHART_SRC = re.compile(r'<img class="report-chart[^"]*" src="([^"]+)" alt="([^"]+)" width="(\d+)" height="(\d+)"')


@pytest.fixture
def quality(client):
    user = QualityFactory()
    client.force_login(user)
    client.user = user
    return client


def chart_sources(client, url: str = DETAIL) -> dict[str, str]:
    html = client.get(url).content.decode()
    found = {}
    for src, alt, width, height in CHART_SRC.findall(html):
        assert alt.endswith("The table with it gives the figures.") and int(width) > 0 and int(height) > 0
        found[re.search(r"/charts/(\w+)\.svg", src).group(1)] = unescape(src)
    return found


def test_each_chart_is_a_private_cacheable_svg_file_from_the_cached_report(quality, django_assert_max_num_queries):
    december_history()
    sources = chart_sources(quality)
    assert {"ratings_by_month", "returns", "actions", "children_of_concern"} <= set(sources)
    # The page computed the report; its charts are read from the cache, never drawn again.
    with mock.patch.object(presenters, "report_figures", side_effect=AssertionError("recomputed")):
        for name, src in sources.items():
            with django_assert_max_num_queries(6):  # session, user, the as-of form's programmes: not the figures
                response = quality.get(src)
            assert response.status_code == 200, name
            assert response["Content-Type"] == "image/svg+xml"
            body = response.content.decode()
            assert body.startswith("<svg") and "<script" not in body
            cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
            assert "private" in cache_control and "max-age=3600" in cache_control, cache_control
            assert not {"no-store", "no-cache", "public"} & cache_control
            assert response["ETag"].startswith('"') and "Cookie" in response["Vary"]


def test_a_browser_that_holds_the_chart_is_answered_not_modified(quality):
    december_history()
    src = chart_sources(quality)["returns"]
    etag = quality.get(src)["ETag"]
    again = quality.get(src, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again["ETag"] == etag and not again.content
    assert "no-store" not in again["Cache-Control"]
    assert quality.get(src, HTTP_IF_NONE_MATCH='"something else"').status_code == 200


def test_a_write_gives_the_charts_new_addresses_and_new_pictures(quality):
    december_history()
    before = chart_sources(quality)
    old_svg = quality.get(before["ratings_by_month"]).content
    audit = Audit.objects.filter(month=DECEMBER, status=Audit.Status.SUBMITTED, final_grade="good").first()
    audit_send_back(audit=audit, by=quality.user, reason="The plan is missing.")
    after = chart_sources(quality)
    assert set(after) == set(before)
    assert all(after[name] != before[name] for name in before)  # a kept chart cannot be shown for the new data
    assert quality.get(after["ratings_by_month"]).content != old_svg


def test_the_charts_follow_the_as_of_date_and_the_scope(quality):
    december_history()
    sources = chart_sources(quality, DETAIL + "?as_of=2020-01-15&programme=all")
    assert all("as_of=2020-01-15" in src and "programme=all" in src for src in sources.values())
    assert quality.get(sources["actions"]).status_code == 200


def test_an_unknown_chart_a_bad_date_or_a_chart_of_no_data_is_not_found(quality):
    december_history()
    chart = reverse("reports:chart", kwargs={"year": 2019, "month": 12, "name": "returns"})
    assert quality.get(chart).status_code == 200
    assert quality.get(chart.replace("returns", "nothing")).status_code == 404
    assert quality.get(chart + "?as_of=2019-11-30").status_code == 404  # before the month ends
    empty = reverse("reports:chart", kwargs={"year": 2026, "month": 10, "name": "returns"})
    response = quality.get(empty)
    assert response.status_code == 404 and "no-store" in response["Cache-Control"]
    impossible = reverse("reports:chart", kwargs={"year": 2019, "month": 13, "name": "returns"})
    assert quality.get(impossible).status_code == 404


def test_a_chart_file_leaves_the_session_alone_the_page_saves_it(quality, django_assert_max_num_queries):
    """The page refreshes the idle time-out; its ten charts, fetched at once, do not write the session again."""
    december_history()
    with django_assert_max_num_queries(200) as page:
        sources = chart_sources(quality)
    assert any('UPDATE "django_session"' in query["sql"] for query in page.captured_queries)
    with django_assert_max_num_queries(6) as chart:
        assert quality.get(sources["returns"]).status_code == 200
    assert not any("django_session" in query["sql"] and "SELECT" not in query["sql"] for query in chart)
