"""The period report (contracts.md section 3): known answers on hand-built history, scope, validation,
query counts flat in rows, the command, the web page with its drill-down links, and the PDF job."""

import datetime
import json
import re
import subprocess
import sys
import uuid
from html import unescape

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from audits.models import NOT_GRADED, Audit
from audits.selectors import report_scope_from
from audits.tests.factories import AuditFactory, ProgrammeFactory
from reports.models import ReportDocument
from reports.period import check_period, period_figures, quick_picks
from reports.tests.factories import (
    AuditorFactory,
    ManagerFactory,
    ModeratorFactory,
    QualityFactory,
    ReportDocumentFactory,
    UserFactory,
)
from reports.tests.test_commands import ROOT
from reports.tests.tracker import load_rows, tracker_row

pytestmark = pytest.mark.django_db

FEB, APR = datetime.date(2026, 2, 1), datetime.date(2026, 4, 1)
TOP_LEVEL_KEYS = {
    "from",
    "to",
    "as_of",
    "programme",
    "service_area",
    "ratings",
    "ratings_by_month",
    "ratings_by_quarter",
    "ratings_by_programme",
    "ratings_by_team",
    "ratings_by_service_area",
    "ratings_by_legal_status",
    "moderation",
    "returns",
    "themes",
    "reaudits",
}
EMPTY = {"outstanding": 0, "good": 0, "requires_improvement": 0, "inadequate": 0, "not_graded": 0}


def scope(programme, service_area=None):
    return report_scope_from(programme=programme, service_area=service_area, default="all")


def counts(**given):
    return {**EMPTY, **given}


def history():
    """February to April 2026 (two financial quarters: Q4 2025/26 and Q1 2026/27), with a month either side.

    Team A: returns every month; Team B: only an exemption, a nil return and a send-back (no returned audit);
    Team C (Early Help, CP): April, one Good and one not graded. One late return, two moderations.
    """
    early_help = {"team": "Team C", "service_area": "Early Help", "legal_status": "CP"}
    rows = [
        tracker_row("2026-01", auditor_grade="GOOD"),
        tracker_row("2026-02", auditor_grade="GOOD"),
        tracker_row("2026-02", auditor_grade="GOOD"),
        tracker_row("2026-02", auditor_grade="RI", legal_status="CP"),
        tracker_row("2026-02", "exempted", team="Team B", exemption_reason="Closed"),
        tracker_row("2026-02", "nil_return", team="Team B"),
        tracker_row("2026-03", auditor_grade="INADEQUATE"),
        tracker_row("2026-03", auditor_grade="OUTSTANDING", due_on="2026-03-10", submitted_on="2026-03-12"),
        tracker_row("2026-03", "not_ready", team="Team B"),
        tracker_row("2026-04", auditor_grade="RI", moderator="mod", moderator_grade="GOOD"),
        tracker_row("2026-04", auditor_grade="GOOD", moderator="mod", moderator_grade="GOOD"),
        tracker_row("2026-04", auditor_grade="GOOD", **early_help),
        tracker_row("2026-04", auditor_grade="GOOD", **early_help),
        tracker_row("2026-05", auditor_grade="INADEQUATE"),
    ]
    audits = load_rows(rows)
    # A minimum-standards audit returned with no overall grade (the tracker's NA).
    Audit.objects.filter(pk=audits[12].pk).update(auditor_grade=NOT_GRADED, final_grade=NOT_GRADED)
    return audits


