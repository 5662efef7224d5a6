"""A report's scope (contracts.md section 2, added later): a programme or all, and optionally one service area.

Every figure is counted within the scope; the JSON says which scope it is; "not graded" audits count in
`not_graded`, are left out of the adjusted `percent` and kept in `percent_of_total`.
"""

from __future__ import annotations

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from actions.tests.factories import ActionFactory
from audits.models import NOT_GRADED
from audits.selectors import ReportScope
from audits.tests.factories import AuditFactory, ProgrammeFactory, TemplateVersionFactory
from caseload.tests.factories import ChildFactory
from people.tests.factories import QualityFactory, ServiceAreaFactory, TeamFactory
from reports.selectors import report_figures

OCTOBER = datetime.date(2026, 10, 1)
pytestmark = pytest.mark.django_db


@pytest.fixture
def two_programmes():
    """October: four monthly audits in Children's Social Care; a themed audit's three in Early Help, one not graded."""
    social_care = ServiceAreaFactory(name="Children's Social Care")
    early_help = ServiceAreaFactory(name="Early Help")
    themed = ProgrammeFactory(name="Repeat CP plans", slug="repeat-cp", allows_not_graded=True)
    themed_template = TemplateVersionFactory(programme=themed, number=1, is_current=True)

    def audits(grades, area, **fields):
        team = TeamFactory(service_area=area)
        return [
            AuditFactory(returned=True, month=OCTOBER, auditor_grade=grade, child=ChildFactory(team=team), **fields)
            for grade in grades
        ]

    monthly = audits(["good", "good", "inadequate", "requires_improvement"], social_care)
    theirs = audits(["good", "requires_improvement", NOT_GRADED], early_help, template=themed_template)
    ActionFactory(audit=monthly[2], due_on=datetime.date(2026, 10, 20))
    ActionFactory(audit=theirs[1], due_on=datetime.date(2026, 10, 20))
    return {"themed": themed, "early_help": early_help, "monthly": monthly, "theirs": theirs}


def qa_report(*args: str) -> dict:
    out = StringIO()
    call_command("qa_report", "--month", "2026-10", "--format", "json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_monthly_report_covers_the_monthly_audit_unless_told_otherwise(two_programmes):
    figures = qa_report()
    assert (figures["programme"], figures["service_area"]) == ("monthly", None)
    october = figures["ratings_by_month"][-1]
    assert october["counts"] == {
        "outstanding": 0,
        "good": 2,
        "requires_improvement": 1,
        "inadequate": 1,
        "not_graded": 0,
    }
    assert (october["total"], october["graded"]) == (4, 4)
    assert figures["returns"][-1]["returned"] == 4
    assert figures["actions"]["total"] == 1


def test_a_programme_scope_counts_its_audits_only_and_leaves_not_graded_out_of_the_adjusted_percentages(
    two_programmes,
):
    figures = qa_report("--programme", "repeat-cp")
    assert figures["programme"] == "repeat-cp"
    october = figures["ratings_by_month"][-1]
    assert october["counts"] == {
        "outstanding": 0,
        "good": 1,
        "requires_improvement": 1,
        "inadequate": 0,
        "not_graded": 1,
    }
    assert (october["total"], october["graded"]) == (3, 2)
    assert october["percent"] == {"outstanding": 0.0, "good": 50.0, "requires_improvement": 50.0, "inadequate": 0.0}
    assert october["percent_of_total"] == {
        "outstanding": 0.0,
        "good": 33.3,
        "requires_improvement": 33.3,
        "inadequate": 0.0,
        "not_graded": 33.3,
    }
    # Returned, though not graded: returns, participation and actions are all the programme's own.
    assert figures["returns"][-1]["returned"] == 3
    assert figures["participation"]["audits"] == 3
    assert figures["actions"]["total"] == 1
    assert figures["teams"]["not_audited"] == []


def test_all_programmes_and_one_service_area(two_programmes):
    everything = qa_report("--programme", "all")
    assert everything["programme"] == "all"
    assert everything["ratings_by_month"][-1]["total"] == 7
    assert everything["actions"]["total"] == 2

    early_help = qa_report("--programme", "all", "--service-area", "early help")
    assert early_help["service_area"] == "Early Help"
    assert early_help["ratings_by_month"][-1]["total"] == 3
    # The monthly audit has no Early Help audits: its Early Help report is empty, not everyone's.
    assert qa_report("--service-area", "Early Help")["ratings_by_month"][-1]["total"] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--programme", "nope"), "There is no programme 'nope'"),
        (("--service-area", "Atlantis"), "There is no service area called 'Atlantis'"),
    ],
)
def test_an_unknown_scope_is_refused_with_a_message(two_programmes, args, message):
    with pytest.raises(CommandError, match=message):
        qa_report(*args)


