"""Known answers for the impact of re-audit (contracts.md `reaudits`, issue 14): the JSON block, area-level
upscaling and earlier actions completed, the drill-down behind each figure, and flat query counts; for a month
and over a period (its Table 16, web and PDF)."""

import datetime
import re
from html import unescape

import pytest
from django.db.models import Q
from django.urls import reverse

from actions.tests.factories import ActionFactory
from audits.models import Audit, TemplateVersion
from audits.tests.factories import (
    AreaGradeFactory,
    AuditFactory,
    PracticeAreaFactory,
    ProgrammeFactory,
    TemplateVersionFactory,
)
from reports.period import period_figures
from reports.period_pdf import period_pdf, render_period_body_for
from reports.period_tables import PERIOD_TABLES, period_report_context
from reports.reaudits import reaudit_figures, reaudit_impact, reaudit_impact_among
from reports.selectors import report_figures
from reports.tests.factories import QualityFactory
from reports.tests.tracker import load_rows, tracker_row

D = datetime.date
DECEMBER = D(2026, 12, 1)
NOVEMBER = D(2026, 11, 1)
SLUGS = ("chronology", "voice", "plan")


@pytest.fixture
def areas():
    template = TemplateVersionFactory()
    return [PracticeAreaFactory(template=template, slug=slug, name=slug.capitalize()) for slug in SLUGS]


def pair(areas, earlier_grade, new_grade, *, earlier_areas=(), new_areas=(), month=DECEMBER, **new):
    """An earlier audit in September and its re-audit in `month`, with area grades in SLUGS order."""
    earlier = AuditFactory(
        returned=True, month=D(2026, 9, 1), template=areas[0].template, auditor_grade=earlier_grade or ""
    )
    reaudit = AuditFactory(
        **{
            "returned": True,
            "child": earlier.child,
            "month": month,
            "template": areas[0].template,
            "auditor_grade": new_grade or "",
            "reaudit_of": earlier,
            "submitted_on": month.replace(day=20),
            **new,
        }
    )
    for audit, grades in ((earlier, earlier_areas), (reaudit, new_areas)):
        for area, grade in zip(areas, grades, strict=False):
            AreaGradeFactory(audit=audit, area=area, grade=grade)
    return earlier, reaudit


@pytest.fixture
def december(areas):
    """Six re-audits returned in December and two that do not count.

    improved: inadequate -> requires_improvement, inadequate -> good; same: inadequate -> inadequate;
    worse: good -> requires_improvement; not graded: the re-audit (NA overall), the earlier audit.
    """
    cases = {
        "up_1": pair(
            areas,
            "inadequate",
            "requires_improvement",
            earlier_areas=["inadequate", "inadequate", "good"],
            new_areas=["good", "requires_improvement", "good"],
        ),
        "up_2": pair(
            areas, "inadequate", "good", earlier_areas=["requires_improvement", "na"], new_areas=["good", "good"]
        ),
        "same": pair(areas, "inadequate", "inadequate", earlier_areas=["inadequate"], new_areas=["inadequate"]),
        "worse": pair(
            areas,
            "good",
            "requires_improvement",
            earlier_areas=["good", "good"],
            new_areas=["requires_improvement", ""],
        ),
        "new_not_graded": pair(areas, "inadequate", None, earlier_areas=["inadequate"], new_areas=["good"]),
        "earlier_not_graded": pair(areas, None, "good"),
    }
    # Not counted: a re-audit of December still in draft, and one of November.
    pair(areas, "inadequate", None, returned=False, status=Audit.Status.DRAFT, submitted_on=None)
    pair(areas, "inadequate", "good", month=D(2026, 11, 1), earlier_areas=["inadequate"], new_areas=["good"])
    # Earlier actions: two done by the re-audit (20 Dec), one done after it, one never.
    earlier_up_1 = cases["up_1"][0]
    ActionFactory(audit=earlier_up_1, completed_on=D(2026, 11, 1))
    ActionFactory(audit=earlier_up_1, completed_on=D(2026, 12, 20))
    ActionFactory(audit=earlier_up_1, completed_on=D(2026, 12, 21))
    ActionFactory(audit=cases["same"][0])
    return cases