def test_known_answers_over_three_months_and_two_quarters():
    history()
    figures = period_figures(FEB, APR)

    assert set(figures) == TOP_LEVEL_KEYS
    assert (figures["from"], figures["to"], figures["as_of"]) == ("2026-02", "2026-04", "2026-04-30")
    assert (figures["programme"], figures["service_area"]) == ("all", None)
    assert figures["ratings"] == {
        "counts": counts(outstanding=1, good=5, requires_improvement=1, inadequate=1, not_graded=1),
        "total": 9,
        "graded": 8,
        # Adjusted: over the 8 graded audits; percent_of_total: over all 9 returned.
        "percent": {"outstanding": 12.5, "good": 62.5, "requires_improvement": 12.5, "inadequate": 12.5},
        "percent_of_total": {
            "outstanding": 11.1,
            "good": 55.6,
            "requires_improvement": 11.1,
            "inadequate": 11.1,
            "not_graded": 11.1,
        },
    }
    by_month = {m["month"]: m for m in figures["ratings_by_month"]}
    assert list(by_month) == ["2026-02", "2026-03", "2026-04"]
    assert by_month["2026-02"]["counts"] == counts(good=2, requires_improvement=1)
    assert by_month["2026-03"]["counts"] == counts(outstanding=1, inadequate=1)
    assert by_month["2026-04"]["counts"] == counts(good=3, not_graded=1)
    assert (by_month["2026-04"]["total"], by_month["2026-04"]["graded"]) == (4, 3)
    assert by_month["2026-04"]["percent"]["good"] == 100.0

    # The financial year turns in April: February and March are Q4 2025/26, April alone Q1 2026/27.
    quarters = figures["ratings_by_quarter"]
    assert [q["quarter"] for q in quarters] == ["Q4 2025/26", "Q1 2026/27"]
    assert quarters[0]["counts"] == counts(outstanding=1, good=2, requires_improvement=1, inadequate=1)
    assert quarters[1]["counts"] == counts(good=3, not_graded=1)
    assert quarters[1]["percent_of_total"] == {
        "outstanding": 0.0,
        "good": 75.0,
        "requires_improvement": 0.0,
        "inadequate": 0.0,
        "not_graded": 25.0,
    }

    # Team B returned nothing in the period: left out.
    assert list(figures["ratings_by_team"]) == ["Team A", "Team C"]
    assert figures["ratings_by_team"]["Team A"]["counts"] == counts(
        outstanding=1, good=4, requires_improvement=1, inadequate=1
    )
    assert figures["ratings_by_team"]["Team C"]["counts"] == counts(good=1, not_graded=1)
    assert figures["ratings_by_team"]["Team C"]["percent"]["good"] == 100.0
    assert list(figures["ratings_by_service_area"]) == ["Children's Social Care", "Early Help"]
    assert figures["ratings_by_service_area"]["Early Help"]["total"] == 2
    assert list(figures["ratings_by_programme"]) == ["Monthly audit"]
    assert figures["ratings_by_programme"]["Monthly audit"]["total"] == 9
    statuses = figures["ratings_by_legal_status"]
    assert list(statuses) == ["ASSESSMENT", "CIN", "CP", "CLA", "CARE_LEAVER", "CWD"]
    assert statuses["CP"]["counts"] == counts(good=1, requires_improvement=1, not_graded=1)
    assert statuses["CIN"]["total"] == 6
    assert statuses["CLA"]["total"] == 0 and statuses["CLA"]["percent"]["good"] is None

    assert figures["moderation"] == {
        "returned": 9,
        "moderated": 2,
        "moderated_percent": 22.2,
        "agreed": 1,
        "upgraded": 1,
        "downgraded": 0,
        "downgraded_percent": 0.0,
    }
    assert figures["returns"] == {
        "planned": 12,
        "exempted": 1,
        "scheduled": 11,
        "returned": 9,
        "returned_percent": 81.8,
        "late": 1,
        "late_percent": 11.1,
        "nil_returns": 1,
        "not_ready": 1,
    }
    json.dumps(figures)  # Plain JSON: no Decimal, no date.


def test_a_period_inside_one_quarter_counts_only_its_months():
    history()
    figures = period_figures(datetime.date(2026, 3, 1), datetime.date(2026, 3, 1))
    assert [q["quarter"] for q in figures["ratings_by_quarter"]] == ["Q4 2025/26"]
    assert figures["ratings_by_quarter"][0]["total"] == 2
    assert figures["ratings"]["total"] == 2


def test_the_scope_narrows_every_figure_to_a_programme_or_a_service_area():
    history()
    themed = ProgrammeFactory(name="Practice Review Week", slug="practice-review-week")
    AuditFactory(returned=True, month=APR, programme=themed, auditor_grade="inadequate")

    everything = period_figures(FEB, APR)
    assert list(everything["ratings_by_programme"]) == ["Monthly audit", "Practice Review Week"]
    assert everything["ratings"]["total"] == 10

    week = period_figures(FEB, APR, scope("practice-review-week"))
    assert week["programme"] == "practice-review-week"
    assert week["ratings"]["counts"] == counts(inadequate=1)
    assert list(week["ratings_by_programme"]) == ["Practice Review Week"]
    assert week["returns"]["planned"] == 1 and week["moderation"]["returned"] == 1

    monthly = period_figures(FEB, APR, scope("monthly", "Early Help"))
    assert monthly["service_area"] == "Early Help"
    assert monthly["ratings"]["counts"] == counts(good=1, not_graded=1)
    assert list(monthly["ratings_by_team"]) == ["Team C"]
    assert monthly["returns"]["planned"] == 2