def test_the_query_count_does_not_depend_on_the_scope(two_programmes):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    report_figures(OCTOBER)
    with CaptureQueriesContext(connection) as unscoped:
        report_figures(OCTOBER)
    scope = ReportScope(programme=two_programmes["themed"], service_area=two_programmes["early_help"])
    with CaptureQueriesContext(connection) as scoped:
        report_figures(OCTOBER, scope=scope)
    # The same as the monthly report's own count, which test_selectors pins.
    assert len(scoped.captured_queries) == len(unscoped.captured_queries)


def test_the_web_report_offers_the_scope_and_the_json_follows_it(client, two_programmes):
    client.force_login(QualityFactory())
    detail = reverse("reports:detail", kwargs={"year": 2026, "month": 10})
    page = client.get(detail).content.decode()
    assert 'name="programme"' in page and 'value="repeat-cp"' in page and 'name="service_area"' in page
    page = client.get(detail, {"programme": "repeat-cp"}).content.decode()
    assert "Repeat CP plans" in page
    assert "programme=repeat-cp" in page  # the JSON link keeps the scope
    url = reverse("reports:json", kwargs={"year": 2026, "month": 10})
    figures = client.get(url, {"programme": "all", "service_area": two_programmes["early_help"].pk}).json()
    assert (figures["programme"], figures["service_area"]) == ("all", "Early Help")
    assert figures["ratings_by_month"][-1]["total"] == 3
    assert client.get(url, {"programme": "nope"}).status_code == 400


def test_the_pdf_says_its_scope(two_programmes, tmp_path):
    pdftotext = __import__("shutil").which("pdftotext")
    if pdftotext is None:
        pytest.skip("pdftotext (poppler-utils) is not installed here")
    target = tmp_path / "themed.pdf"
    call_command(
        "qa_report",
        "--month",
        "2026-10",
        "--format",
        "pdf",
        "--output",
        str(target),
        "--programme",
        "repeat-cp",
        stderr=StringIO(),
    )
    text = __import__("subprocess").run([pdftotext, str(target), "-"], capture_output=True, text=True).stdout
    assert "Scope: Repeat CP plans, every service area." in " ".join(text.split())


@pytest.mark.parametrize(
    ("params", "returned"),
    [
        ({}, 4),
        ({"programme": "repeat-cp"}, 3),
        ({"programme": "all"}, 7),
        ({"programme": "all", "service_area": "EARLY_HELP"}, 3),
    ],
)
def test_the_list_behind_a_figure_holds_exactly_the_audits_of_the_reports_scope(
    client, two_programmes, params, returned
):
    """The monthly report counts the monthly audit only: its links must not list the themed audit's audits."""
    import re
    from html import unescape

    client.force_login(QualityFactory())
    if params.get("service_area") == "EARLY_HELP":  # the page's choice is the service area's id
        params = {**params, "service_area": two_programmes["early_help"].pk}
    page = client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 10}), params).content.decode()
    links = {unescape(href) for href in re.findall(r'href="(/reports/audits/\?[^"]*outcome=returned[^"]*)"', page)}
    october = [
        link
        for link in links
        if re.fullmatch(r"/reports/audits/\?month=2026-10&outcome=returned(&[a-z_]+=[^&]+)*", link)
        and not re.search(r"&(?!programme=|service_area=)", link.split("outcome=returned", 1)[1])
    ]
    assert october, "no link to October's returned audits"
    for link in october:
        assert client.get(link).context["total"] == returned, link


def _page_fields(page: str) -> dict[str, str]:
    """The Generate PDF form's hidden fields, as the page gives them."""
    import re

    form = page.split('action="/reports/2026/10/pdf/"', 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form))


def _document_text(document, tmp_path) -> str:
    from reports.tests.test_pdf import pdf_text

    with document.file.open("rb") as pdf:
        return " ".join(pdf_text(pdf.read(), tmp_path).split())


