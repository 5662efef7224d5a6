"""The report's pages through the test client: roles, scope, links behind every number, forms and query budgets."""

import datetime
import json
import re
import uuid
from html import unescape
from unittest import mock

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from actions.models import Action
from common.periods import month_end
from reports.models import ReportDocument, ReportNarrative
from reports.pdf import RenderedBody
from reports.selectors import report_figures
from reports.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    ReportDocumentFactory,
    UserFactory,
)
from reports.tests.test_selectors import seed_000_rows
from reports.tests.tracker import load_rows, tracker_row

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2019, 12, 1)
DETAIL = reverse("reports:detail", kwargs={"year": 2019, "month": 12})
FAKE_PDF = b"%PDF-1.7 fake"


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory())
    return client


def december_history():
    """Seed 000's three months plus moderation, returns, participation, feedback and actions for December."""
    rows = seed_000_rows()
    rows += [
        tracker_row("2019-12", auditor_grade="GOOD", moderator="mod", moderator_grade="RI", moderated_on="2019-12-20"),
        tracker_row("2019-12", auditor_grade="RI", moderator="mod", moderator_grade="GOOD", moderated_on="2019-12-20"),
        tracker_row("2019-12", auditor_grade="RI", moderator="mod", moderator_grade="RI", finalised_on="2019-12-30"),
        tracker_row(
            "2019-12",
            auditor_grade="RI",
            at_risk="yes",
            sw_participated="yes",
            child_feedback="positive",
            **{"area:assessment": "GOOD", "area:planning": "RI", "area:permanence": "NA"},
        ),
        tracker_row(
            "2019-12",
            auditor_grade="RI",
            due_on="2019-12-10",
            submitted_on="2019-12-12",
            team="Late Team",
            **{"area:assessment": "GOOD", "area:planning": "GOOD"},
        ),
        tracker_row("2019-12", "exempted", team="Team B"),
        tracker_row("2019-12", "nil_return", team="Team B"),
        tracker_row("2019-12", "not_ready", team="Team C"),
    ]
    audits = load_rows(rows)
    owner = UserFactory()
    for n, audit in enumerate(audits[-8:-3]):
        Action.objects.create(
            audit=audit,
            description="Update the plan",
            owner=owner,
            due_on=datetime.date(2019, 12, 15 + n),
            completed_on=datetime.date(2019, 12, 16) if n % 2 else None,
        )
    return audits


# --- Who may see what ---------------------------------------------------------------------------------------


ROLE_FACTORIES = {
    "auditor": AuditorFactory,
    "moderator": ModeratorFactory,
    "manager": ManagerFactory,
    "no role": UserFactory,
}


def _every_url():
    document = ReportDocumentFactory(status=ReportDocument.Status.READY, file="reports/x.pdf")
    return [
        ("get", reverse("reports:index")),
        ("get", DETAIL),
        ("get", reverse("reports:json", kwargs={"year": 2019, "month": 12})),
        ("get", reverse("reports:chart", kwargs={"year": 2019, "month": 12, "name": "returns"})),
        ("get", reverse("reports:narrative", kwargs={"year": 2019, "month": 12})),
        ("post", reverse("reports:narrative", kwargs={"year": 2019, "month": 12})),
        ("post", reverse("reports:generate", kwargs={"year": 2019, "month": 12})),
        ("get", reverse("reports:document_status", kwargs={"pk": document.pk})),
        ("get", reverse("reports:document_download", kwargs={"pk": document.pk})),
        ("post", reverse("reports:document_publish", kwargs={"pk": document.pk})),
        ("get", reverse("reports:drilldown") + "?month=2019-12"),
    ]


@pytest.mark.parametrize("role", list(ROLE_FACTORIES))
def test_every_report_page_is_forbidden_to_everyone_but_the_qa_team(client, role):
    client.force_login(ROLE_FACTORIES[role]())
    for method, url in _every_url():
        assert getattr(client, method)(url).status_code == 403, url
    assert ReportNarrative.objects.count() == 0
    assert ReportDocument.objects.count() == 1


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for method, url in _every_url():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_the_qa_team_reaches_every_report_page(quality_client):
    for method, url in _every_url():
        # A chart of no data is not found (test_chart_files.py covers a chart with data).
        if method == "get" and "download" not in url and "/charts/" not in url:
            assert quality_client.get(url).status_code == 200, url


