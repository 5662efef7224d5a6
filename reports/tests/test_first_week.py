"""What a council hits in its first week with the report: a broker outage, tampered and out-of-range input,
a runaway paste, and a report that must read right (issue 10)."""

import datetime
import json
import re
import socket
import time
import uuid
from html import unescape
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from allocation.models import Exemption
from audits.models import Audit
from common.text_limits import NARRATIVE_MAX
from reports import services
from reports.charts import GRADE_COLOURS
from reports.models import ReportDocument, ReportNarrative
from reports.pdf import RenderedBody
from reports.selectors import report_figures
from reports.tests.factories import QualityFactory, ReportDocumentFactory, ReportNarrativeFactory
from reports.tests.tracker import load_rows, tracker_row

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2019, 12, 1)
DETAIL = reverse("reports:detail", kwargs={"year": 2019, "month": 12})
GENERATE = reverse("reports:generate", kwargs={"year": 2019, "month": 12})
NARRATIVE = reverse("reports:narrative", kwargs={"year": 2019, "month": 12})
FAKE_PDF = b"%PDF-1.7 fake"


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory())
    return client


@pytest.fixture
def fake_pdf():
    body = RenderedBody(html="<p>The report body</p>", charts={})
    with (
        mock.patch("reports.pdf.render_report_body", return_value=body),
        mock.patch("reports.pdf.report_pdf_from_body", return_value=FAKE_PDF) as patched,
    ):
        yield patched


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def broker_down(monkeypatch):
    """The app sends tasks to a Redis port nothing listens on, as in an outage; put back afterwards."""
    from qa_portal.celery import app

    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset_pools():
        app._pool = None
        app.amqp._producer_pool = None

    dead = f"redis://127.0.0.1:{_free_port()}/2"
    # Celery reads CELERY_BROKER_URL from the environment before its own settings (CI sets it).
    monkeypatch.setenv("CELERY_BROKER_URL", dead)
    app.conf.broker_url = dead
    app.conf.task_always_eager = False
    reset_pools()
    yield
    app.conf.broker_url, app.conf.task_always_eager = saved
    reset_pools()


# --- 1. Broker outage and lost documents ---------------------------------------------------------------------


# Transactional, as in production: the job is sent when the request's transaction commits, inside the request.
@pytest.mark.django_db(transaction=True)
def test_generate_pdf_while_the_broker_is_down_answers_fast_and_the_requeue_job_makes_it_later(
    quality_client, broker_down, fake_pdf
):
    load_rows([tracker_row("2019-12")])
    started = time.monotonic()
    response = quality_client.post(GENERATE, {"as_of": "2019-12-31", "request_key": str(uuid.uuid4())}, follow=True)
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert elapsed < 5, f"the page took {elapsed:.1f} s with the broker down"
    html = response.content.decode()
    assert "cannot be reached just now" in html and "you do not need to click again" in html
    document = ReportDocument.objects.get()
    assert document.status == ReportDocument.Status.WAITING
    assert "Waiting" in html and 'hx-trigger="every 15s"' in html

    # A second click during the outage finds the same waiting document.
    again = quality_client.post(GENERATE, {"as_of": "2019-12-31", "request_key": str(uuid.uuid4())}, follow=True)
    assert "cannot be reached just now" in again.content.decode()
    assert ReportDocument.objects.count() == 1

    # The broker is back: the stale-document job (beat) sends it again and exactly one PDF is made.
    from qa_portal.celery import app
    from reports.tasks import requeue_stale_report_documents

    app.conf.task_always_eager = True
    requeue_stale_report_documents.delay()
    document.refresh_from_db()
    assert document.status == ReportDocument.Status.READY
    assert fake_pdf.call_count == 1


def test_the_stale_document_job_sends_lost_documents_again_and_leaves_live_ones_alone(
    fake_pdf, django_capture_on_commit_callbacks
):
    long_ago = datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.UTC)
    lost_queued = ReportDocumentFactory(status=ReportDocument.Status.QUEUED, heartbeat_at=long_ago)
    killed = ReportDocumentFactory(status=ReportDocument.Status.RUNNING, heartbeat_at=long_ago, attempts=1)
    live = ReportDocumentFactory(status=ReportDocument.Status.RUNNING, attempts=1)
    doomed = ReportDocumentFactory(
        status=ReportDocument.Status.RUNNING, heartbeat_at=long_ago, attempts=services.MAX_BUILD_ATTEMPTS
    )

    with django_capture_on_commit_callbacks(execute=True):
        assert services.report_documents_requeue_stale() == 2

    for document in (lost_queued, killed, live, doomed):
        document.refresh_from_db()
    assert lost_queued.status == killed.status == ReportDocument.Status.READY
    assert killed.attempts == 2
    assert live.status == ReportDocument.Status.RUNNING  # Its worker is still on it.
    assert doomed.status == ReportDocument.Status.FAILED and "stopped" in doomed.error
    assert fake_pdf.call_count == 2