@pytest.mark.parametrize(
    ("first", "last", "message", "command_message"),
    [
        ("1999-12", "2000-03", "The first month must be from January 2000 to December 2099", "--from: '1999-12'"),
        ("2099-10", "2100-01", "The last month must be from January 2000 to December 2099", "--to: '2100-01'"),
        ("2026-05", "2026-04", "must start on or before its last month", "must start on or before"),
        ("2010-01", "2020-01", "at most 10 years (120 months)", "at most 10 years (120 months)"),
    ],
)
def test_impossible_periods_are_refused_with_a_message(first, last, message, command_message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_period(datetime.date.fromisoformat(first + "-01"), datetime.date.fromisoformat(last + "-01"))
    with pytest.raises(CommandError, match=re.escape(command_message)):
        call_command("qa_report", "--from", first, "--to", last)


def test_ten_whole_years_are_allowed():
    check_period(datetime.date(2016, 4, 1), datetime.date(2026, 3, 1))


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (
            datetime.date(2026, 11, 27),
            {
                "this_quarter": ("2026-10", "2026-11"),
                "last_quarter": ("2026-07", "2026-09"),
                "financial_year_to_date": ("2026-04", "2026-11"),
                "last_12_months": ("2025-11", "2026-10"),
            },
        ),
        # April: a new financial year and quarter begin; last quarter is January to March.
        (
            datetime.date(2026, 4, 2),
            {
                "this_quarter": ("2026-04", "2026-04"),
                "last_quarter": ("2026-01", "2026-03"),
                "financial_year_to_date": ("2026-04", "2026-04"),
                "last_12_months": ("2025-04", "2026-03"),
            },
        ),
        (
            datetime.date(2027, 2, 10),
            {
                "this_quarter": ("2027-01", "2027-02"),
                "last_quarter": ("2026-10", "2026-12"),
                "financial_year_to_date": ("2026-04", "2027-02"),
                "last_12_months": ("2026-02", "2027-01"),
            },
        ),
    ],
)
def test_quick_picks(today, expected):
    picks = {pick.key: (f"{pick.first:%Y-%m}", f"{pick.last:%Y-%m}") for pick in quick_picks(today)}
    assert picks == expected


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as queries:
        fn()
    return len(queries)


def test_the_query_count_is_flat_in_months_and_audits(django_assert_max_num_queries):
    history()
    three = _queries(lambda: period_figures(FEB, APR, scope("monthly")))
    rows = [
        tracker_row(f"{year}-{month:02d}", auditor_grade=grade, team=f"Team {n % 9}", legal_status=status)
        for year in (2024, 2025)
        for month in range(1, 13)
        for n, (grade, status) in enumerate([("GOOD", "CP"), ("RI", "CLA"), ("INADEQUATE", "CIN"), ("GOOD", "CWD")])
    ]
    load_rows(rows)
    with django_assert_max_num_queries(three):
        twelve = period_figures(datetime.date(2025, 5, 1), APR, scope("monthly"))
    assert three <= 9  # six for the grades, returns and moderation; two for the themes, one for the re-audits
    assert twelve["ratings"]["total"] == 8 * 4 + 10  # May to December 2025, and January to April 2026.


