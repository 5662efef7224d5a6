"""Reading the report on a screen and on paper: defects found in a browser walk of the report (issue 10)."""

import datetime
import json
import re
import subprocess
from html import unescape

import pytest
import time_machine
from django.templatetags.static import static
from django.urls import reverse

from reports import charts
from reports.narrative import narrative_html
from reports.pdf import BASE_URL, HTML, StaticFilesOnlyFetcher, render_report_body, report_pdf
from reports.tables import TABLES
from reports.tests.factories import QualityFactory, ReportDocumentFactory, ReportNarrativeFactory
from reports.tests.test_pdf import PDFTOTEXT, pdf_text
from reports.tests.tracker import load_rows, tracker_row

pytestmark = pytest.mark.django_db

DECEMBER = datetime.date(2019, 12, 1)
DETAIL = reverse("reports:detail", kwargs={"year": 2019, "month": 12})


@pytest.fixture
def quality_client(client):
    client.force_login(QualityFactory())
    return client


# --- D. Wide tables scroll in a region the keyboard reaches; the page does not clip them ------------------------


def test_every_table_on_the_page_is_a_named_scrollable_region_the_keyboard_reaches(quality_client):
    load_rows([tracker_row("2019-12", auditor_grade="GOOD")])
    html = quality_client.get(DETAIL).content.decode()
    regions = re.findall(r'<div class="table-responsive report-table" id="table-(\w+)"([^>]*)>', html)
    # Every numbered table (the re-audit table and the two learning-theme tables included) but four: the themes
    # trend, by team, by service area and by strand show only once some audit carries a theme (this month has none).
    assert len(regions) == len(TABLES) - 4
    for key, attributes in regions:
        assert 'tabindex="0"' in attributes and 'role="region"' in attributes, key
    returns = dict(regions)["returns"]
    assert 'aria-label="Table 8: Returns over twelve months"' in returns


def test_the_pdf_tables_are_plain_tables_not_tab_stops():
    load_rows([tracker_row("2019-12", auditor_grade="GOOD")])
    body = render_report_body(month=DECEMBER).html
    assert 'id="table-returns"' in body
    assert 'role="region"' not in body and "tabindex" not in body


# --- H. The PDF's progress is announced, and its share is written where it fits ----------------------------------


def test_the_pdf_progress_is_announced_and_its_share_is_written_beside_the_bar_not_in_it(quality_client):
    document = ReportDocumentFactory(month=DECEMBER, as_of=datetime.date(2019, 12, 31), status="running", progress=5)
    html = quality_client.get(DETAIL).content.decode()
    # The live region stays on the page while htmx swaps the status inside it, so each change is read out.
    assert re.search(
        r'<div class="document-status-live" role="status" aria-live="polite">\s*'
        rf'<div id="document-{document.pk}-status"',
        html,
    )
    partial = quality_client.get(reverse("reports:document_status", kwargs={"pk": document.pk})).content.decode()
    assert re.search(r'<div class="progress-bar">\s*</div>', partial)  # Nothing inside a bar 5% wide.
    assert 'Generating… <span class="report-progress-done">5% done</span>.' in partial
    assert 'aria-valuenow="5"' in partial


# --- Q. Long words and addresses wrap in the PDF rather than running off the page -------------------------------

LONG_ADDRESS = "https://intranet.example.gov.uk/childrens-services/quality-assurance/exemptions/" + "x" * 90
LONG_WORD = "Supercalifragilistic" * 8


def _words_past_the_right_margin(pdf: bytes, tmp_path) -> list[str]:
    """Words whose right edge lies beyond the A4 page's text column (pdftotext's word boxes, in points)."""
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    boxes = subprocess.run([PDFTOTEXT, "-bbox", str(path), "-"], check=True, capture_output=True, text=True).stdout
    right_margin = 595.28 - 16 / 25.4 * 72  # A4 width less the stylesheet's 16mm margin.
    return [
        unescape(word)
        for x_max, word in re.findall(
            r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', boxes
        )
        if float(x_max) > right_margin + 1
    ]


def test_long_words_and_addresses_in_the_appendix_and_narrative_wrap_inside_the_page(tmp_path):
    load_rows([tracker_row("2019-12", "exempted", auditor="absent.one", exemption_reason=f"See {LONG_ADDRESS}")])
    ReportNarrativeFactory(month=DECEMBER, conclusions=f"Read {LONG_WORD} and {LONG_ADDRESS} first.")
    pdf = report_pdf(month=DECEMBER)
    # Only the long words typed here are looked at (Table 8's last column sits a little into the margin).
    assert [word for word in _words_past_the_right_margin(pdf, tmp_path) if len(word) > 20] == []
    text = pdf_text(pdf, tmp_path)
    assert "intranet.example.gov.uk" in text and "xxxxxxxxxx" in text  # Wrapped, not cut off.
    assert re.search(r"^\s*absent\.one\s", text, re.MULTILINE)  # The auditor's name is not cut into pieces.


# --- M. The narrative editor says what formatting works; headings and quotations render styled ------------------

FORMATTED = (
    "# Findings\nWe found:\n- **Voice of the child** heard\n\n## In detail\n> A child said: it helped.\n\nA > B."
)


def test_the_narrative_renders_headings_below_the_reports_own_and_quotations_and_still_escapes_html():
    html = narrative_html(FORMATTED + "\n> <script>alert(1)</script>\n<blockquote onclick=x>hi</blockquote>")
    assert "<h4>Findings</h4>" in html and "<h5>In detail</h5>" in html
    assert "<blockquote>\n<p>A child said: it helped.</p>\n</blockquote>" in html
    assert "<p>A &gt; B.</p>" in html  # A ">" inside a line is text.
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;blockquote onclick=x&gt;hi&lt;/blockquote&gt;" in html
    assert "<h1>" not in narrative_html("# A\n## B\n### C\n#### D") and "<h6>D</h6>" in narrative_html("#### D")