@pytest.mark.django_db
def test_the_json_block_compares_final_grades_and_counts_the_not_graded_in_returned_only(december):
    assert report_figures(DECEMBER)["reaudits"] == {
        "returned": 6,
        "improved": 2,
        "same": 1,
        "worse": 1,
        "improved_percent": 33.3,
    }


@pytest.mark.django_db
def test_the_final_grade_is_the_moderators_when_moderated(areas):
    _, reaudit = pair(areas, "inadequate", "good")
    Audit.objects.filter(pk=reaudit.pk).update(final_grade="inadequate")  # as audits.grading stores it
    assert reaudit_figures(DECEMBER) == {"returned": 1, "improved": 0, "same": 1, "worse": 0, "improved_percent": 0.0}


@pytest.mark.django_db
def test_upscaling_counts_areas_graded_in_both_and_actions_done_by_the_re_audit(december):
    impact = reaudit_impact(DECEMBER)
    # up_1: 2 up, 1 same; up_2: 1 up (NA not compared); same: 1 same; worse: 1 down (blank not compared);
    # new_not_graded: 1 up (area grades count even when the overall grade is NA).
    assert impact["areas"] == {"compared": 7, "up": 4, "same": 2, "down": 1}
    assert impact["audits_with_area_up"] == 3
    assert impact["actions"]["total"] == 4
    assert impact["actions"]["completed"] == 2
    assert float(impact["actions"]["completed_percent"]) == 50.0


@pytest.mark.django_db
def test_no_re_audits_gives_zeros_and_nulls():
    assert reaudit_figures(DECEMBER) == {"returned": 0, "improved": 0, "same": 0, "worse": 0, "improved_percent": None}
    impact = reaudit_impact(DECEMBER)
    assert impact["areas"] == {"compared": 0, "up": 0, "same": 0, "down": 0}
    assert impact["actions"] == {"total": 0, "completed": 0, "completed_percent": None}


@pytest.mark.django_db
def test_each_figure_on_the_report_links_to_the_re_audits_it_counts(client, december):
    client.force_login(QualityFactory())
    page = client.get(reverse("reports:detail", args=[2026, 12])).content.decode()
    assert "3.3 Impact of re-audit" in page
    expected = {
        "returned": {a.pk for _, a in december.values()},
        "improved": {december["up_1"][1].pk, december["up_2"][1].pk},
        "same": {december["same"][1].pk},
        "worse": {december["worse"][1].pk},
        "area_up": {december[k][1].pk for k in ("up_1", "up_2", "new_not_graded")},
        "area_same": {december[k][1].pk for k in ("up_1", "same")},
        "area_down": {december["worse"][1].pk},
    }
    for name, pks in expected.items():
        url = f"{reverse('reports:drilldown')}?month=2026-12&amp;reaudit={name}"
        assert url in page, name
        listing = client.get(url.replace("&amp;", "&"))
        assert listing.status_code == 200
        assert {audit.pk for audit in listing.context["audits"]} == pks, name