def test_the_command_prints_the_json_and_writes_the_pdf(tmp_path, capsys):
    history()
    call_command("qa_report", "--from", "2026-02", "--to", "2026-04", "--programme", "monthly")
    figures = json.loads(capsys.readouterr().out)
    assert set(figures) == TOP_LEVEL_KEYS and figures["programme"] == "monthly"
    assert figures["ratings"]["total"] == 9

    output = tmp_path / "period.pdf"
    call_command(
        "qa_report",
        *("--from", "2026-02", "--to", "2026-04", "--programme", "monthly", "--service-area", "Early Help"),
        *("--format", "pdf", "--output", str(output)),
    )
    from reports.tests.test_pdf import pdf_text

    text = pdf_text(output.read_bytes(), tmp_path)
    assert "QA report: Feb 2026 to Apr 2026" in text
    assert "Monthly audit" in text and "Early Help" in text  # The scope, on the cover.
    assert "Team C" in text and "Team A" not in text
    assert "Ratings by team, Feb 2026 to Apr 2026" in text
    assert "Q4 2025/26" in text and "Q1 2026/27" in text
    assert "CH0" not in text  # No child's reference.


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-02"], "needs both --from YYYY-MM and --to YYYY-MM"),
        (["--from", "2026-02", "--to", "2026-04", "--month", "2026-04"], "not --month or --as-of"),
        (["--from", "2026-02", "--to", "2026-04", "--programme", "nope"], "There is no programme 'nope': use all"),
        (["--from", "2026-2", "--to", "2026-04"], "--from: '2026-2' is not a month. Enter a month from January 2000"),
        (["--from", "2026-02", "--to", "1999-12"], "--to: '1999-12' is not a month"),
        ([], "the following arguments are required: --month YYYY-MM for a month's report, or --from"),
    ],
)
def test_bad_period_arguments_say_what_is_wrong(args, message):
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("qa_report", *args)


def test_on_the_command_line_a_bad_period_exits_1_without_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "qa_report", "--from", "2026-06", "--to", "2026-04"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.returncode == 1
    assert "must start on or before its last month" in result.stderr and "Traceback" not in result.stderr


# --- The web page ------------------------------------------------------------------------------------------

PAGE = reverse("reports:period")
QUERY = "?from_month=2026-02&to_month=2026-04"


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory())
    return client


def _period_urls():
    return [
        ("get", PAGE),
        ("get", PAGE + QUERY),
        ("get", reverse("reports:period_json") + QUERY),
        ("post", reverse("reports:period_generate")),
    ]


@pytest.mark.parametrize("factory", [AuditorFactory, ModeratorFactory, ManagerFactory, UserFactory])
def test_only_the_qa_team_sees_the_period_report(client, factory):
    client.force_login(factory())
    for method, url in _period_urls():
        assert getattr(client, method)(url).status_code == 403, url
    assert ReportDocument.objects.count() == 0


def test_signed_out_visitors_are_sent_to_sign_in(client):
    for method, url in _period_urls():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_the_page_shows_the_tables_and_every_figure_links_to_its_audits(quality_client):
    history()
    response = quality_client.get(PAGE + QUERY)
    assert response.status_code == 200
    html = response.content.decode()
    for title in (
        "Ratings by programme, Feb 2026 to Apr 2026",
        "Ratings by team, Feb 2026 to Apr 2026",
        "Ratings by month, Feb 2026 to Apr 2026",
        "Ratings by financial quarter, Feb 2026 to Apr 2026",
        "Ratings by service area",
        "Ratings by legal status",
        "Returns, Feb 2026 to Apr 2026",
        "Moderation, Feb 2026 to Apr 2026",
    ):
        assert title in html, title
    ratings_by_team = html.split('id="table-ratings_by_team"', 1)[1].split("</table>", 1)[0]
    assert "Team B" not in ratings_by_team  # No returned audit in the period (the representation lists every team).

    # Team A's Good audits over the period, and Team C's not-graded one: the lists hold what the figures count.
    links = [unescape(href) for href in re.findall(r'href="(/reports/audits/\?[^"]+)"', html)]
    team_a_good = next(u for u in links if "team=Team+A" in u and "grade=good" in u and "grade=outstanding" not in u)
    assert "month_from=2026-02" in team_a_good and "month_to=2026-04" in team_a_good
    assert quality_client.get(team_a_good).context["total"] == 4
    not_graded = next(u for u in links if "team=Team+C" in u and "grade=not_graded" in u)
    assert quality_client.get(not_graded).context["total"] == 1
    quarter = next(
        u for u in links if "month_from=2026-04" in u and "month_to=2026-04" in u and "outcome=returned" in u
    )
    assert quality_client.get(quarter).status_code == 200
    late = next(u for u in links if "late=1" in u)
    assert quality_client.get(late).context["total"] == 1