def test_a_second_worker_handed_a_document_being_made_does_nothing(fake_pdf):
    running = ReportDocumentFactory(status=ReportDocument.Status.RUNNING, attempts=1)
    services.report_document_build(document_id=running.pk)
    running.refresh_from_db()
    assert running.status == ReportDocument.Status.RUNNING and running.attempts == 1
    assert fake_pdf.call_count == 0


def test_clicking_generate_again_rescues_a_lost_document(fake_pdf, django_capture_on_commit_callbacks):
    lost = ReportDocumentFactory(
        month=DECEMBER,
        as_of=datetime.date(2019, 12, 31),
        status=ReportDocument.Status.RUNNING,
        heartbeat_at=datetime.datetime(2026, 11, 1, tzinfo=datetime.UTC),
    )
    with django_capture_on_commit_callbacks(execute=True):
        document, created = services.report_document_request(
            month=DECEMBER, as_of=datetime.date(2019, 12, 31), by=QualityFactory(), request_key=uuid.uuid4()
        )
    assert not created and document.pk == lost.pk
    lost.refresh_from_db()
    assert lost.status == ReportDocument.Status.READY


def test_beat_runs_the_stale_document_job_every_minute_and_the_broker_limits_are_bounded(settings):
    from reports.tasks import generate_report_document, requeue_stale_report_documents

    entry = settings.CELERY_BEAT_SCHEDULE["reports-requeue-stale"]
    assert entry["task"] == requeue_stale_report_documents.name
    assert entry["schedule"].remaining_estimate(entry["schedule"].now()).total_seconds() <= 60
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= 15 * 60
    assert settings.CELERY_BROKER_CONNECTION_TIMEOUT <= 2
    assert settings.CELERY_TASK_PUBLISH_RETRY_POLICY["max_retries"] <= 2
    assert generate_report_document.acks_late and generate_report_document.reject_on_worker_lost


# --- 2. The revision is the server's --------------------------------------------------------------------------


def test_a_revision_in_the_form_is_ignored_so_a_huge_one_cannot_break_the_button(
    quality_client, fake_pdf, django_capture_on_commit_callbacks
):
    page = quality_client.get(DETAIL).content.decode()
    assert 'name="revision"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        quality_client.post(
            GENERATE, {"as_of": "2019-12-31", "request_key": str(uuid.uuid4()), "revision": "2147483648"}
        )
    with django_capture_on_commit_callbacks(execute=True):
        quality_client.post(GENERATE, {"as_of": "2019-12-31", "request_key": str(uuid.uuid4())})
    assert sorted(ReportDocument.objects.values_list("revision", flat=True)) == [1, 2]


# --- 3. Months and dates out of range -------------------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["9999-12-31", "2200-01-01"])
def test_an_as_of_date_that_has_not_come_is_explained_on_the_page_and_refused_in_the_json(quality_client, as_of):
    page = quality_client.get(DETAIL + f"?as_of={as_of}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "There is a problem" in html and "has not come yet" in html
    assert "Figures as of <strong>31 Dec 2019</strong>" in html
    response = quality_client.get(reverse("reports:json", kwargs={"year": 2019, "month": 12}) + f"?as_of={as_of}")
    assert response.status_code == 400
    assert "has not come yet" in json.loads(response.content)["errors"]["as_of"][0]


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "1999-12"])
def test_a_report_month_out_of_range_is_explained_at_the_field(quality_client, month):
    html = quality_client.get(reverse("reports:index") + f"?month={month}").content.decode()
    assert "There is a problem" in html and 'href="#id_month"' in html
    assert "Reports can be made for January 2000 to" in html