def test_the_narrative_editor_says_which_formatting_works_and_each_box_points_to_it(quality_client):
    html = quality_client.get(reverse("reports:narrative", kwargs={"year": 2019, "month": 12})).content.decode()
    hint = html.split('id="narrative-format-hint"', 1)[1].split("</div>", 1)[0]
    for what in ("heading", "list", "quotation", "Bold", "link"):
        assert what in hint
    assert html.count('aria-describedby="id_executive_summary_helptext narrative-format-hint"') == 1
    assert html.count("narrative-format-hint") == 5  # The hint, and the four boxes pointing to it.


def _pdf_boxes(html: str) -> dict[str, object]:
    """The first box WeasyPrint lays out for each tag, under the report's PDF stylesheet."""
    stylesheet = f'<link rel="stylesheet" href="{static("reports/report_pdf.css")}">'
    document = HTML(
        string=f'{stylesheet}<div class="report-narrative">{html}</div>',
        base_url=BASE_URL,
        url_fetcher=StaticFilesOnlyFetcher(),
    ).render()
    boxes: dict[str, object] = {}
    for box in document.pages[0]._page_box.descendants():
        boxes.setdefault(getattr(box, "element_tag", ""), box)
    return boxes


def test_the_pdf_styles_the_narratives_headings_and_quotations():
    boxes = _pdf_boxes(narrative_html(FORMATTED))
    paragraph = boxes["p"].style["font_size"]
    assert boxes["h4"].style["font_size"] > paragraph and boxes["h4"].style["font_weight"] >= 700
    assert boxes["blockquote"].style["border_left_width"] > 0
    assert boxes["blockquote"].style["font_style"] == "italic"


# --- E. Figure 10 (actions by status) can be read on a phone and on paper -----------------------------------------

PHONE_COLUMN = 366  # The report's column on a 390px-wide phone, where a chart is scaled to fit.


def test_figure_9_says_each_number_in_its_label_in_type_a_phone_can_read():
    block = {"overdue": 16, "completed_late": 1, "completed_on_time": 49, "not_yet_due": 33}
    svg = str(charts.actions({"actions": block}).svg)
    width = float(re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg).group(1))
    label_size = float(re.search(r"\.axis text\{[^}]*font-size:(\d+)px", svg).group(1))
    assert label_size * PHONE_COLUMN / width >= 11  # Pixels on the phone: 13px at 760 wide came out near 6px.
    labels = re.findall(r">([A-Z][a-z ]+: \d+)</text>", svg)
    assert sorted(labels) == sorted(["Overdue: 16", "Completed late: 1", "Completed on time: 49", "Not yet due: 33"])
    assert 'class="value' not in svg  # No number printed on a dark bar (black on dark blue could not be read).
    # Read top-down, the bars come in the table's order (pygal draws horizontal bars bottom-up).
    assert labels == ["Not yet due: 33", "Completed on time: 49", "Completed late: 1", "Overdue: 16"]


# --- F. A month before the authority's first audits says so, rather than showing rows of zeros -------------------

MONTH_TABLES = (
    "ratings_by_legal_status",  # 3
    "at_risk",  # 5
    "feedback",  # 6
    "children_of_concern",  # 7
    "participation",  # 11
    "moderation",  # 12
    "primary_vs_moderated",  # 13
)


def _table(html: str, key: str) -> str:
    return html.split(f'id="table-{key}"', 1)[1].split("</table>", 1)[0]


def test_a_month_before_the_first_audits_says_no_audits_yet_once_per_table_and_the_json_keeps_its_zeros(
    quality_client,
):
    load_rows([tracker_row("2019-12", auditor_grade="GOOD", child_feedback="positive")])
    october = reverse("reports:detail", kwargs={"year": 2019, "month": 10})
    html = quality_client.get(october).content.decode()
    for key in MONTH_TABLES:
        table = _table(html, key)
        assert table.count("No audits yet: the first audits are from December 2019.") == 1, key
        assert "<td><a" not in table and ">0<" not in table, key  # No zero, linked or not.
    # December has audits: its tables show their figures.
    december = quality_client.get(DETAIL).content.decode()
    assert all("No audits yet" not in _table(december, key) for key in MONTH_TABLES)
    assert "<td><a" in _table(december, "ratings_by_legal_status")
    # The JSON contract still counts October, zeros and all.
    data = json.loads(quality_client.get(reverse("reports:json", kwargs={"year": 2019, "month": 10})).content)
    assert data["at_risk"] == {"inadequate": 0, "at_risk": 0, "total": 0, "percent": None}
    assert data["children_of_concern"] == {"raised": 0, "resolved": 0, "open": 0}


def test_with_no_audits_at_all_every_month_table_says_so(quality_client):
    html = quality_client.get(DETAIL).content.decode()
    for key in MONTH_TABLES:
        assert "No audits yet: there are no audits to count." in _table(html, key), key


def test_the_report_index_lists_only_months_from_the_first_audits(quality_client):
    with time_machine.travel(datetime.datetime(2020, 3, 10, 12, 0, tzinfo=datetime.UTC), tick=False):
        empty = quality_client.get(reverse("reports:index")).content.decode()
        assert "No audits yet." in empty and 'href="/reports/2020/2/"' not in empty
        load_rows([tracker_row("2019-12", auditor_grade="GOOD")])
        html = quality_client.get(reverse("reports:index")).content.decode()
    recent = html.split('id="recent-heading"', 1)[1].split("</section>", 1)[0]
    assert re.findall(r'href="/reports/(\d{4}/\d{1,2})/"', recent) == ["2020/2", "2020/1", "2019/12"]