def test_generate_pdf_reports_the_scope_on_the_page_and_numbers_its_revisions_apart(
    client, two_programmes, tmp_path, time_machine, django_capture_on_commit_callbacks
):
    """The scoped PDF, made by the same job, holds the scope's figures and names it; the default PDF is the
    same document as ever (the same text as `report_pdf` for the monthly audit)."""
    from reports.models import ReportDocument
    from reports.pdf import report_pdf
    from reports.tests.test_pdf import pdf_text

    time_machine.move_to(datetime.datetime(2026, 11, 21, 12, 0, tzinfo=datetime.UTC), tick=False)
    quality = QualityFactory(first_name="Quinn", last_name="Quality")
    client.force_login(quality)
    detail = reverse("reports:detail", kwargs={"year": 2026, "month": 10})
    generate = reverse("reports:generate", kwargs={"year": 2026, "month": 10})
    area = two_programmes["early_help"]
    scoped_page = client.get(detail, {"programme": "repeat-cp", "service_area": area.pk}).content.decode()
    fields = _page_fields(scoped_page)
    assert (fields["programme"], fields["service_area"]) == ("repeat-cp", "Early Help")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(generate, fields)
    assert response["Location"] == f"{detail}?programme=repeat-cp&service_area={area.pk}#documents"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(generate, _page_fields(client.get(detail).content.decode()))

    scoped, default = ReportDocument.objects.order_by("pk")
    assert (scoped.programme, scoped.service_area, scoped.revision) == ("repeat-cp", "Early Help", 1)
    assert (default.programme, default.service_area, default.revision) == ("", "", 1)
    assert scoped.status == default.status == ReportDocument.Status.READY
    assert scoped.file.name.endswith("qa-report-2026-10-repeat-cp-early-help-as-of-2026-10-31-r1-draft.pdf")

    text = _document_text(scoped, tmp_path)
    assert "Monthly QA report: October 2026 (Repeat CP plans, Early Help)" in text
    assert "Scope Repeat CP plans, Early Help" in text
    assert "Scope: Repeat CP plans, Early Help only." in text
    # The themed audit's three returns in Early Help (one not graded, left out of the shares), not the monthly four.
    assert (
        "Good No data yet No data yet 1 (50.0%) Requires Improvement No data yet No data yet 1 (50.0%) "
        "Inadequate No data yet No data yet 0 (0.0%) Not graded No data yet No data yet 1 "
        "Total No data yet No data yet 3 " in text
    )
    assert "Oct 2026 3 0 3 3 100.0% 0 0.0%" in text

    unscoped = _document_text(default, tmp_path)
    assert "Scope" not in unscoped.split("Contents", 1)[0]
    assert "Monthly QA report: October 2026 Draft for review" in unscoped
    assert "Oct 2026 4 0 4 4 100.0% 0 0.0%" in unscoped
    expected = report_pdf(month=OCTOBER, requested_by=str(quality))
    assert unscoped == " ".join(pdf_text(expected, tmp_path).split())

    # Each scope keeps its own versions: the page of one scope lists its PDFs only.
    scoped_page = client.get(detail, {"programme": "repeat-cp", "service_area": area.pk}).content.decode()
    assert f"/reports/documents/{scoped.pk}/download/" in scoped_page
    assert f"/reports/documents/{default.pk}/download/" not in scoped_page


def test_the_period_pdf_names_its_scope_in_its_title_and_cover(two_programmes, tmp_path):
    from reports.period_pdf import period_pdf
    from reports.tests.test_pdf import pdf_info, pdf_text

    scope = ReportScope(programme=two_programmes["themed"], service_area=two_programmes["early_help"])
    pdf = period_pdf(first=OCTOBER, last=OCTOBER, scope=scope)
    title = next(line for line in pdf_info(pdf, tmp_path).splitlines() if line.startswith("Title:"))
    assert "Repeat CP plans, Early Help" in title
    text = " ".join(pdf_text(pdf, tmp_path).split())
    assert "Programmes Repeat CP plans Service areas Early Help" in text


# Table 1 (ratings by month) of a scope whose audits may be returned "not graded".


def _table_1(scope: ReportScope | None) -> list[tuple[str, list]]:
    from reports.presenters import report_context

    table = report_context(OCTOBER, scope=scope)["tables"]["ratings_by_month"]
    return [(row.label, [cell.value for cell in row.cells]) for row in table.rows]