def test_an_impossible_month_is_not_found(quality_client):
    assert quality_client.get(reverse("reports:detail", kwargs={"year": 2019, "month": 13})).status_code == 404
    assert quality_client.get(reverse("reports:json", kwargs={"year": 1200, "month": 1})).status_code == 404


def test_the_nav_and_home_panel_link_the_report_for_the_qa_team_only(client):
    client.force_login(QualityFactory())
    assert reverse("reports:index") in client.get(reverse("home")).content.decode()
    client.force_login(ManagerFactory())
    assert reverse("reports:index") not in client.get(reverse("home")).content.decode()


# --- The report page -----------------------------------------------------------------------------------------


def test_the_report_page_has_the_three_parts_every_table_and_the_charts(quality_client):
    december_history()
    html = quality_client.get(DETAIL).content.decode()

    for heading in ("How are we doing?", "How do we know this?", "What are we doing about it?", "Appendix"):
        assert heading in html
    for number in range(1, 15):
        assert f"Table {number}:" in html
    # Each chart is its own file, described by its alt text (reports/tests/test_chart_files.py).
    assert html.count('<img class="report-chart') >= 8
    assert "<svg" not in html and "<script" not in html.split("<main", 1)[1]
    assert "Children are not named in this report." in html


def test_every_count_on_the_report_page_links_to_a_list_of_exactly_that_many_audits(quality_client):
    december_history()
    html = quality_client.get(DETAIL).content.decode()
    links = re.findall(r'<a href="(/reports/audits/\?[^"]+)">(\d+)(?:</a>| <span class="share">)', html)
    assert len(links) > 60
    for href, shown in links:
        listing = quality_client.get(unescape(href))
        assert listing.status_code == 200, href
        if int(shown):
            assert f"<strong>{shown}</strong> audit" in listing.content.decode(), (href, shown)
        else:
            assert "No audits match these filters." in listing.content.decode(), href


def test_action_and_child_of_concern_figures_link_to_their_own_lists(quality_client):
    december_history()
    html = unescape(quality_client.get(DETAIL).content.decode())
    assert (
        reverse("actions:list") + "?status=overdue&audit_month_from=2019-10&audit_month_to=2019-12&as_of=2019-12-31"
    ) in html
    assert reverse("actions:coc_list") + "?state=&audit_month=2019-12&open_on=2019-12-31" in html
    assert reverse("moderation:panel") + "?month=2019-12" in html
    assert reverse("moderation:effect") + "?month=2019-12" in html


def test_child_of_concern_figures_link_to_lists_counted_as_of_the_report_date(quality_client):
    # Resolved after the report's as-of date: on that date it was still open, so it is listed as open, not resolved.
    load_rows(
        [
            tracker_row("2019-12", auditor_grade="INADEQUATE", coc_resolved_on="2019-12-20"),
            tracker_row("2019-12", auditor_grade="INADEQUATE", coc_resolved_on="2020-01-20"),
            tracker_row("2019-12", auditor_grade="INADEQUATE"),
        ]
    )
    figures = report_figures(DECEMBER)["children_of_concern"]
    assert figures == {"raised": 3, "resolved": 1, "open": 2}
    html = unescape(quality_client.get(DETAIL).content.decode())
    for key in ("raised", "resolved", "open"):
        href = re.search(r'<a href="(' + re.escape(reverse("actions:coc_list")) + r'[^"]*)">' + str(figures[key]), html)
        assert href, key
        assert len(quality_client.get(href.group(1)).context["concerns"]) == figures[key], key


def test_an_empty_first_month_shows_dashes_never_zero_percent(quality_client):
    html = quality_client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 10})).content.decode()
    assert "0.0%" not in html
    assert 'title="No data"' in html
    assert "no chart, as there is no data for it yet" in html
    assert html.count("Not written yet.") == 4


def test_the_as_of_date_changes_the_figures_and_a_bad_one_is_explained(quality_client):
    december_history()
    response = quality_client.get(DETAIL + "?as_of=2020-01-15")
    assert "Figures as of <strong>15 Jan 2020</strong>" in response.content.decode()
    bad = quality_client.get(DETAIL + "?as_of=2019-11-30").content.decode()
    assert "There is a problem" in bad and 'href="#id_as_of"' in bad
    assert "Figures as of <strong>31 Dec 2019</strong>" in bad


