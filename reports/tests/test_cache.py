"""The report cache: figures and charts computed once per scope, month and as-of day, never served stale."""

import datetime
import json
import re
from unittest import mock

import pytest
from django.core.cache import cache
from django.urls import reverse

from audits.completion import audit_send_back
from audits.models import Audit
from common.data_version import data_version
from reports import presenters
from reports.period_tables import _period_report_context, period_report_context
from reports.presenters import _figures_tables_and_charts, report_context
from reports.selectors import report_figures
from reports.tables import Table
from reports.templatetags.report_tags import report_table
from reports.tests.factories import QualityFactory
from reports.tests.test_selectors import SEED_002_RETURNS, graded_rows, seed_000_rows
from reports.tests.test_views import DECEMBER, DETAIL, december_history
from reports.tests.tracker import load_rows, tracker_row

pytestmark = pytest.mark.django_db

JSON = reverse("reports:json", kwargs={"year": 2019, "month": 12})


@pytest.fixture
def quality(client):
    user = QualityFactory()
    client.force_login(user)
    client.user = user
    return client


def december_good(client) -> int:
    return json.loads(client.get(JSON).content)["ratings_by_month"][-1]["counts"]["good"]


def test_the_second_view_reuses_the_figures_and_charts_and_sends_fewer_queries(quality, django_assert_max_num_queries):
    december_history()
    with django_assert_max_num_queries(44) as cold:
        first = quality.get(DETAIL)
    with mock.patch.object(presenters, "report_figures", side_effect=AssertionError("recomputed")):
        with django_assert_max_num_queries(44) as warm:
            second = quality.get(DETAIL)
    assert first.status_code == second.status_code == 200
    assert len(warm.captured_queries) < len(cold.captured_queries)
    assert first.context["figures"] == second.context["figures"]


def test_an_audit_sent_back_changes_the_report_on_the_next_view(quality):
    december_history()
    before = december_good(quality)
    page_before = quality.get(DETAIL).context["figures"]["ratings_by_month"][-1]["counts"]["good"]
    audit = Audit.objects.filter(month=DECEMBER, status=Audit.Status.SUBMITTED, final_grade="good").first()
    assert audit is not None

    audit_send_back(audit=audit, by=quality.user, reason="The plan is missing.")

    assert december_good(quality) == before - 1
    assert quality.get(DETAIL).context["figures"]["ratings_by_month"][-1]["counts"]["good"] == page_before - 1


def test_an_imported_tracker_changes_the_report_on_the_next_view(quality):
    december_history()
    before = december_good(quality)
    quality.get(DETAIL)

    load_rows([tracker_row("2019-12", auditor_grade="GOOD") for _ in range(3)])

    assert december_good(quality) == before + 3
    assert quality.get(DETAIL).context["figures"]["ratings_by_month"][-1]["counts"]["good"] == before + 3


def test_another_as_of_day_or_scope_is_its_own_entry(quality):
    december_history()
    assert quality.get(JSON + "?as_of=2020-01-10").json()["as_of"] == "2020-01-10"
    assert quality.get(JSON).json()["as_of"] == "2019-12-31"
    assert quality.get(JSON + "?as_of=2020-01-10").json()["as_of"] == "2020-01-10"


@pytest.mark.parametrize(
    ("rows", "month"),
    [
        (seed_000_rows, datetime.date(2019, 12, 1)),
        (
            lambda: [
                row
                for month, planned, exempted, returned, grades in SEED_002_RETURNS
                for row in graded_rows(
                    month, dict(zip(("OUTSTANDING", "GOOD", "RI", "INADEQUATE"), grades, strict=True))
                )
                + [tracker_row(month, "exempted", exemption_reason="Extended absence") for _ in range(exempted)]
                + [tracker_row(month, "nil_return") for _ in range(planned - exempted - returned)]
            ],
            datetime.date(2023, 11, 1),
        ),
    ],
    ids=["seed_000", "seed_002"],
)
def test_every_figure_table_and_chart_is_identical_with_and_without_the_cache(rows, month):
    load_rows(rows())
    cold = report_context(month)
    warm = report_context(month)  # from the cache
    fresh = _figures_tables_and_charts(month, cold["as_of"], cold["scope"])  # no cache at all
    assert warm["figures"] == cold["figures"] == fresh["figures"] == report_figures(month)
    assert warm["tables"] == fresh["tables"]
    # The tables' HTML kept with the report is what the page would write from the tables themselves.
    assert warm["tables_html"] == fresh["tables_html"]
    assert set(warm["tables_html"]) == {key for key, table in fresh["tables"].items() if isinstance(table, Table)}
    for key, html in warm["tables_html"].items():
        assert html == report_table({}, fresh["tables"][key]), key
    assert "<a href" not in report_table({"pdf": True, **warm}, fresh["tables"]["ratings_by_month"])

    # pygal gives every drawing a random id; everything else must match.
    def drawn(charts):
        return {name: re.sub(r"chart-[0-9a-f-]{36}", "chart-id", chart.svg) for name, chart in charts.items()}

    assert drawn(warm["charts"]) == drawn(fresh["charts"])


def test_a_sign_in_does_not_move_the_data_version(client):
    user = QualityFactory()
    version = data_version()
    user.set_password("secret-pass-1")
    user.save()
    moved = data_version()
    assert moved > version  # people feed the report (names, teams)
    assert client.login(username=user.username, password="secret-pass-1")
    assert data_version() == moved


def test_a_bulk_write_moves_the_version_now_and_again_when_it_commits(django_capture_on_commit_callbacks):
    version = data_version()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load_rows([tracker_row("2019-12")])
        during = data_version()
    assert during > version
    assert len([c for c in callbacks if getattr(c, "data_version_bump", False)]) == 1
    assert data_version() > during


def test_a_cleared_cache_starts_the_version_again_without_serving_old_entries(quality):
    december_history()
    before = december_good(quality)
    cache.clear()
    assert data_version() == 0
    assert december_good(quality) == before


def test_a_cache_that_is_down_makes_the_report_slower_never_broken(quality, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    december_history()  # writes bump the version: they must not fail either
    response = quality.get(DETAIL)
    assert response.status_code == 200
    assert response.context["figures"] == report_figures(DECEMBER)


PERIOD = reverse("reports:period") + "?from_month=2019-10&to_month=2019-12"


def period_good(client) -> int:
    return client.get(PERIOD).context["figures"]["ratings"]["counts"]["good"]


def test_the_period_report_is_cached_identical_to_a_fresh_one_and_a_write_shows_on_the_next_view(quality):
    load_rows(seed_000_rows())
    first, last = datetime.date(2019, 10, 1), datetime.date(2019, 12, 1)
    cold = period_report_context(first, last)
    with mock.patch("reports.period_tables.period_figures", side_effect=AssertionError("recomputed")):
        warm = period_report_context(first, last)
    assert warm == cold == _period_report_context(first, last, programme="all", service_area=None)
    before = period_good(quality)

    load_rows([tracker_row("2019-11", auditor_grade="GOOD") for _ in range(2)])

    assert period_good(quality) == before + 2