def test_table_1_of_a_programme_that_allows_not_graded_counts_them_in_a_row_of_their_own(client, two_programmes):
    themed = ReportScope(programme=two_programmes["themed"])
    # August and September are before the first audits: "No data yet" (None) rather than zeros.
    assert _table_1(themed) == [
        ("Outstanding", [None, None, 0]),
        ("Good", [None, None, 1]),
        ("Requires Improvement", [None, None, 1]),
        ("Inadequate", [None, None, 0]),
        ("Not graded", [None, None, 1]),
        ("Total", [None, None, 3]),
    ]
    client.force_login(QualityFactory())
    page = client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 10}), {"programme": "repeat-cp"})
    table = page.content.decode().split('id="table-ratings_by_month"', 1)[1].split("</table>", 1)[0]
    # The grades' shares are adjusted (of the two graded); the not graded count carries no share.
    assert '1 <span class="share">(50.0%)</span>' in table
    not_graded = "/reports/audits/?month=2026-10&amp;outcome=returned&amp;grade=not_graded&amp;programme=repeat-cp"
    assert f'<a href="{not_graded}">1</a>' in table
    listing = client.get(not_graded.replace("&amp;", "&"))
    assert [audit.pk for audit in listing.context["audits"]] == [two_programmes["theirs"][2].pk]


def test_table_1_of_the_monthly_audit_that_never_is_not_graded_is_unchanged(two_programmes):
    assert [label for label, _ in _table_1(None)] == [
        "Outstanding",
        "Good",
        "Requires Improvement",
        "Inadequate",
        "Total",
    ]
    # Every programme: October holds the themed audit's not graded one, so the row is there.
    assert ("Not graded", [None, None, 1]) in _table_1(ReportScope())


def test_table_1_of_a_programme_that_allows_not_graded_shows_the_row_when_none_was(two_programmes):
    from audits.models import Audit

    Audit.objects.filter(final_grade=NOT_GRADED).update(final_grade="good")  # as audits.grading stores it
    assert ("Not graded", [None, None, 0]) in _table_1(ReportScope(programme=two_programmes["themed"]))
    assert "Not graded" not in [label for label, _ in _table_1(ReportScope())]


def test_the_pdf_of_a_programme_that_allows_not_graded_prints_the_row_in_table_1(two_programmes, tmp_path):
    from reports.pdf import report_pdf
    from reports.tests.test_pdf import pdf_text

    text = pdf_text(report_pdf(month=OCTOBER, scope=ReportScope(programme=two_programmes["themed"])), tmp_path)
    table_1 = " ".join(text.split()).split("Table 1: Audit ratings by month", 1)[1].split("Table 2", 1)[0]
    assert "Good No data yet No data yet 1 (50.0%)" in table_1
    assert "Not graded No data yet No data yet 1 Total No data yet No data yet 3" in table_1
    assert "the audits not graded count in the total but not in the shares" in table_1


# Tables 2 (ratings by quarter) and 3 (ratings by legal status) by the same rule: a row, and a column.


def _table(scope: ReportScope | None, key: str) -> tuple[list[str], list[tuple[str, list]]]:
    from reports.presenters import report_context

    table = report_context(OCTOBER, scope=scope)["tables"][key]
    return table.columns, [(row.label, [cell.value for cell in row.cells]) for row in table.rows]


def test_table_2_of_a_programme_that_allows_not_graded_counts_them_in_a_row_of_their_own(client, two_programmes):
    _, rows = _table(ReportScope(programme=two_programmes["themed"]), "ratings_by_quarter")
    # The four quarters before October 2026's (the first audits) have no data yet.
    assert rows == [
        ("Outstanding", [None, None, None, None, 0]),
        ("Good", [None, None, None, None, 1]),
        ("Requires Improvement", [None, None, None, None, 1]),
        ("Inadequate", [None, None, None, None, 0]),
        ("Not graded", [None, None, None, None, 1]),
        ("Total", [None, None, None, None, 3]),
    ]
    client.force_login(QualityFactory())
    page = client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 10}), {"programme": "repeat-cp"})
    table = page.content.decode().split('id="table-ratings_by_quarter"', 1)[1].split("</div>", 1)[0]
    assert '1 <span class="share">(50.0%)</span>' in table
    not_graded = (
        "/reports/audits/?month_from=2026-10&amp;month_to=2026-10&amp;outcome=returned&amp;grade=not_graded"
        "&amp;programme=repeat-cp"
    )
    assert f'<a href="{not_graded}">1</a>' in table
    assert "the audits not graded count in the total but not in the shares" in table
    listing = client.get(not_graded.replace("&amp;", "&"))
    assert [audit.pk for audit in listing.context["audits"]] == [two_programmes["theirs"][2].pk]