def test_the_page_query_count_is_flat_in_rows(quality_client, django_assert_max_num_queries):
    history()
    with CaptureQueriesContext(connection) as small:
        quality_client.get(PAGE + QUERY)
    load_rows([tracker_row("2026-03", auditor_grade="GOOD", team=f"Team {n}") for n in range(30)])
    with django_assert_max_num_queries(len(small)):
        response = quality_client.get(PAGE + QUERY)
    assert "Team 29" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("?from_month=2026-05&to_month=2026-04", "to_month", "must start on or before its last month"),
        ("?from_month=1999-01&to_month=2026-04", "from_month", "Enter a month from January 2000 to December 2099"),
        ("?from_month=2026-13&to_month=2026-04", "from_month", "Enter a month from"),
        ("?from_month=2000-01&to_month=2026-04", "to_month", "at most 10 years"),
        ("?from_month=2026-01&to_month=2026-04&programme=nope", "programme", "Select a valid choice"),
    ],
)
def test_bad_months_get_a_message_at_the_field_not_a_500(quality_client, query, field, message):
    response = quality_client.get(PAGE + query)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert 'id="error-summary"' in response.content.decode()
    answer = quality_client.get(reverse("reports:period_json") + query)
    assert answer.status_code == 400 and message in " ".join(answer.json()["errors"][field])


def test_the_json_address_alone_redirects_to_last_quarter(quality_client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 5, 6, 12, 0, tzinfo=datetime.UTC))
    response = quality_client.get(reverse("reports:period_json"))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:period_json") + "?from_month=2026-01&to_month=2026-03"


def test_the_json_is_the_contract(quality_client):
    history()
    answer = quality_client.get(reverse("reports:period_json") + QUERY + "&service_area=Early+Help")
    assert answer.status_code == 200
    figures = answer.json()
    assert set(figures) == TOP_LEVEL_KEYS
    assert figures["service_area"] == "Early Help" and figures["ratings"]["total"] == 2


def test_the_pdf_is_made_by_the_monthly_job_and_numbered_per_period(quality_client, django_capture_on_commit_callbacks):
    history()
    monthly = ReportDocumentFactory(month=FEB, as_of=datetime.date(2026, 4, 30), revision=1)
    generate = reverse("reports:period_generate")
    data = {"from_month": "2026-02", "to_month": "2026-04", "programme": "all", "service_area": ""}

    first_key = str(uuid.uuid4())
    with django_capture_on_commit_callbacks(execute=True):
        response = quality_client.post(generate, {**data, "request_key": first_key})
    assert response.status_code == 302 and response["Location"].startswith(PAGE + QUERY)
    with django_capture_on_commit_callbacks(execute=True):
        quality_client.post(generate, {**data, "request_key": first_key})  # A double click: the same PDF.
        quality_client.post(generate, {**data, "request_key": str(uuid.uuid4())})

    documents = ReportDocument.objects.filter(month_to__isnull=False).order_by("revision")
    assert [d.revision for d in documents] == [1, 2]
    document = documents[0]
    assert document.status == ReportDocument.Status.READY
    assert (document.month, document.month_to, document.as_of) == (FEB, APR, datetime.date(2026, 4, 30))
    assert document.file.name.endswith("qa-report-2026-02-to-2026-04-all-as-of-2026-04-30-r1-draft.pdf")
    assert document.file.read().startswith(b"%PDF")
    # The monthly report's own PDFs are not the period's, and the other way round.
    page = quality_client.get(PAGE + QUERY)
    assert list(page.context["documents"]) == [documents[1], document]
    month_page = quality_client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 2}))
    assert list(month_page.context["documents"]) == [monthly]

    # Publishing goes back to the period's page and reprints the same body.
    with django_capture_on_commit_callbacks(execute=True):
        response = quality_client.post(reverse("reports:document_publish", kwargs={"pk": document.pk}))
    assert response["Location"].startswith(PAGE + QUERY)
    document.refresh_from_db()
    assert document.status == ReportDocument.Status.READY and not document.is_draft
    assert document.file.name.endswith("-published.pdf")


# --- Seed 003: Wokingham's annual report, October 2017 to March 2018 --------------------------------------