@pytest.mark.parametrize("year, month", [(1, 1), (9999, 12), (1999, 12)])
def test_a_report_address_out_of_range_says_which_months_there_are_and_stores_nothing(quality_client, year, month):
    kwargs = {"year": year, "month": month}
    page = quality_client.get(reverse("reports:detail", kwargs=kwargs))
    assert page.status_code == 404
    assert "Reports can be made for January 2000 to" in page.content.decode()
    json_response = quality_client.get(reverse("reports:json", kwargs=kwargs))
    assert json_response.status_code == 404 and "month" in json.loads(json_response.content)["errors"]
    assert (
        quality_client.post(reverse("reports:narrative", kwargs=kwargs), {"executive_summary": "x"}).status_code == 404
    )
    assert ReportNarrative.objects.count() == 0


def test_generate_pdf_with_an_as_of_date_out_of_range_stores_nothing(quality_client):
    response = quality_client.post(GENERATE, {"as_of": "9999-12-31", "request_key": str(uuid.uuid4())}, follow=True)
    assert "The PDF could not be requested" in response.content.decode()
    assert "has not come yet" in response.content.decode()
    assert ReportDocument.objects.count() == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (["--month", "0001-01"], "Reports can be made for January 2000 to"),
        (["--month", "9999-12"], "Reports can be made for January 2000 to"),
        (["--month", "2019-12", "--as-of", "9999-12-31"], "has not come yet"),
    ],
)
def test_the_command_refuses_months_and_dates_out_of_range(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("qa_report", *args)


# --- 4. Narrative length -------------------------------------------------------------------------------------


def _narrative(**overrides):
    data = {"executive_summary": "", "methodology": "", "improvement_responses": "", "conclusions": ""}
    data.update(overrides)
    return data


def test_a_narrative_section_over_the_limit_is_refused_with_a_message_and_nothing_is_saved(quality_client):
    too_long = "x" * (NARRATIVE_MAX + 1)
    response = quality_client.post(NARRATIVE, _narrative(methodology=too_long))
    html = response.content.decode()
    assert response.status_code == 400
    assert 'href="#id_methodology"' in html
    assert f"Keep this to {NARRATIVE_MAX:,} characters or fewer: it has {NARRATIVE_MAX + 1:,}." in html
    # No maxlength attribute: a browser would silently cut the paste short instead of saying so.
    assert not re.search(r"<textarea[^>]*maxlength", html)
    autosave = quality_client.post(NARRATIVE, _narrative(methodology=too_long), HTTP_HX_REQUEST="true")
    assert f"Not saved: Methodology: Keep this to {NARRATIVE_MAX:,} characters or fewer" in autosave.content.decode()
    assert ReportNarrative.objects.count() == 0
    at_limit = quality_client.post(NARRATIVE, _narrative(methodology="x" * NARRATIVE_MAX))
    assert at_limit.status_code == 302


# --- 7. Reading right -----------------------------------------------------------------------------------------


def test_the_narrative_is_rendered_as_safe_markdown(quality_client):
    ReportNarrativeFactory(
        month=DECEMBER,
        executive_summary=(
            "Key findings:\n- **Voice of the child** is heard\n- Chronologies remain weak\n\n"
            "See the [guide](https://example.org/guide) and [this](javascript:alert(1)).\n"
            '<script>alert(1)</script><img src="x" onerror="alert(2)">'
        ),
    )
    html = quality_client.get(DETAIL).content.decode()
    summary = html.split('id="summary-heading"', 1)[1].split("</section>", 1)[0]
    assert "<ul>\n<li><strong>Voice of the child</strong> is heard</li>\n<li>Chronologies remain weak</li>\n</ul>" in (
        summary
    )
    assert "- " not in summary
    assert '<a href="https://example.org/guide" rel="noopener noreferrer">guide</a>' in summary
    assert "javascript:" not in summary
    assert "<script>" not in summary and "<img" not in summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary


def test_months_and_quarters_before_the_first_data_say_no_data_yet_and_the_json_is_unchanged(quality_client):
    load_rows([tracker_row("2019-11", auditor_grade="GOOD"), tracker_row("2019-12", auditor_grade="RI")])
    html = quality_client.get(DETAIL).content.decode()

    ratings = html.split('id="table-ratings_by_month"', 1)[1].split("</table>", 1)[0]
    assert ratings.count("No data yet") == 5  # October 2019: four grades and the total.
    quarters = html.split('id="table-ratings_by_quarter"', 1)[1].split("</table>", 1)[0]
    assert quarters.count("No data yet") == 4 * 5  # Four quarters before Q3 2019/20, five rows each.
    returns = html.split('id="table-returns"', 1)[1].split("</table>", 1)[0]
    assert returns.count("No data yet") == 10  # Jan to Oct 2019.
    assert re.search(r"<th scope=\"row\"[^>]*>Nov 2019</th>\s*<td><a", returns)
    effect = html.split('id="table-moderator_effect"', 1)[1].split("</table>", 1)[0]
    assert effect.count("No data yet") == 3

    # The JSON contract still has every month, with its zeros.
    data = json.loads(quality_client.get(reverse("reports:json", kwargs={"year": 2019, "month": 12})).content)
    assert data == json.loads(json.dumps(report_figures(DECEMBER)))
    assert data["returns"][0] == {
        "month": "2019-01",
        "planned": 0,
        "exempted": 0,
        "scheduled": 0,
        "returned": 0,
        "returned_percent": None,
        "late": 0,
        "late_percent": None,
        "nil_returns": 0,
        "not_ready": 0,
    }


def test_the_contents_are_numbered_once(quality_client):
    html = quality_client.get(DETAIL).content.decode()
    contents = html.split('id="contents-heading"', 1)[1].split("</nav>", 1)[0]
    assert "<ol" not in contents  # An ordered list would number "3. What are we doing about it?" again.
    assert "3. What are we doing about it?" in contents


def test_the_appendix_gives_an_exemptions_reason_once_with_its_detail(quality_client):
    (audit,) = load_rows([tracker_row("2019-12", "exempted", auditor="absent.one")])
    exemption = Exemption.objects.create(
        user=audit.auditor,
        kind=Exemption.Kind.SINGLE_MONTH,
        month=DECEMBER,
        reason=Exemption.Reason.OTHER,
        detail="Court week.",
        approved_by="Claire Whitfield",
    )
    Audit.objects.filter(pk=audit.pk).update(
        exemption=exemption, exemption_reason="Other (approved by Claire Whitfield)"
    )
    html = quality_client.get(DETAIL).content.decode()
    appendix = html.split('id="appendix-exemptions"', 1)[1].split("</table>", 1)[0]
    assert "Other: Court week. (approved by Claire Whitfield)" in appendix
    assert "Other: Other" not in appendix


def chart_before(client, html: str, table_id: str) -> str:
    """The SVG of the chart drawn just above the table `table_id` on the report page (its own file)."""
    figure = html.split(f'id="{table_id}"', 1)[0].rsplit('class="report-chart', 1)[1]
    src = unescape(re.search(r'src="([^"]+)"', figure).group(1))
    response = client.get(src)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    return response.content.decode()


def test_the_grade_colours_differ_and_bars_carry_patterns_and_values(quality_client):
    load_rows([tracker_row("2019-12", auditor_grade=g) for g in ["OUTSTANDING", "GOOD", "GOOD", "RI", "INADEQUATE"]])
    html = quality_client.get(DETAIL).content.decode()
    chart = chart_before(quality_client, html, "table-ratings_by_month")
    # Three grades are drawn with a pattern as well as a colour; each pattern's id is unique in the chart (and
    # across charts, which the PDF may still draw on one page).
    assert chart.count("<pattern") == 3
    assert len(set(re.findall(r'<pattern id="([^"]+)"', chart))) == len(re.findall(r'<pattern id="', chart))
    assert ">20%<" in chart and ">40%<" in chart  # Values on the bars (Outstanding 20 %, Good 40 %).
    # No two grade colours are both greens (the old Outstanding and Good).
    greens = [c for c in GRADE_COLOURS if int(c[3:5], 16) > int(c[1:3], 16) and int(c[3:5], 16) > int(c[5:7], 16)]
    assert len(greens) <= 1


def test_the_practice_area_chart_labels_every_fifth_and_keeps_area_names_whole(quality_client):
    load_rows([tracker_row("2019-12", **{"area:management-oversight": "GOOD", "area:voice-of-the-child": "RI"})])
    html = quality_client.get(DETAIL).content.decode()
    chart = chart_before(quality_client, html, "table-ratings_by_practice_area")
    # Horizontal bars: the shares run along pygal's x axis, the area names down its y axis.
    axis = chart.split('class="axis x', 1)[1].split('class="series', 1)[0]
    assert [label for label in re.findall(r">(\d+)%</text>", axis) if label != "0"] == ["20", "40", "60", "80", "100"]
    assert "Management oversight and supervision" in unescape(chart)


def test_short_column_headings_and_row_labels_do_not_wrap(quality_client):
    html = quality_client.get(DETAIL).content.decode()
    assert '<th scope="col" class="text-nowrap">Requires Improvement</th>' in html
    assert re.search(r'<th scope="row" class="text-nowrap">Dec 2019</th>', html)
