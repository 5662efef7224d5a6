"""A re-audit's page shows the earlier audit's grades area by area beside its own, the change in words, and
what became of the earlier audit's actions (issue 14)."""

import datetime
import re

import pytest
from django.urls import reverse

from actions.tests.factories import ActionFactory
from audits.models import TemplateVersion
from audits.reaudits import reaudit_comparison
from audits.tests.factories import AreaGradeFactory, AuditFactory, PracticeAreaFactory
from people.tests.factories import AuditorFactory, ManagerFactory, QualityFactory, TeamFactory

D = datetime.date


@pytest.fixture
def reaudit():
    """An Inadequate audit in September, re-audited in December on a newer template version."""
    manager = ManagerFactory()
    team = TeamFactory(manager=manager)
    earlier = AuditFactory(
        returned=True, child__team=team, month=D(2026, 9, 1), auditor_grade="inadequate", final_grade="inadequate"
    )
    new_template = TemplateVersion.objects.create(number=2, is_current=False)
    grades = {
        # slug: (earlier grade, re-audit grade)
        "chronology": ("inadequate", "good"),
        "voice": ("requires_improvement", "requires_improvement"),
        "plan": ("good", "inadequate"),
        "safety": ("na", "good"),
    }
    reaudit = AuditFactory(
        returned=True,
        child=earlier.child,
        month=D(2026, 12, 1),
        template=new_template,
        auditor_grade="requires_improvement",
        final_grade="requires_improvement",
        reaudit_of=earlier,
        submitted_on=D(2026, 12, 18),
    )
    for order, (slug, (before, after)) in enumerate(grades.items()):
        name = slug.capitalize()
        AreaGradeFactory(
            audit=earlier, area=PracticeAreaFactory(template=earlier.template, slug=slug, name=name), grade=before
        )
        AreaGradeFactory(
            audit=reaudit,
            area=PracticeAreaFactory(template=new_template, slug=slug, name=name, order=order),
            grade=after,
        )
    # An area the earlier template had and the newer one dropped.
    AreaGradeFactory(audit=earlier, area=PracticeAreaFactory(template=earlier.template, slug="old"), grade="good")
    ActionFactory(audit=earlier, completed_on=D(2026, 11, 2))
    ActionFactory(audit=earlier)
    return reaudit, manager


def rows(page: str) -> list[list[str]]:
    table = page.split('id="reaudit-areas"', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>|&[a-z]+;", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


@pytest.mark.django_db
def test_the_re_audit_page_sets_the_grades_side_by_side_with_the_change_in_words(client, reaudit):
    audit, manager = reaudit
    client.force_login(manager)
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()

    assert rows(page)[:4] == [
        ["Chronology", "Inadequate", "Good", "Better"],
        ["Voice", "Requires Improvement", "Requires Improvement", "Same"],
        ["Plan", "Good", "Inadequate", "Worse"],
        ["Safety", "Not applicable", "Good", "Not compared"],
    ]
    assert rows(page)[4][1:] == ["Good", "Not in this audit", "Not compared"]
    assert "1 area better, 1 the same, 1 worse." in page
    assert "<strong>better</strong>" in page  # overall: Inadequate, now Requires Improvement
    assert "<strong>1 of 2</strong> completed" in page
    assert "by the re-audit (18 Dec 2026)" in page
    # The manager's scope holds the earlier audit too, so it is linked.
    assert reverse("audits:audit_detail", args=[audit.reaudit_of_id]) in page


@pytest.mark.django_db
def test_the_earlier_audit_is_linked_only_for_those_who_may_open_it(client, reaudit):
    audit, _ = reaudit
    re_auditor = AuditorFactory()
    type(audit).objects.filter(pk=audit.pk).update(auditor=re_auditor)
    client.force_login(re_auditor)
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert "Re-audit: compared with the earlier audit" in page
    assert reverse("audits:audit_detail", args=[audit.reaudit_of_id]) not in page
    assert client.get(reverse("audits:audit_detail", args=[audit.reaudit_of_id])).status_code == 404


@pytest.mark.django_db
def test_an_audit_that_is_not_a_re_audit_shows_no_comparison(client):
    audit = AuditFactory(returned=True)
    client.force_login(QualityFactory())
    page = client.get(reverse("audits:audit_detail", args=[audit.pk])).content.decode()
    assert "Re-audit: compared" not in page
    assert reaudit_comparison(audit=audit) is None


@pytest.mark.django_db
def test_the_comparison_takes_the_same_queries_however_many_areas(client, reaudit, django_assert_max_num_queries):
    audit, manager = reaudit
    client.force_login(manager)
    url = reverse("audits:audit_detail", args=[audit.pk])
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    for n in range(6):
        AreaGradeFactory(audit=audit, area=PracticeAreaFactory(template=audit.template, slug=f"more-{n}"), grade="good")
        ActionFactory(audit=audit.reaudit_of)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)