SEED_003_TEAMS = {  # Inadequate, Requires Improvement, Good, Outstanding, N/A: the seed's table by team.
    "Ambleside": (2, 4, 11, 1, 0),
    "Brambles": (1, 6, 9, 0, 0),
    "DCT": (1, 7, 5, 0, 1),
    "DTA": (0, 4, 6, 0, 24),
    "H4U": (3, 5, 12, 0, 0),
    "FPT": (0, 0, 1, 0, 0),
    "Early Help": (1, 1, 7, 1, 0),
    "YOS": (0, 0, 3, 2, 0),
}
SEED_GRADES = ("INADEQUATE", "RI", "GOOD", "OUTSTANDING", "NA")


def seed_003_rows():
    """The seed's 118 audits as tracker rows: the core (monthly) audit and two Practice Review Weeks.

    The seed prints grades by team and by audit type but not both together, so the core audit takes, grade
    by grade, the first audits the team table lists up to the core row's counts (1, 4, 9, 1 and DTA's 24
    minimum-standards audits not graded); the rest are the Practice Review Weeks' (DCT's one N/A among them).
    """
    core_left = dict(zip(SEED_GRADES, (1, 4, 9, 1, 24), strict=True))
    core_months = ["2017-10", "2017-11", "2017-12", "2018-01", "2018-02", "2018-03"]
    rows, n = [], 0
    for team, numbers in SEED_003_TEAMS.items():
        area = {"Early Help": "Early Help", "YOS": "Youth Support"}.get(team, "Children's Social Care")
        for grade, count in zip(SEED_GRADES, numbers, strict=True):
            for _ in range(count):
                n += 1
                core = core_left[grade] > 0 and not (team == "DCT" and grade == "NA")
                if core:
                    core_left[grade] -= 1
                month = core_months[n % 6] if core else ("2017-10" if n % 2 else "2018-03")
                programme = "" if core else "Practice Review Week"
                rows.append(tracker_row(month, auditor_grade=grade, team=team, service_area=area, programme=programme))
    return rows


def test_seed_003_tables_by_audit_type_and_by_team_with_adjusted_percentages():
    load_rows(seed_003_rows())
    figures = period_figures(datetime.date(2017, 10, 1), datetime.date(2018, 3, 1))

    core, week = (
        figures["ratings_by_programme"]["Monthly audit"],
        figures["ratings_by_programme"]["Practice Review Week"],
    )
    assert core["counts"] == counts(outstanding=1, good=9, requires_improvement=4, inadequate=1, not_graded=24)
    assert (core["total"], core["graded"]) == (39, 15)
    assert week["counts"] == counts(outstanding=3, good=45, requires_improvement=23, inadequate=7, not_graded=1)
    assert week["total"] == 79
    for team, (inadequate, ri, good, outstanding, na) in SEED_003_TEAMS.items():
        assert figures["ratings_by_team"][team]["counts"] == counts(
            outstanding=outstanding, good=good, requires_improvement=ri, inadequate=inadequate, not_graded=na
        ), team
    total = figures["ratings"]
    assert (total["total"], total["graded"]) == (118, 93)
    # "30% (38% adjusted) inadequate or requires improvement; 49% (62% adjusted) good or outstanding".
    assert round(total["percent_of_total"]["inadequate"] + total["percent_of_total"]["requires_improvement"]) == 30
    assert round(total["percent"]["inadequate"] + total["percent"]["requires_improvement"]) == 38
    assert round(total["percent_of_total"]["good"] + total["percent_of_total"]["outstanding"]) == 49
    assert round(total["percent"]["good"] + total["percent"]["outstanding"]) == 62
    assert total["percent"] == {"outstanding": 4.3, "good": 58.1, "requires_improvement": 29.0, "inadequate": 8.6}
    assert [q["quarter"] for q in figures["ratings_by_quarter"]] == ["Q3 2017/18", "Q4 2017/18"]
    assert sum(q["total"] for q in figures["ratings_by_quarter"]) == 118