@pytest.mark.django_db
def test_the_figures_take_the_same_queries_for_two_re_audits_and_for_twenty(areas, django_assert_max_num_queries):
    for _ in range(2):
        pair(areas, "inadequate", "good", earlier_areas=["inadequate"] * 3, new_areas=["good"] * 3)
    with django_assert_max_num_queries(4) as few:
        reaudit_figures(DECEMBER)
        reaudit_impact(DECEMBER)
    for _ in range(18):
        pair(areas, "good", "inadequate", earlier_areas=["good"] * 3, new_areas=["inadequate"] * 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        reaudit_figures(DECEMBER)
        impact = reaudit_impact(DECEMBER)
    assert impact["areas"]["down"] == 54


@pytest.mark.django_db
def test_known_answers_from_a_small_tracker_with_reaudit_of():
    """Four re-audits in March 2026 of audits in December 2025, one moderated, one not returned."""
    slugs = list(TemplateVersion.objects.get(is_current=True).areas.values_list("slug", flat=True)[:2])
    assert len(slugs) == 2
    a, b = (f"area:{slug}" for slug in slugs)

    def row(ref, month, grade, reaudit_of="", grades=("", ""), **columns):
        return tracker_row(
            month,
            audit_ref=ref,
            child_ref=f"CH-{ref[-1]}",
            auditor_grade=grade,
            reaudit_of=reaudit_of,
            moderator=columns.pop("moderator", ""),
            moderator_grade=columns.pop("moderator_grade", ""),
            **{a: grades[0], b: grades[1]},
            **columns,
        )

    load_rows(
        [
            row("E-1", "2025-12", "INADEQUATE", grades=("INADEQUATE", "RI")),
            row("E-2", "2025-12", "INADEQUATE", grades=("INADEQUATE", "INADEQUATE")),
            row("E-3", "2025-12", "RI", grades=("GOOD", "NA")),
            row("E-4", "2025-12", "INADEQUATE"),
            # Improved (RI over Inadequate), areas: up, up.
            row("N-1", "2026-03", "RI", "E-1", grades=("RI", "GOOD")),
            # Auditor said Good, the moderator Inadequate: final Inadequate, the same. Areas: same, up.
            row(
                "N-2",
                "2026-03",
                "GOOD",
                "E-2",
                grades=("INADEQUATE", "RI"),
                moderator="mod1",
                moderator_grade="INADEQUATE",
            ),
            # Worse (Inadequate under RI); area: down (the NA area is not compared).
            row("N-3", "2026-03", "INADEQUATE", "E-3", grades=("RI", "GOOD")),
            # Not returned: not counted at all.
            row("N-4", "2026-03", "", "E-4", outcome="nil_return", submitted_on=""),
        ]
    )
    assert report_figures(D(2026, 3, 1))["reaudits"] == {
        "returned": 3,
        "improved": 1,
        "same": 1,
        "worse": 1,
        "improved_percent": 33.3,
    }
    assert reaudit_impact(D(2026, 3, 1))["areas"] == {"compared": 5, "up": 3, "same": 1, "down": 1}
    assert reaudit_impact(D(2026, 3, 1))["audits_with_area_up"] == 2


# Over a period (contracts.md section 3 `reaudits`, and the period report's Table 16).


@pytest.fixture
def november_to_december(areas, december):
    """The December re-audits, November's (improved; its earlier audit has an action done by the re-audit),
    one of October outside the period, and a themed audit's re-audit in December (improved, no area grades)."""
    november = Audit.objects.get(month=NOVEMBER, reaudit_of__isnull=False)
    ActionFactory(audit=november.reaudit_of, completed_on=D(2026, 11, 10))
    pair(areas, "inadequate", "good", month=D(2026, 10, 1), earlier_areas=["inadequate"], new_areas=["good"])
    themed = TemplateVersionFactory(programme=ProgrammeFactory(name="Repeat CP plans", slug="repeat-cp"))
    _, themed_reaudit = pair(areas, "inadequate", "good", template=themed)
    return {**december, "november": (november.reaudit_of, november), "themed": (None, themed_reaudit)}


PERIOD_IMPACT = {
    # December's (7, 4 up, 2 same, 1 down) and November's (1 area, up); the themed re-audit has no area grades.
    "areas": {"compared": 8, "up": 5, "same": 2, "down": 1},
    "audits_with_area_up": 4,
    # December's four earlier actions (two done by the re-audit) and November's one, done by its re-audit.
    "actions": {"total": 5, "completed": 3, "completed_percent": 60},
}


@pytest.mark.django_db
def test_over_a_period_the_impact_counts_every_re_audit_of_its_months_and_a_month_is_as_before(november_to_december):
    assert reaudit_impact_among(Q(month__gte=NOVEMBER, month__lte=DECEMBER)) == PERIOD_IMPACT
    # The monthly figures are those the monthly report has always shown (test_upscaling_... above).
    assert reaudit_impact(DECEMBER)["areas"] == {"compared": 7, "up": 4, "same": 2, "down": 1}
    assert reaudit_impact(DECEMBER)["actions"]["total"] == 4
    assert period_figures(NOVEMBER, DECEMBER)["reaudits"] == {
        "returned": 8,
        "improved": 4,
        "same": 1,
        "worse": 1,
        "improved_percent": 50.0,
    }


def _period_page(client, **scope) -> str:
    client.force_login(QualityFactory())
    query = {"from_month": "2026-11", "to_month": "2026-12", **scope}
    return client.get(reverse("reports:period"), query).content.decode()


@pytest.mark.django_db
def test_the_period_report_has_the_re_audit_table_after_the_learning_themes(november_to_december, client):
    assert [build.__name__ for build in PERIOD_TABLES][15:] == ["reaudits"]
    table = period_report_context(NOVEMBER, DECEMBER)["tables"]["reaudits"]
    assert table.number == 16
    assert table.title == "Impact of re-audit: re-audits of Nov 2026 to Dec 2026 compared with the audits they follow"
    assert [(row.label, row.cells[0].value, row.cells[0].percent) for row in table.rows] == [
        ("Re-audits returned", 8, None),
        ("Improved on the earlier final grade", 4, 50.0),
        ("Kept the same final grade", 1, None),
        ("Graded lower than before", 1, None),
        ("Re-audits with a practice area graded higher", 4, None),
        ("Practice areas graded higher (upscaling)", 5, 62.5),
        ("Practice areas graded the same", 2, 25.0),
        ("Practice areas graded lower", 1, 12.5),
        ("Earlier audits' actions completed by the re-audit", 3, 60.0),
        ("Earlier audits' actions in all", 5, None),
    ]
    page = _period_page(client)
    assert "4. What are we doing about it?" in page and "4.1 Impact of re-audit" in page
    assert "Table 16: Impact of re-audit: re-audits of Nov 2026 to Dec 2026" in page


@pytest.mark.parametrize(
    ("scope", "themed_counted"),
    [({}, True), ({"programme": "monthly"}, False)],
)
@pytest.mark.django_db
def test_each_period_figure_links_to_the_re_audits_it_counts_in_the_periods_scope(
    november_to_december, client, scope, themed_counted
):
    cases = november_to_december
    counted = ["up_1", "up_2", "same", "worse", "new_not_graded", "earlier_not_graded", "november"]
    improved = ["up_1", "up_2", "november"]
    if themed_counted:
        counted.append("themed")
        improved.append("themed")
    expected = {
        "returned": counted,
        "improved": improved,
        "same": ["same"],
        "worse": ["worse"],
        "area_up": ["up_1", "up_2", "new_not_graded", "november"],
        "area_same": ["up_1", "same"],
        "area_down": ["worse"],
    }
    page = _period_page(client, **scope)
    section = page[page.index('id="period-doing"') :]
    suffix = "".join(f"&programme={value}" for value in scope.values())
    links = {unescape(href) for href in re.findall(r'href="(/reports/audits/\?[^"]+)"', section)}
    for name, keys in expected.items():
        url = f"{reverse('reports:drilldown')}?month_from=2026-11&month_to=2026-12{suffix}&reaudit={name}"
        assert url in links, name
        listing = client.get(url)
        assert {audit.pk for audit in listing.context["audits"]} == {cases[key][1].pk for key in keys}, name


@pytest.mark.django_db
def test_the_period_pdf_prints_the_re_audit_table_without_links_and_lists_it_in_its_contents(
    november_to_december, tmp_path
):
    from reports.tests.test_pdf import pdf_text

    body, _context = render_period_body_for(NOVEMBER, DECEMBER)
    section = body.html[body.html.index('id="period-doing"') :]
    assert "4.1 Impact of re-audit" in section and "Table 16: Impact of re-audit" in section
    assert "<a " not in section
    text = " ".join(pdf_text(period_pdf(first=NOVEMBER, last=DECEMBER), tmp_path).split())
    assert text.count("4.1 Impact of re-audit") == 2  # the contents and the section
    table = text.split("Table 16: Impact of re-audit: re-audits of Nov 2026 to Dec 2026", 1)[1]
    assert "Re-audits returned 8" in table
    assert "Improved on the earlier final grade 4 (50.0%)" in table
    assert "Practice areas graded higher (upscaling) 5 (62.5%)" in table
    assert "Earlier audits' actions completed by the re-audit 3 (60.0%)" in table