def test_the_report_page_query_count_does_not_grow_with_the_data(quality_client, django_assert_max_num_queries):
    load_rows([tracker_row("2019-12")])
    # 44: four for the targets (one) and the representation (three); seven for the learning themes by team
    # and service area (1), by strand (2), the month before's themes for the summary draft (2) and the good
    # practice recorded (2); see reports/presenters.py.
    quality_client.get(reverse("home"))  # the session's idle expiry refreshed, as on any page in a minute
    with django_assert_max_num_queries(44) as small:
        quality_client.get(DETAIL)
    december_history()
    ReportDocumentFactory.create_batch(3, month=DECEMBER, as_of=datetime.date(2019, 12, 31))
    with django_assert_max_num_queries(44) as large:
        quality_client.get(DETAIL)
    assert len(large.captured_queries) == len(small.captured_queries)


# --- JSON --------------------------------------------------------------------------------------------------


def test_the_json_is_the_contract_for_the_month_and_as_of_date(quality_client):
    december_history()
    url = reverse("reports:json", kwargs={"year": 2019, "month": 12})
    response = quality_client.get(url + "?as_of=2020-01-10")
    assert response["Content-Type"] == "application/json"
    data = json.loads(response.content)
    assert data == json.loads(json.dumps(report_figures(DECEMBER, datetime.date(2020, 1, 10))))
    assert data["as_of"] == "2020-01-10"
    assert data["ratings_by_month"][-1]["counts"]["good"] == 11


@pytest.mark.parametrize("as_of", ["2019-11-30", "yesterday", "2019-02-30"])
def test_a_bad_as_of_date_in_the_json_address_is_a_400_with_a_message(quality_client, as_of):
    response = quality_client.get(reverse("reports:json", kwargs={"year": 2019, "month": 12}) + f"?as_of={as_of}")
    assert response.status_code == 400
    assert "as_of" in json.loads(response.content)["errors"]


# --- Narrative ----------------------------------------------------------------------------------------------


def _narrative_post(**overrides):
    data = {
        "executive_summary": "Good practice is rising.",
        "methodology": "Forty-four audits.",
        "improvement_responses": "Coaching.",
        "conclusions": "Keep going.",
    }
    data.update(overrides)
    return data


def test_writing_the_narrative_saves_a_draft_shown_on_the_report(quality_client):
    url = reverse("reports:narrative", kwargs={"year": 2019, "month": 12})
    response = quality_client.post(url, _narrative_post())
    assert response.status_code == 302 and response["Location"] == DETAIL + "#summary"
    narrative = ReportNarrative.objects.get(month=DECEMBER)
    assert narrative.executive_summary == "Good practice is rising."
    html = quality_client.get(DETAIL).content.decode()
    assert "Good practice is rising." in html and "Keep going." in html
    form = quality_client.get(url).content.decode()
    assert ' for="id_executive_summary"' in form and "Good practice is rising." in form