def test_themes_and_reaudits_count_the_returned_audits_of_the_whole_period():
    """Section 3: `themes` and `reaudits` as in section 2, over the period. Two months inside, one outside."""
    from audits.models import Theme
    from audits.theme_services import audit_themes_set

    chronologies = Theme.objects.get(name="Chronologies").pk
    voice = Theme.objects.get(name="Voice of the child").pk
    inside = [
        AuditFactory(returned=True, month=FEB, auditor_grade="good"),
        AuditFactory(returned=True, month=datetime.date(2026, 3, 1), auditor_grade="requires_improvement"),
    ]
    outside = AuditFactory(returned=True, month=datetime.date(2026, 5, 1), auditor_grade="good")
    audit_themes_set(audit=inside[0], improvement=[chronologies], strength=[voice])
    audit_themes_set(audit=inside[1], improvement=[chronologies], strength=[])
    audit_themes_set(audit=outside, improvement=[chronologies], strength=[voice])
    earlier = AuditFactory(returned=True, month=datetime.date(2025, 11, 1), auditor_grade="inadequate")
    AuditFactory(returned=True, month=FEB, auditor_grade="good", reaudit_of=earlier, child=earlier.child)
    AuditFactory(returned=True, month=datetime.date(2026, 5, 1), auditor_grade="good", reaudit_of=earlier)

    figures = period_figures(FEB, APR, scope("all"))

    assert figures["themes"] == {
        "improvement": [{"theme": "Chronologies", "audits": 2, "percent": 66.7}],
        "strength": [{"theme": "Voice of the child", "audits": 1, "percent": 33.3}],
    }
    assert figures["reaudits"] == {"returned": 1, "improved": 1, "same": 0, "worse": 0, "improved_percent": 100.0}


def test_seed_003_printed_figures_in_the_period_pdf(tmp_path):
    """The same rebuilt seed, read back from the PDF's text: its tables by audit type and by team carry the
    seed's figures, adjusted percentages and N/A counts included."""
    from reports.period_pdf import period_pdf
    from reports.tests.test_pdf import pdf_text

    load_rows(seed_003_rows())
    text = pdf_text(period_pdf(first=datetime.date(2017, 10, 1), last=datetime.date(2018, 3, 1)), tmp_path)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    flat = " ".join(" ".join(lines).split())

    # The seed's headline: "30% (38% adjusted) inadequate or requires improvement; 49% (62% adjusted) good or
    # outstanding". The report prints every share to one decimal; rounded, they are the seed's.
    assert "118 audits returned from Oct 2017 to Mar 2018, 93 of them graded." in flat
    assert (
        "Requires Improvement or Inadequate: 35 (29.7%; 37.6% adjusted). "
        "Good or Outstanding: 58 (49.2%; 62.4% adjusted)." in flat
    )
    # Table 1, by audit type: the core audit's 24 minimum-standards audits not graded, left out of its shares.
    table_1 = flat.split("Table 1: Ratings by programme", 1)[1].split("Table 2", 1)[0]
    assert "Monthly audit 1 (6.7%) 9 (60.0%) 4 (26.7%) 1 (6.7%) 24 (61.5%) 39 10 (66.7%)" in table_1
    assert "Practice Review Week 3 (3.8%) 45 (57.7%) 23 (29.5%) 7 (9.0%) 1 (1.3%) 79 48 (61.5%)" in table_1
    assert "All programmes 4 (4.3%) 54 (58.1%) 27 (29.0%) 8 (8.6%) 25 (21.2%) 118 58 (62.4%)" in table_1
    # Table 2, by team: each of the seed's rows (Outstanding, Good, RI, Inadequate, N/A) as printed.
    table_2 = flat.split("Table 2: Ratings by team", 1)[1].split("Table 3", 1)[0]
    for team, (inadequate, ri, good, outstanding, na) in SEED_003_TEAMS.items():
        printed = re.search(
            rf"{re.escape(team)} (\d+) \([\d.]+%\) (\d+) \([\d.]+%\) (\d+) \([\d.]+%\) (\d+) \([\d.]+%\) "
            r"(\d+) \([\d.]+%\) (\d+)",
            table_2,
        )
        assert printed, team
        assert [int(n) for n in printed.groups()] == [
            outstanding,
            good,
            ri,
            inadequate,
            na,
            sum((inadequate, ri, good, outstanding, na)),
        ], team
    assert "DTA 0 (0.0%) 6 (60.0%) 4 (40.0%) 0 (0.0%) 24 (70.6%) 34 6 (60.0%)" in table_2