def test_table_3_of_a_programme_that_allows_not_graded_counts_them_in_a_column_of_their_own(client, two_programmes):
    columns, rows = _table(ReportScope(programme=two_programmes["themed"]), "ratings_by_legal_status")
    assert columns == ["Outstanding", "Good", "Requires Improvement", "Inadequate", "Not graded", "Total"]
    # The themed audit's three are all of children in need; every other status counts nothing.
    assert dict(rows)["Child in Need"] == [0, 1, 1, 0, 1, 3]
    assert all(cells == [0, 0, 0, 0, 0, 0] for label, cells in rows if label != "Child in Need")
    client.force_login(QualityFactory())
    page = client.get(reverse("reports:detail", kwargs={"year": 2026, "month": 10}), {"programme": "repeat-cp"})
    table = page.content.decode().split('id="table-ratings_by_legal_status"', 1)[1].split("</div>", 1)[0]
    assert '<th scope="col" class="text-nowrap">Not graded</th><th scope="col" class="text-nowrap">Total</th>' in table
    not_graded = (
        "/reports/audits/?month_from=2026-08&amp;month_to=2026-10&amp;outcome=returned&amp;legal_status=CIN"
        "&amp;grade=not_graded&amp;programme=repeat-cp"
    )
    assert f'<a href="{not_graded}">1</a>' in table
    assert "the audits not graded count in the total but not in the shares" in table
    listing = client.get(not_graded.replace("&amp;", "&"))
    assert [audit.pk for audit in listing.context["audits"]] == [two_programmes["theirs"][2].pk]


def test_tables_2_and_3_of_the_monthly_audit_that_never_is_not_graded_are_unchanged(two_programmes):
    columns, rows = _table(None, "ratings_by_quarter")
    assert [label for label, _ in rows] == ["Outstanding", "Good", "Requires Improvement", "Inadequate", "Total"]
    columns, rows = _table(None, "ratings_by_legal_status")
    assert columns == ["Outstanding", "Good", "Requires Improvement", "Inadequate", "Total"]
    assert dict(rows)["Child in Need"] == [0, 2, 1, 1, 4]
    # Every programme: October holds the themed audit's not graded one, so the row and the column are there.
    _, rows = _table(ReportScope(), "ratings_by_quarter")
    assert ("Not graded", [None, None, None, None, 1]) in rows
    columns, rows = _table(ReportScope(), "ratings_by_legal_status")
    assert "Not graded" in columns
    assert dict(rows)["Child in Need"] == [0, 3, 2, 1, 1, 7]


def test_tables_2_and_3_of_a_programme_that_allows_not_graded_show_them_when_none_was(two_programmes):
    from audits.models import Audit

    Audit.objects.filter(final_grade=NOT_GRADED).update(final_grade="good")  # as audits.grading stores it
    themed = ReportScope(programme=two_programmes["themed"])
    assert ("Not graded", [None, None, None, None, 0]) in _table(themed, "ratings_by_quarter")[1]
    columns, rows = _table(themed, "ratings_by_legal_status")
    assert "Not graded" in columns and dict(rows)["Child in Need"] == [0, 2, 1, 0, 0, 3]
    assert "Not graded" not in [label for label, _ in _table(ReportScope(), "ratings_by_quarter")[1]]
    assert "Not graded" not in _table(ReportScope(), "ratings_by_legal_status")[0]


def test_the_pdf_of_a_programme_that_allows_not_graded_prints_them_in_tables_2_and_3(two_programmes, tmp_path):
    from reports.pdf import report_pdf
    from reports.tests.test_pdf import pdf_text

    text = pdf_text(report_pdf(month=OCTOBER, scope=ReportScope(programme=two_programmes["themed"])), tmp_path)
    text = " ".join(text.split())
    table_2 = text.split("Table 2: Audit ratings by quarter", 1)[1].split("Table 3", 1)[0]
    assert "Not graded No data yet No data yet No data yet No data yet 1 Total" in table_2
    assert "the audits not graded count in the total but not in the shares" in table_2
    table_3 = text.split("Table 3: Ratings by legal status", 1)[1].split("Table 4", 1)[0]
    assert "Inadequate Not graded Total" in table_3
    assert "Child in Need 0 (0.0%) 1 (50.0%) 1 (50.0%) 0 (0.0%) 1 3" in table_3
    assert "the audits not graded count in the total but not in the shares" in table_3