def test_the_narrative_autosaves_through_htmx_and_escapes_what_is_typed(quality_client):
    url = reverse("reports:narrative", kwargs={"year": 2019, "month": 12})
    response = quality_client.post(
        url, _narrative_post(conclusions="<script>alert(1)</script>"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert "Draft saved" in response.content.decode()
    html = quality_client.get(DETAIL).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert(1)" not in html


# --- PDFs ---------------------------------------------------------------------------------------------------


@pytest.fixture
def fake_pdf():
    body = RenderedBody(html="<p>The report body</p>", charts={})
    with (
        mock.patch("reports.pdf.render_report_body", return_value=body),
        mock.patch("reports.pdf.report_pdf_from_body", return_value=FAKE_PDF) as patched,
    ):
        yield patched


def _request_key(page: str) -> str:
    return re.search(r'name="request_key" value="([0-9a-f-]+)"', page).group(1)


def test_generate_pdf_twice_from_the_same_page_makes_one_document_ready_to_download(
    quality_client, fake_pdf, django_capture_on_commit_callbacks
):
    page = quality_client.get(DETAIL).content.decode()
    key = _request_key(page)
    url = reverse("reports:generate", kwargs={"year": 2019, "month": 12})
    with django_capture_on_commit_callbacks(execute=True):
        first = quality_client.post(url, {"as_of": "2019-12-31", "request_key": key})
    # The double click arrives after the first job finished: the same document, and a message saying it is ready.
    second = quality_client.post(url, {"as_of": "2019-12-31", "request_key": key}, follow=True)

    assert first["Location"] == second.redirect_chain[0][0] == DETAIL + "#documents"
    document = ReportDocument.objects.get()
    assert document.status == ReportDocument.Status.READY
    assert fake_pdf.call_count == 1
    # The message says what happened (ready), not that it "will appear below".
    assert "PDF revision 1 is ready: download it below." in second.content.decode()
    page = quality_client.get(DETAIL).content.decode()
    download = reverse("reports:document_download", kwargs={"pk": document.pk})
    assert download in page
    assert _request_key(page) != key  # A fresh key for the next click.
    response = quality_client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == FAKE_PDF
    assert 'attachment; filename="qa-report-2019-12-as-of-2019-12-31-r1-draft.pdf"' == response["Content-Disposition"]


def test_a_tampered_generate_form_makes_nothing(quality_client):
    url = reverse("reports:generate", kwargs={"year": 2019, "month": 12})
    key = str(uuid.uuid4())
    for data in (
        {"as_of": "2019-11-01", "request_key": key},
        {"as_of": "soon", "request_key": key},
        {"as_of": "2019-12-31"},
        {"as_of": "2019-12-31", "request_key": "2147483648"},
    ):
        response = quality_client.post(url, data, follow=True)
        assert "could not be requested" in response.content.decode()
    assert ReportDocument.objects.count() == 0


def test_a_pdf_in_progress_is_polled_and_cannot_be_downloaded_yet(quality_client):
    document = ReportDocumentFactory(month=DECEMBER, as_of=datetime.date(2019, 12, 31), status="running", progress=45)
    status_url = reverse("reports:document_status", kwargs={"pk": document.pk})
    partial = quality_client.get(status_url).content.decode()
    assert f'hx-get="{status_url}"' in partial and 'hx-trigger="every 2s"' in partial
    assert 'aria-valuenow="45"' in partial
    # Refresh (for keyboard and no-script users) reloads the report page, not this bare status fragment.
    assert f'href="{DETAIL}#documents"' in partial
    assert quality_client.get(reverse("reports:document_download", kwargs={"pk": document.pk})).status_code == 404
    ReportDocument.objects.filter(pk=document.pk).update(status="ready", progress=100, file="reports/r.pdf")
    partial = quality_client.get(status_url, HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in partial.content.decode() and "Download draft PDF" in partial.content.decode()
    assert partial["HX-Refresh"] == "true"  # The page reloads once to offer Publish.


def test_publishing_a_version_lists_it_on_the_reports_page(
    quality_client, fake_pdf, django_capture_on_commit_callbacks
):
    document = ReportDocumentFactory(
        month=DECEMBER, as_of=datetime.date(2019, 12, 31), status="ready", file="reports/r.pdf", revision=2
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = quality_client.post(reverse("reports:document_publish", kwargs={"pk": document.pk}), follow=True)
    assert "Revision 2 published." in response.content.decode()
    document.refresh_from_db()
    assert document.published_at is not None and not document.is_draft
    index = quality_client.get(reverse("reports:index")).content.decode()
    assert "December 2019, revision 2 (PDF)" in index
    again = quality_client.post(reverse("reports:document_publish", kwargs={"pk": document.pk}), follow=True)
    assert "has not been published yet can be published" in again.content.decode()


def _published_period(first: datetime.date, last: datetime.date, **fields) -> ReportDocument:
    return ReportDocumentFactory(
        month=first,
        month_to=last,
        as_of=month_end(last),
        status="ready",
        file="reports/period.pdf",
        is_draft=False,
        published_at=timezone.now(),
        published_by=QualityFactory(),
        **fields,
    )


def _published_periods(html: str) -> str:
    """The index's list of published reports over a period, in its section "A report over a period"."""
    period_section = html.split('id="period-heading"', 1)[1].split('id="targets-heading"', 1)[0]
    return period_section.split('id="period-published-heading"', 1)[1].split("</section>", 1)[0]


def test_the_reports_page_lists_the_published_period_reports_as_the_period_page_does(quality_client):
    index = _published_periods(quality_client.get(reverse("reports:index")).content.decode())
    assert "No period report has been published yet." in index
    quarter = _published_period(
        datetime.date(2026, 7, 1), datetime.date(2026, 9, 1), programme="repeat-cp", service_area="Early Help"
    )
    _published_period(datetime.date(2026, 4, 1), datetime.date(2026, 6, 1), programme="all", revision=3)
    # A draft over a period, and a published month, are not published reports over a period.
    ReportDocumentFactory(month=datetime.date(2026, 1, 1), month_to=datetime.date(2026, 3, 1), status="ready")
    ReportDocumentFactory(status="ready", published_at=timezone.now())  # October 2026's monthly report

    index = _published_periods(quality_client.get(reverse("reports:index")).content.decode())
    download = reverse("reports:document_download", kwargs={"pk": quarter.pk})
    words = f"Jul 2026 to Sep 2026, repeat-cp, Early Help, revision {quarter.revision} (PDF)"
    assert f'<a href="{download}">{words}</a>' in index
    assert "Apr 2026 to Jun 2026, revision 3 (PDF)" in index  # every programme: no scope words
    assert "Jan 2026" not in index and "Oct 2026" not in index
    assert index.index("Jul 2026 to Sep 2026") < index.index("Apr 2026 to Jun 2026")  # the latest period first
    # The same list, word for word, as the period page's.
    period_page = quality_client.get(reverse("reports:period")).content.decode()
    listing = period_page.split('id="published-heading"', 1)[1].split("</ul>", 1)[0].split("<ul", 1)[1]
    assert listing in index


def test_the_reports_page_query_count_does_not_grow_with_the_published_period_reports(
    quality_client, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _published_period(datetime.date(2026, 1, 1), datetime.date(2026, 1, 1))
    with CaptureQueriesContext(connection) as one:
        quality_client.get(reverse("reports:index"))
    # Five more, each published by someone else.
    for month in range(2, 7):
        _published_period(datetime.date(2026, month, 1), datetime.date(2026, month, 1), programme="repeat-cp")
    with django_assert_max_num_queries(len(one)):
        index = _published_periods(quality_client.get(reverse("reports:index")).content.decode())
    assert index.count("(PDF)</a>") == 6


def test_the_reports_page_offers_a_month_a_period_and_the_targets_under_headings_in_order(quality_client):
    with time_machine.travel(datetime.datetime(2026, 11, 27, 12, 0, tzinfo=datetime.UTC), tick=False):
        html = quality_client.get(reverse("reports:index")).content.decode()
    headings = re.findall(r"<h([1-6])[^>]*>([^<]+)</h\1>", html.split("<main", 1)[1])
    assert headings == [
        ("1", "QA reports"),
        ("2", "A month's report"),
        ("3", "Open a month's report"),
        ("3", "Recent months"),
        ("3", "Published reports"),
        ("2", "A report over a period"),
        ("3", "Choose the months"),
        ("3", "Quick picks"),
        ("3", "Published reports over a period"),
        ("2", "Targets"),
    ]
    period = reverse("reports:period")
    assert f'action="{period}"' in html and 'name="from_month"' in html and 'name="to_month"' in html
    # Each quick pick links to the period report over its months (in November 2026, last quarter is July to September).
    assert f'href="{period}?from_month=2026-07&amp;to_month=2026-09">Last quarter (Q2 2026/27)</a>' in html
    assert f'href="{period}?from_month=2026-04&amp;to_month=2026-11">Financial year to date (2026/27)</a>' in html
    assert f'href="{reverse("reports:targets")}">See or change the targets</a>' in html


def test_the_index_opens_a_chosen_month_or_explains_a_bad_one(quality_client):
    response = quality_client.get(reverse("reports:index") + "?month=2019-12&as_of=2020-01-05")
    assert response["Location"] == DETAIL + "?as_of=2020-01-05"
    response = quality_client.get(reverse("reports:index") + "?month=2019-12&as_of=")
    assert response["Location"] == DETAIL
    bad = quality_client.get(reverse("reports:index") + "?month=December").content.decode()
    assert "There is a problem" in bad and 'href="#id_month"' in bad and "YYYY-MM" in bad


# --- Drill-down ---------------------------------------------------------------------------------------------


def _listed(client, query):
    response = client.get(reverse("reports:drilldown") + "?" + query)
    assert response.status_code == 200
    return response.context["total"]


def test_the_drilldown_filters_match_the_figures(quality_client):
    december_history()
    assert _listed(quality_client, "month=2019-12") == 44 + 8
    assert _listed(quality_client, "month=2019-12&outcome=returned") == 44 + 5
    assert _listed(quality_client, "month=2019-12&outcome=scheduled") == 44 + 7
    assert _listed(quality_client, "month=2019-12&outcome=returned&late=1") == 1
    assert _listed(quality_client, "month=2019-12&moderated=1") == 3
    assert _listed(quality_client, "month=2019-12&moderated=1&moderation=downgraded") == 1
    assert _listed(quality_client, "month=2019-12&moderated=1&moderation=upgraded") == 1
    assert _listed(quality_client, "month=2019-12&moderated=1&moderation=agreed") == 1
    assert _listed(quality_client, "month=2019-12&took_part=social_worker") == 1
    assert _listed(quality_client, "month=2019-12&child_feedback=any") == 1
    assert _listed(quality_client, "month=2019-12&awaiting_finalisation=2019-12-31") == 2
    assert _listed(quality_client, "month_from=2019-10&month_to=2019-12&grade=good&grade=outstanding") == 31
    assert _listed(quality_client, "month_from=2019-10&month_to=2019-12&legal_status=CWD&outcome=returned") == 5
    assert _listed(quality_client, "month=2019-12&team=Late+Team") == 1
    assert _listed(quality_client, "month=2019-12&practice_area=Assessment&area_grade=good") == 2
    assert _listed(quality_client, "month=2019-12&area_grade=good") == 2  # One audit graded two areas Good.
    assert _listed(quality_client, "month=2019-12&practice_area=Planning") == 2
    assert _listed(quality_client, "month=2019-12&outcome=returned&inadequate_or_at_risk=1") == 13 + 1
    late = quality_client.get(reverse("reports:drilldown") + "?month=2019-12&team=Late+Team")
    audit = late.context["audits"][0]
    assert f'<a href="{reverse("audits:audit_detail", kwargs={"pk": audit.pk})}">{audit.child.case_ref}</a>' in (
        late.content.decode()
    )


def _table_body(response) -> str:
    html = response.content.decode()
    return html[html.index("<tbody>") : html.index("</tbody>")]


def test_the_drilldown_keeps_its_count_and_rows_until_the_data_changes(quality_client):
    """The count and the page's rows are kept (reports/views.py DrilldownView); a regraded audit shows at once."""
    december_history()
    url = reverse("reports:drilldown") + "?month=2019-12&team=Late+Team"
    first = quality_client.get(url)
    audit = first.context["audits"][0]
    assert first.context["total"] == 1 and "grade-good" not in first.content.decode()
    assert _table_body(quality_client.get(url)) == _table_body(first)
    audit.final_grade = "good"
    audit.save()
    regraded = quality_client.get(url).content.decode()
    assert '<span class="grade grade-good">Good</span>' in regraded
    audit.delete()
    assert quality_client.get(url).context["total"] == 0


def test_a_bad_drilldown_filter_is_explained_not_an_error(quality_client):
    response = quality_client.get(reverse("reports:drilldown") + "?month=2019-13&outcome=everything")
    assert response.status_code == 400
    html = response.content.decode()
    assert "There is a problem" in html and 'href="#id_month"' in html and 'href="#id_outcome"' in html


def test_the_drilldown_lists_in_a_fixed_number_of_queries(quality_client, django_assert_max_num_queries):
    load_rows([tracker_row("2019-12")])
    quality_client.get(reverse("home"))  # the session's idle expiry refreshed, as on any page in a minute
    with django_assert_max_num_queries(12) as small:
        quality_client.get(reverse("reports:drilldown") + "?month=2019-12")
    december_history()
    with django_assert_max_num_queries(12) as large:
        quality_client.get(reverse("reports:drilldown") + "?month=2019-12")
    assert len(large.captured_queries) == len(small.captured_queries)


def test_quarter_figures_link_to_their_quarters_months_the_last_ending_at_the_report_month():
    from reports.tables import build_tables

    tables = build_tables(report_figures(datetime.date(2019, 11, 1)), [], first_data_month=datetime.date(2018, 4, 1))
    totals = [row for row in tables["ratings_by_quarter"].rows if row.total][0]
    ranges = [re.search(r"month_from=([\d-]+)&month_to=([\d-]+)", unescape(cell.url)).groups() for cell in totals.cells]
    assert ranges == [
        ("2018-10", "2018-12"),
        ("2019-01", "2019-03"),
        ("2019-04", "2019-06"),
        ("2019-07", "2019-09"),
        ("2019-10", "2019-11"),
    ]
